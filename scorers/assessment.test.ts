import { afterAll, describe, expect, it } from 'vitest';
import { assess, recommendLimit as limitRule, type AssessmentInput } from './assessment.js';
import { REASON_CODES, REASON_CODES_FR } from './reason-codes.js';
import { DEFAULT_SCORING_POLICY as P, type ScoringPolicy } from './scoring-policy.js';
import { FINANCIAL_MODEL } from './financial-scorer.js';
import { event, facts, identity, NO_RATIOS, SOUND_RATIOS } from './test-fixtures.js';

const TODAY = '2026-11-23';
const seen = new Set<string>();
const recommendLimit = (...args: Parameters<typeof limitRule>) => {
  const l = limitRule(...args);
  seen.add(l.reason.code);
  return l;
};
const run = (input: Partial<AssessmentInput>, policy: ScoringPolicy = P) => {
  const a = assess(
    {
      siren: '552032534',
      facts: facts(),
      statement: { closingDate: '2025-12-31', ratios: SOUND_RATIOS, revenue: 5_000_000 },
      ledger: null,
      needs: { monthlyPurchases: null, termsDays: null },
      sourceGaps: [],
      ...input,
    },
    policy,
    TODAY,
  );
  for (const r of a.reasons) seen.add(r.code);
  for (const b of a.recommendedLimit.basis) seen.add(b.code);
  return a;
};

describe('assess', () => {
  it('a sound, established company: a good grade, a PD below the base rate, standard terms, points adding up to the score', () => {
    const a = run({ facts: facts({ identity: identity({ createdOn: '1990-01-01', headcountBand: '21' }) }) });
    expect(['A', 'B']).toContain(a.grade);
    expect(a.probabilityOfDefault12m).toBeLessThan(P.baseDefaultRate12m);
    expect(a.paymentConditions).toMatchObject({ condition: 'standard_terms', code: 'conditions_by_grade' });
    const points = a.reasons.reduce((s, r) => s + r.points, 0);
    expect(Math.abs(P.scale.baseScore + points - a.score)).toBeLessThan(1);
    expect(a.confidence).toMatchObject({ level: 'high', value: 1, missing: [] });
  });

  it('every point is attributed: a riskier input moves the score down through a named reason', () => {
    const base = run({});
    const sanctioned = run({ facts: facts({ sanctions: [{ date: '2026-03-01', amount: 1_000_000, name: 'X' }] }) });
    const reason = sanctioned.reasons.find((r) => r.code === 'late_payment_sanction')!;
    expect(reason.points).toBeLessThan(0);
    expect(sanctioned.score).toBeLessThan(base.score);
    expect(sanctioned.probabilityOfDefault12m).toBeGreaterThan(base.probabilityOfDefault12m);
  });

  it.each(['sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire'])('%s open → grade X, limit 0, prepayment', (kind) => {
    const a = run({ facts: facts({ legalEvents: [event(kind, '2026-10-01')] }) });
    expect(a).toMatchObject({ grade: 'X', recommendedLimit: { amount: 0, reason: { code: 'limit_zero_grade' } }, paymentConditions: { condition: 'prepayment' } });
  });

  it('ceased → grade X whatever the financials', () => {
    expect(run({ facts: facts({ identity: identity({ status: 'ceased' }) }) }).grade).toBe('X');
  });

  it('missing financials lower confidence and are said; they are not scored as zeros', () => {
    const none = run({ statement: null });
    expect(none.reasons.find((r) => r.code === 'financials_missing')).toMatchObject({ points: 0 });
    expect(none.confidence.level).not.toBe('high');
    expect(none.confidence.missing).toContain('financial statements');
    expect(none.financial).toMatchObject({ coverage: 0, logOdds: 0, modelVersion: null });
    const partial = run({ statement: { closingDate: '2025-12-31', ratios: { ...SOUND_RATIOS, netMargin: null, payableDays: null }, revenue: 5_000_000 } });
    expect(partial.reasons.map((r) => r.code)).toContain('financials_partial');
    expect(partial.confidence.value).toBeLessThan(1);
    expect(partial.confidence.missing).toEqual(['ratio netMargin', 'ratio payableDays']);
    const old = run({ statement: { closingDate: '2022-12-31', ratios: SOUND_RATIOS, revenue: 5_000_000 } });
    expect(old.reasons.map((r) => r.code)).toContain('financials_outdated');
    const gap = run({ sourceGaps: ['bodacc: unavailable (timeout)'] });
    expect(gap.reasons.find((r) => r.code === 'source_unavailable')!.detail).toBe('bodacc: unavailable (timeout)');
    expect(gap.confidence.value).toBeCloseTo(0.9, 6);
  });

  it("a customer's ledger counts: paying very late lowers the score", () => {
    const good = run({ ledger: { daysBeyondTerms: -2, recentDaysBeyondTerms: null, earlierDaysBeyondTerms: null, overdueAmount: 0, openAmount: 10_000 } });
    const bad = run({ ledger: { daysBeyondTerms: 70, recentDaysBeyondTerms: 90, earlierDaysBeyondTerms: 40, overdueAmount: 9_000, openAmount: 10_000 } });
    expect(bad.score).toBeLessThan(good.score);
    expect(bad.reasons.filter((r) => r.scorer === 'payment_behaviour').map((r) => r.code)).toEqual(
      expect.arrayContaining(['pays_very_late', 'overdue_share_high', 'payment_trend_worsening']),
    );
  });
});

describe('recommendLimit: edge cases', () => {
  const statement = (ratios = SOUND_RATIOS, revenue: number | null = 5_000_000) => ({ closingDate: '2025-12-31', ratios, revenue });
  const noNeeds = { monthlyPurchases: null, termsDays: null };

  it('negative equity → 0 (and prepayment in the assessment)', () => {
    const l = recommendLimit({ statement: statement({ ...SOUND_RATIOS, equityRatio: -0.05 }), needs: noNeeds }, P, 'C');
    expect(l).toMatchObject({ amount: 0, reason: { code: 'limit_negative_equity' } });
    const a = run({ statement: statement({ ...SOUND_RATIOS, equityRatio: -0.05 }) });
    expect(a.recommendedLimit.amount).toBe(0);
    expect(a.paymentConditions).toMatchObject({ condition: 'prepayment', code: a.grade === 'E' ? 'conditions_by_grade' : 'conditions_no_credit' });
  });

  it.each(['E', 'X'] as const)('grade %s → 0', (grade) => {
    expect(recommendLimit({ statement: statement(), needs: noNeeds }, P, grade)).toMatchObject({ amount: 0, basis: [], reason: { code: 'limit_zero_grade' } });
  });

  it('grade E from the score → limit 0 and prepayment', () => {
    const a = run({}, { ...P, scale: { ...P.scale, baseScore: 0 } });
    expect(a).toMatchObject({ grade: 'E', recommendedLimit: { amount: 0 }, paymentConditions: { condition: 'prepayment', code: 'conditions_by_grade' } });
  });

  it('equity derivable: a share of equity, a share of turnover, the cap; the lowest binds, rounded down', () => {
    // equity = 1.5 × (8% × 5,000,000) / 0.3 = 2,000,000 €: 5% → 100,000 €; turnover 1% → 50,000 €; cap C 100,000 €
    const l = recommendLimit({ statement: statement(), needs: noNeeds }, P, 'C');
    expect(l.basis.map((b) => [b.code, b.amount, b.binding])).toEqual([
      ['limit_equity_share', 10_000_000, false],
      ['limit_turnover_share', 5_000_000, true],
      ['limit_grade_cap', 10_000_000, false],
    ]);
    expect(l).toMatchObject({ amount: 5_000_000, reason: { code: 'limit_turnover_share' } });
  });

  it('no turnover published: the equity share alone, or the no-financials amount by grade', () => {
    const noTurnover = recommendLimit({ statement: statement(SOUND_RATIOS, null), needs: noNeeds }, P, 'B');
    expect(noTurnover.basis.map((b) => b.code)).toEqual(['limit_no_financials', 'limit_grade_cap']);
    expect(noTurnover.amount).toBe(P.limit.withoutFinancials.B * 100);
    const noStatement = recommendLimit({ statement: null, needs: noNeeds }, P, 'D');
    expect(noStatement).toMatchObject({ amount: P.limit.withoutFinancials.D * 100, reason: { code: 'limit_no_financials' } });
  });

  it("the customer's needs bind when lower: monthly purchases × terms / 30", () => {
    const l = recommendLimit({ statement: statement(), needs: { monthlyPurchases: 1_000_000, termsDays: 60 } }, P, 'A');
    expect(l).toMatchObject({ amount: 2_000_000, reason: { code: 'limit_customer_needs' } });
  });

  it('the grade cap binds for a very large company', () => {
    const l = recommendLimit({ statement: statement(SOUND_RATIOS, 5_000_000_000), needs: noNeeds }, P, 'D');
    expect(l).toMatchObject({ amount: P.limit.capByGrade.D * 100, reason: { code: 'limit_grade_cap' } });
  });

  it('rounds down to the policy step, never up', () => {
    const l = recommendLimit({ statement: null, needs: { monthlyPurchases: 123_456, termsDays: 30 } }, P, 'A');
    expect(l.amount).toBe(100_000);
  });
});

describe('reason codes', () => {
  it('every reason code has its plain French meaning, and no other code does', () => {
    expect(Object.keys(REASON_CODES_FR).sort()).toEqual(Object.keys(REASON_CODES).sort());
    for (const [code, fr] of Object.entries(REASON_CODES_FR)) expect(fr, code).not.toBe(REASON_CODES[code]);
  });

  it('every financial reason code comes from the fitted model', () => {
    expect(FINANCIAL_MODEL.features.length * 2 + 1).toBe(Object.keys(REASON_CODES).filter((c) => /_(weak|strong)$|^equity_negative$/.test(c)).length);
  });

  // Runs after the tests above: each code listed is produced by at least one of them.
  afterAll(() => {
    const financial = Object.keys(REASON_CODES).filter((c) => /_(weak|strong)$/.test(c));
    const others = Object.keys(REASON_CODES).filter((c) => !financial.includes(c) && !seen.has(c));
    expect(others, `reason codes no assessment test produced: ${others.join(', ')}`).toEqual([]);
  });

  it('each rule-based code is produced by some input', () => {
    // the firmographic, legal and payment codes, through assess()
    run({ facts: facts({ identity: identity({ createdOn: '2025-01-01', headcountBand: 'NN', legalFormCode: '1000', entrepreneurIndividuel: true, activityCode: '43.21A' }) }) });
    run({ facts: facts({ identity: identity({ createdOn: '1980-01-01', headcountBand: '22' }) }) });
    run({ facts: facts({ legalEvents: [event('redressement_judiciaire', '2025-01-01'), event('plan', '2025-06-01'), event('radiation', '2026-09-01')], sanctions: [{ date: '2026-01-01', amount: 100, name: 'x' }], latestStatementClosing: '2024-06-30' }), statement: null });
    run({ facts: facts({ identity: identity({ status: 'ceased' }) }) });
    run({ ledger: { daysBeyondTerms: -1, recentDaysBeyondTerms: -10, earlierDaysBeyondTerms: 5, overdueAmount: 0, openAmount: 1 } });
    run({ ledger: { daysBeyondTerms: 20, recentDaysBeyondTerms: 30, earlierDaysBeyondTerms: 5, overdueAmount: 9, openAmount: 10 } });
    run({ ledger: { daysBeyondTerms: 50, recentDaysBeyondTerms: null, earlierDaysBeyondTerms: null, overdueAmount: 0, openAmount: 0 } });
    run({ statement: { closingDate: '2025-12-31', ratios: { ...NO_RATIOS, equityRatio: -0.3 }, revenue: null }, needs: { monthlyPurchases: 100, termsDays: 30 } });
    run({ statement: { closingDate: '2025-12-31', ratios: SOUND_RATIOS, revenue: 9e9 }, needs: { monthlyPurchases: null, termsDays: null } });
    expect(seen.size).toBeGreaterThan(20);
  });
});
