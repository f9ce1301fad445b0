import { describe, expect, it } from 'vitest';
import { scorePaymentBehaviour, type LedgerBehaviour } from './payment-behaviour-scorer.js';
import { DEFAULT_SCORING_POLICY as P } from './scoring-policy.js';

const b = (extra: Partial<LedgerBehaviour>): LedgerBehaviour => ({
  daysBeyondTerms: null,
  recentDaysBeyondTerms: null,
  earlierDaysBeyondTerms: null,
  overdueAmount: 0,
  openAmount: 0,
  ...extra,
});

describe('scorePaymentBehaviour', () => {
  it.each([
    { name: 'pays 5 days early', input: b({ daysBeyondTerms: -5 }), expected: ['pays_on_terms'] },
    { name: 'pays 10 days late (within tolerance)', input: b({ daysBeyondTerms: 10 }), expected: [] },
    { name: 'pays 20 days late', input: b({ daysBeyondTerms: 20 }), expected: ['pays_late'] },
    { name: 'pays 60 days late', input: b({ daysBeyondTerms: 60 }), expected: ['pays_very_late'] },
    { name: '70% of what it owes is overdue', input: b({ overdueAmount: 70_000, openAmount: 100_000 }), expected: ['overdue_share_high'] },
    { name: '30% overdue', input: b({ overdueAmount: 30_000, openAmount: 100_000 }), expected: [] },
    { name: 'later by 15 days lately', input: b({ recentDaysBeyondTerms: 20, earlierDaysBeyondTerms: 5 }), expected: ['payment_trend_worsening'] },
    { name: 'sooner by 12 days lately', input: b({ recentDaysBeyondTerms: 0, earlierDaysBeyondTerms: 12 }), expected: ['payment_trend_improving'] },
    { name: 'no history', input: b({}), expected: [] },
  ])('$name → $expected', ({ input, expected }) => {
    expect(scorePaymentBehaviour(input, P).reasons.map((r) => r.code)).toEqual(expected);
  });

  it('adds up its reasons', () => {
    const s = scorePaymentBehaviour(b({ daysBeyondTerms: 60, overdueAmount: 90, openAmount: 100 }), P);
    expect(s.logOdds).toBeCloseTo(P.paymentBehaviour.veryLate + P.paymentBehaviour.overdueShare, 6);
  });
});
