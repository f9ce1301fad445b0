import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween } from '../clock.js';
import { applicableRate, computePenalty, halfYearStart, indemnityFor, ratesFor, type HalfYearRates } from './penalties.js';

const TABLE: HalfYearRates[] = [
  { periodStart: '2025-01-01', ecbRefiRateBp: 315, legalRateProfessionalBp: 371, sources: 'test' },
  { periodStart: '2025-07-01', ecbRefiRateBp: 215, legalRateProfessionalBp: 276, sources: 'test' },
  { periodStart: '2026-01-01', ecbRefiRateBp: 215, legalRateProfessionalBp: 262, sources: 'test' },
];

describe('L441-10 penalties', () => {
  it('splits at the half-year: 15 days at 13.15 % then 20 days at 12.15 %', () => {
    const p = computePenalty({ amount: 1_000_000, dueDate: '2025-06-15', until: '2025-07-20', reductions: [], table: TABLE, contractRateBp: null });
    expect(p.periods.map((x) => [x.from, x.to, x.days, x.base, x.rateBp, x.amount])).toEqual([
      ['2025-06-16', '2025-06-30', 15, 1_000_000, 1315, 5404], // 10 000 € × 13.15 % × 15 / 365 = 54.04 €
      ['2025-07-01', '2025-07-20', 20, 1_000_000, 1215, 6658], // × 12.15 % × 20 / 365 = 66.575… → 66.58 €
    ]);
    expect(p.total).toBe(12_062);
  });

  it('runs on what is unpaid each day: a partial payment lowers the base from its date', () => {
    const p = computePenalty({ amount: 1_000_000, dueDate: '2025-06-15', until: '2025-07-20', reductions: [{ date: '2025-07-10', amount: 400_000 }], table: TABLE, contractRateBp: null });
    expect(p.periods.map((x) => [x.from, x.to, x.base, x.amount])).toEqual([
      ['2025-06-16', '2025-06-30', 1_000_000, 5404],
      ['2025-07-01', '2025-07-09', 1_000_000, 2996],
      ['2025-07-10', '2025-07-20', 600_000, 2197],
    ]);
  });

  it('nothing before the day after the due date, nothing once paid', () => {
    expect(computePenalty({ amount: 100, dueDate: '2025-06-15', until: '2025-06-15', reductions: [], table: TABLE, contractRateBp: null }).total).toBe(0);
    const paid = computePenalty({ amount: 1_000_000, dueDate: '2025-06-15', until: '2025-12-31', reductions: [{ date: '2025-06-20', amount: 1_000_000 }], table: TABLE, contractRateBp: null });
    expect(paid.periods).toHaveLength(1);
    expect(paid.periods[0]).toMatchObject({ from: '2025-06-16', to: '2025-06-19', days: 4 });
  });

  it('a contract rate below 3 × the legal interest rate is floored, and says so', () => {
    // 9 %: above the H2 2025 floor (3 × 2.76 = 8.28 %), below the H1 2025 floor (3 × 3.71 = 11.13 %).
    expect(applicableRate(TABLE[0]!, 900)).toEqual({ rateBp: 1113, basis: 'contract_floored' });
    expect(applicableRate(TABLE[1]!, 900)).toEqual({ rateBp: 900, basis: 'contract' });
    const p = computePenalty({ amount: 1_000_000, dueDate: '2025-06-15', until: '2025-07-20', reductions: [], table: TABLE, contractRateBp: 900 });
    expect(p.periods.map((x) => [x.rateBp, x.basis])).toEqual([
      [1113, 'contract_floored'],
      [900, 'contract'],
    ]);
  });

  it('a half-year missing from the table uses the latest earlier one, flagged', () => {
    expect(ratesFor(TABLE, '2026-09-01')).toMatchObject({ rates: { periodStart: '2026-01-01' }, assumed: true });
    expect(ratesFor(TABLE, '2024-12-31')).toBeNull();
    const p = computePenalty({ amount: 100_000, dueDate: '2026-06-20', until: '2026-07-10', reductions: [], table: TABLE, contractRateBp: null });
    expect(p.missingRates).toBe(true);
    expect(p.periods.map((x) => x.rateAssumed)).toEqual([false, true]);
  });

  it('equals the day-by-day sum of balance × rate / 365 (to a cent per period)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000_000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 0, max: 400 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 450 }), fc.integer({ min: 1, max: 50_000_000 })), { maxLength: 4 }),
        (amount, dueOffset, length, pays) => {
          const dueDate = addDays('2025-01-01', dueOffset);
          const until = addDays(dueDate, length);
          const reductions = pays.map(([d, a]) => ({ date: addDays(dueDate, d), amount: a }));
          const p = computePenalty({ amount, dueDate, until, reductions, table: TABLE, contractRateBp: null });
          let exact = 0;
          for (let day = addDays(dueDate, 1); day <= until; day = addDays(day, 1)) {
            const balance = amount - reductions.filter((r) => r.date <= day).reduce((s, r) => s + r.amount, 0);
            if (balance <= 0) break;
            const rate = ratesFor(TABLE, day)!.rates.ecbRefiRateBp + 1000;
            exact += (balance * rate) / 3_650_000;
          }
          expect(Math.abs(p.total - exact)).toBeLessThanOrEqual(p.periods.length * 0.5 + 1e-6);
          expect(p.periods.reduce((s, x) => s + x.days, 0)).toBeLessThanOrEqual(Math.max(0, daysBetween(dueDate, until)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('half-years start on 1 January and 1 July', () => {
    expect(halfYearStart('2025-06-30')).toBe('2025-06-01'.slice(0, 5) + '01-01');
    expect(halfYearStart('2025-07-01')).toBe('2025-07-01');
  });
});

describe('D441-5 indemnity', () => {
  it('is the amount in force for the currency on the due date', () => {
    const table = [{ validFrom: '2013-01-01', currency: 'EUR', amount: 4000, source: 'D441-5' }];
    expect(indemnityFor(table, 'EUR', '2026-01-01')?.amount).toBe(4000);
    expect(indemnityFor(table, 'EUR', '2012-12-31')).toBeNull();
    expect(indemnityFor(table, 'USD', '2026-01-01')).toBeNull();
  });
});
