import { describe, expect, it } from 'vitest';
import { FINANCIAL_MODEL, financialReasonCode, scoreFinancials } from './financial-scorer.js';
import { derivedEquity, ratiosFromBce, ratiosFromPolish, altmanZ2, type CanonicalRatios } from './financial-ratios.js';
import { NO_RATIOS, SOUND_RATIOS } from './test-fixtures.js';

describe('scoreFinancials', () => {
  it('the model is fitted and each of its ratios has bins and a spread', () => {
    expect(FINANCIAL_MODEL.features.map((f) => f.name)).toHaveLength(12);
    for (const f of FINANCIAL_MODEL.features) {
      expect(f.logOdds).toHaveLength(f.cuts.length + 1);
      expect(f.spread).toBeGreaterThan(0);
    }
  });

  it.each(FINANCIAL_MODEL.features.map((f) => [f.name, f] as const))('%s: its riskiest bin reads _weak, its safest _strong', (name, f) => {
    const worst = f.logOdds.indexOf(Math.max(...f.logOdds));
    const best = f.logOdds.indexOf(Math.min(...f.logOdds));
    const valueIn = (bin: number) => (bin === 0 ? f.cuts[0]! - 1 : f.cuts[bin - 1]!);
    const score = (v: number) => scoreFinancials({ ...NO_RATIOS, [name]: v } as CanonicalRatios);
    const weak = score(valueIn(worst));
    const strong = score(valueIn(best));
    expect(weak.contributions[0]!.logOdds).toBeGreaterThan(0);
    expect(strong.contributions[0]!.logOdds).toBeLessThan(0);
    const snake = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    if (name !== 'equityRatio' || valueIn(worst) >= 0) expect(weak.contributions[0]!.code).toBe(`${snake}_weak`);
    expect(strong.contributions[0]!.code).toBe(`${snake}_strong`);
  });

  it('negative equity reads equity_negative, with the figure and the statement date', () => {
    const s = scoreFinancials({ ...NO_RATIOS, equityRatio: -0.12 }, {}, { statementDate: '2023-12-31' });
    expect(s.contributions[0]).toMatchObject({ code: 'equity_negative', detail: 'autonomie financière (equity / total assets) -12% (2023-12-31 statement)' });
    expect(s.contributions[0]!.logOdds).toBeGreaterThan(0);
    expect(financialReasonCode('equityRatio', -0.01, -1)).toBe('equity_negative');
  });

  it('nothing published: no points, no probability, coverage 0 — never scored as zeros', () => {
    const s = scoreFinancials(NO_RATIOS);
    expect(s).toMatchObject({ logOdds: 0, trainingHorizonPd: null, coverage: 0, contributions: [] });
    expect(s.missing).toHaveLength(12);
    const zeros = scoreFinancials(Object.fromEntries(Object.keys(NO_RATIOS).map((k) => [k, 0])) as unknown as CanonicalRatios);
    expect(zeros.logOdds).not.toBe(0);
  });

  it('a partial statement lowers coverage and lists what is missing; the contributions add up', () => {
    const partial = scoreFinancials({ ...SOUND_RATIOS, receivableDays: null, inventoryDays: null });
    expect(partial.missing).toEqual(['receivableDays', 'inventoryDays']);
    expect(partial.coverage).toBeLessThan(1);
    expect(partial.coverage).toBeGreaterThan(0.5);
    expect(partial.logOdds).toBeCloseTo(partial.contributions.reduce((s, c) => s + c.logOdds, 0), 3);
    expect(scoreFinancials(SOUND_RATIOS).coverage).toBe(1);
  });

  it('the weight scales the points; the input is not mutated', () => {
    const input = { ...SOUND_RATIOS };
    const frozen = JSON.stringify(input);
    const once = scoreFinancials(input);
    const twice = scoreFinancials(input, { weight: 2 });
    expect(twice.logOdds).toBeCloseTo(once.logOdds * 2, 2);
    expect(JSON.stringify(input)).toBe(frozen);
  });

  it('a sound company scores safer than a loss-making, indebted one', () => {
    const weak: CanonicalRatios = { ...SOUND_RATIOS, equityRatio: -0.2, netMargin: -0.3, ebitMargin: -0.25, cashFlowMargin: -0.2, currentRatio: 0.5, repaymentYears: -3 };
    expect(scoreFinancials(weak).logOdds).toBeGreaterThan(scoreFinancials(SOUND_RATIOS).logOdds + 1);
  });
});

describe('ratio mappings', () => {
  it('BCE: percentages become decimals; a 0 turnover (confidential) leaves the turnover-based ratios unknown', () => {
    const base = { closingDate: '2022-12-31', confidentiality: 'Public', revenue: 1_000_000, ebitda: 100_000, ebit: 50_000, netIncome: 20_000 };
    const ratios = { debtRatio: 120, liquidityRatio: 150, equityRatio: 30, repaymentCapacity: 4, interestCover: 5, ebitdaMargin: 10, receivableDays: 60, payableDays: 45, cashFlowMargin: 8, preTaxMargin: 3, inventoryDays: 20 };
    expect(ratiosFromBce({ ...base, ratios })).toMatchObject({ equityRatio: 0.3, currentRatio: 1.5, debtToEquity: 1.2, repaymentYears: 4, ebitMargin: 0.05, netMargin: 0.02, cashFlowMargin: 0.08 });
    const confidential = ratiosFromBce({ ...base, confidentiality: 'Partiellement confidentiel', revenue: 0, ebit: 0, ratios });
    expect(confidential).toMatchObject({ ebitMargin: null, netMargin: null, ebitdaMargin: null, receivableDays: null, equityRatio: 0.3 });
    expect(ratiosFromBce({ ...base, ratios: { ...ratios, liquidityRatio: 0, receivableDays: 0, repaymentCapacity: 0 } })).toMatchObject({ currentRatio: null, receivableDays: null, repaymentYears: null });
    // no financial debt: 0 years of repayment is a fact
    expect(ratiosFromBce({ ...base, ratios: { ...ratios, debtRatio: 0, repaymentCapacity: 0 } }).repaymentYears).toBe(0);
  });

  it('Polish attributes map to the same ratios; a missing attribute stays missing; Z″ needs its four', () => {
    const row = { Attr2: 0.5, Attr4: 1.3, Attr9: 2, Attr10: 0.4, Attr15: 730, Attr26: 0.2, Attr59: 0.1, Attr3: 0.1, Attr6: 0.2, Attr7: 0.05, Attr8: 0.8 };
    expect(ratiosFromPolish(row)).toMatchObject({ equityRatio: 0.4, currentRatio: 1.3, repaymentYears: 2, debtToEquity: 0.1, cashFlowMargin: 0.05, netMargin: null });
    expect(altmanZ2(row)).toBeCloseTo(6.56 * 0.1 + 3.26 * 0.2 + 6.72 * 0.05 + 1.05 * 0.8, 10);
    expect(altmanZ2({ ...row, Attr6: null })).toBeNull();
  });

  it('equity is derived from debt, cash flow and gearing when all are published', () => {
    // debt = 4 years × (8% × 1,000,000) = 320,000; equity = 320,000 / 1.6 = 200,000
    expect(derivedEquity({ ...NO_RATIOS, repaymentYears: 4, cashFlowMargin: 0.08, debtToEquity: 1.6 }, 1_000_000)).toBe(200_000);
    expect(derivedEquity({ ...NO_RATIOS, repaymentYears: 4, cashFlowMargin: 0.08, debtToEquity: 0 }, 1_000_000)).toBeNull();
    expect(derivedEquity({ ...NO_RATIOS, repaymentYears: 4, cashFlowMargin: 0.08, debtToEquity: 1.6 }, null)).toBeNull();
  });
});
