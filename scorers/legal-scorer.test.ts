import { describe, expect, it } from 'vitest';
import { scoreLegal } from './legal-scorer.js';
import { DEFAULT_SCORING_POLICY as P } from './scoring-policy.js';
import { event, facts, identity } from './test-fixtures.js';

const TODAY = '2026-11-23';
const codes = (f: Parameters<typeof scoreLegal>[0]) => scoreLegal(f, P, TODAY).reasons.map((r) => r.code);

describe('scoreLegal: collective proceedings', () => {
  it.each([
    { name: 'sauvegarde opened', events: [event('sauvegarde', '2026-06-01')], open: 'sauvegarde' },
    { name: 'redressement opened', events: [event('redressement_judiciaire', '2026-06-01')], open: 'redressement_judiciaire' },
    { name: 'liquidation opened', events: [event('liquidation_judiciaire', '2026-06-01')], open: 'liquidation_judiciaire' },
    { name: 'redressement converted into liquidation', events: [event('redressement_judiciaire', '2026-01-10'), event('liquidation_judiciaire', '2026-04-02')], open: 'liquidation_judiciaire' },
    { name: 'liquidation closed: the company is gone', events: [event('liquidation_judiciaire', '2025-01-10'), event('cloture', '2026-02-01')], open: 'liquidation_judiciaire' },
    { name: 'redressement then a plan', events: [event('redressement_judiciaire', '2025-01-10'), event('plan', '2025-09-01')], open: null },
    { name: 'sauvegarde closed', events: [event('sauvegarde', '2024-01-10'), event('cloture', '2024-09-01')], open: null },
    { name: 'plan then a new redressement', events: [event('redressement_judiciaire', '2023-01-10'), event('plan', '2023-09-01'), event('redressement_judiciaire', '2026-05-01')], open: 'redressement_judiciaire' },
  ])('$name → open: $open', ({ events, open }) => {
    const s = scoreLegal(facts({ legalEvents: events }), P, TODAY);
    expect(s.proceedings?.kind ?? null).toBe(open);
    if (open) expect(s.reasons[0]).toMatchObject({ code: 'collective_proceedings', evidence: { source: 'bodacc' } });
  });

  it('a plan after a redressement: under_plan, a heavy but not an X', () => {
    const s = scoreLegal(facts({ legalEvents: [event('redressement_judiciaire', '2025-01-10'), event('plan', '2025-09-01')] }), P, TODAY);
    expect(s.reasons.map((r) => r.code)).toEqual(['under_plan']);
    expect(s.logOdds).toBe(P.legal.underPlan);
  });

  it('an announcement that is an annulation is not read as an event', () => {
    const annulled = event('liquidation_judiciaire', '2026-06-01', { correction: { type: 'annulation' } });
    expect(scoreLegal(facts({ legalEvents: [annulled] }), P, TODAY).proceedings).toBeNull();
    const rectified = event('liquidation_judiciaire', '2026-06-01', { correction: { type: 'rectificatif' } });
    expect(scoreLegal(facts({ legalEvents: [rectified] }), P, TODAY).proceedings).not.toBeNull();
  });
});

describe('scoreLegal: other signals', () => {
  it.each([
    { name: 'ceased in the registry', f: facts({ identity: identity({ status: 'ceased', ceasedOn: '2024-05-01' }) }), expected: ['company_ceased'] },
    { name: 'struck off', f: facts({ identity: identity({ radiatedOn: '2022-11-14' }) }), expected: ['company_ceased'] },
    { name: 'radiation published 3 months ago, registry still active', f: facts({ legalEvents: [event('radiation', '2026-08-20')] }), expected: ['recent_radiation'] },
    { name: 'radiation published 2 years ago', f: facts({ legalEvents: [event('radiation', '2024-08-20')] }), expected: [] },
    { name: 'latest accounts close 2024-12-31 (23 months ago)', f: facts({ latestStatementClosing: '2024-12-31' }), expected: ['accounts_filed_late'] },
    {
      name: 'a BODACC filing of newer accounts than the statement',
      f: facts({ latestStatementClosing: '2023-12-31', legalEvents: [event('depot_des_comptes', '2026-07-01', { accountsClosingDate: '2025-12-31' })] }),
      expected: [],
    },
    { name: 'DGCCRF fine a year ago', f: facts({ sanctions: [{ date: '2025-11-01', amount: 7_500_000, name: 'X' }] }), expected: ['late_payment_sanction'] },
    { name: 'DGCCRF fine four years ago', f: facts({ sanctions: [{ date: '2022-10-01', amount: 7_500_000, name: 'X' }] }), expected: [] },
    { name: 'nothing remarkable', f: facts(), expected: [] },
  ])('$name → $expected', ({ f, expected }) => {
    expect(codes(f)).toEqual(expected);
  });

  it('the sanction reason gives the fine in euros and its date', () => {
    const s = scoreLegal(facts({ sanctions: [{ date: '2025-11-01', amount: 7_500_000, name: 'X' }] }), P, TODAY);
    expect(s.reasons[0]!.detail).toMatch(/75\s000 € by the DGCCRF on 2025-11-01/);
    expect(s.reasons[0]!.logOdds).toBe(P.legal.latePaymentSanction);
  });
});
