import { describe, expect, it } from 'vitest';
import { mapPage } from '../../sources/bodacc/bodacc-mapper.js';
import { latestComplete, mapStatements } from '../../sources/ratios-inpi-bce/ratios-inpi-bce-mapper.js';
import { assess, DEFAULT_SCORING_POLICY, ratiosFromBce, scoreFinancials } from '../../scorers/index.js';
import { fixtureJson } from '../setup/fixture-server.js';
import { bodaccPage, collectiveRecord, ganymedeRecords } from '../setup/sources-server.js';
import { identity } from '../../scorers/test-fixtures.js';

const TODAY = '2026-11-23';
const SIREN = '552032534';
const facts = (legalEvents: ReturnType<typeof mapPage>['events']) => ({ identity: identity(), legalEvents, sanctions: [], latestStatementClosing: '2025-12-31' });
const input = (legalEvents: ReturnType<typeof mapPage>['events']) => ({
  siren: SIREN,
  facts: facts(legalEvents),
  statement: null,
  ledger: null,
  needs: { monthlyPurchases: null, termsDays: null },
  sourceGaps: [],
});

describe('collective proceedings in the BODACC recordings’ shape give grade X', () => {
  // No real collective-proceeding record exists in the recordings: a recorded record is re-labelled
  // (family "collective", edition A, a `jugement` JSON string) and mapped by the real mapper.
  it.each([
    ["Jugement d'ouverture d'une procédure de sauvegarde", 'sauvegarde'],
    ["Jugement d'ouverture d'une procédure de redressement judiciaire", 'redressement_judiciaire'],
    ["Jugement d'ouverture d'une procédure de liquidation judiciaire", 'liquidation_judiciaire'],
    ['Jugement de conversion en liquidation judiciaire', 'liquidation_judiciaire'],
    ['Jugement prononçant la liquidation judiciaire', 'liquidation_judiciaire'],
  ])('%s → X (%s)', (nature, kind) => {
    const { events } = mapPage(JSON.parse(bodaccPage([collectiveRecord(SIREN, 'A202610010001', nature, '2026-09-28', '2026-10-01')])));
    const a = assess(input(events), DEFAULT_SCORING_POLICY, TODAY);
    expect(a.grade).toBe('X');
    expect(a.legal.proceedings).toMatchObject({ kind, announcementId: 'A202610010001', since: '2026-09-28' });
    expect(a.recommendedLimit.amount).toBe(0);
  });

  it('a plan de redressement after the opening is not X; the Ganymède radiation and filings are not proceedings', () => {
    const { events } = mapPage(
      JSON.parse(
        bodaccPage([
          collectiveRecord(SIREN, 'A1', "Jugement d'ouverture d'une procédure de redressement judiciaire", '2025-01-10'),
          collectiveRecord(SIREN, 'A2', 'Jugement arrêtant le plan de redressement', '2025-09-01'),
        ]),
      ),
    );
    const a = assess(input(events), DEFAULT_SCORING_POLICY, TODAY);
    expect(a.grade).not.toBe('X');
    expect(a.reasons.map((r) => r.code)).toContain('under_plan');
    const ganymede = mapPage(JSON.parse(bodaccPage(ganymedeRecords()))).events;
    expect(assess(input(ganymede), DEFAULT_SCORING_POLICY, TODAY).legal.proceedings).toBeNull();
  });
});

describe('the partially confidential BCE/INPI recording', () => {
  const statements = mapStatements(fixtureJson('ratios-inpi-bce/records-v1-search-siren-487444697-partially-confidential.json'));
  const latest = latestComplete(statements)!;

  it('its latest statement has negative equity: limit 0 and prepayment, whatever the grade', () => {
    expect(latest.closingDate).toBe('2022-12-31');
    const a = assess(
      { ...input([]), statement: { closingDate: latest.closingDate, ratios: ratiosFromBce(latest), revenue: latest.revenue || null } },
      DEFAULT_SCORING_POLICY,
      TODAY,
    );
    expect(a.reasons.map((r) => r.code)).toContain('equity_negative');
    expect(a.recommendedLimit).toMatchObject({ amount: 0 });
    expect(['limit_negative_equity', 'limit_zero_grade']).toContain(a.recommendedLimit.reason.code);
    expect(a.paymentConditions.condition).toBe('prepayment');
  });

  it('a confidential year scores only what was published: its turnover-based ratios are missing, not zero', () => {
    const y2019 = statements.find((s) => s.closingDate === '2019-12-31')!;
    const ratios = ratiosFromBce(y2019);
    expect(ratios).toMatchObject({ ebitMargin: null, netMargin: null, equityRatio: 0.26239 });
    const s = scoreFinancials(ratios);
    expect(s.missing).toEqual(expect.arrayContaining(['ebitMargin', 'netMargin', 'cashFlowMargin']));
    expect(s.coverage).toBeLessThan(0.5);
  });
});
