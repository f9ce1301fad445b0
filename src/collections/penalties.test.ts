import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, daysBetween } from '../clock.js';
import { applicableRate, computePenalty, halfYearStart, indemnityFor, ratesFor, type HalfYearRates } from './penalties.js';
import { shippedRates } from './late-payment-law.js';

const TABLE: HalfYearRates[] = [
  { periodStart: '2025-01-01', ecbRefiRateBp: 315, legalRateProfessionalBp: 371, sources: 'test' },
  { periodStart: '2025-07-01', ecbRefiRateBp: 215, legalRateProfessionalBp: 276, sources: 'test' },
  { periodStart: '2026-01-01', ecbRefiRateBp: 215, legalRateProfessionalBp: 262, sources: 'test' },
];

/** The table Vigie ships (src/collections/data/late-payment-law.json), as the service reads it. */
const SHIPPED: HalfYearRates[] = shippedRates();

describe('L441-10 penalties on the shipped table, every half-year since 2013, worked out by hand', () => {
  const penalty = (amount: number, dueDate: string, until: string, reductions: Array<{ date: string; amount: number }> = []) =>
    computePenalty({ amount, dueDate, until, reductions, table: SHIPPED, contractRateBp: null });

  it('ships every half-year from H1 2013 to H1 2026, each with its sources', () => {
    const starts = SHIPPED.map((r) => r.periodStart);
    const expected: string[] = [];
    for (let y = 2013; y <= 2026; y++) expected.push(`${y}-01-01`, `${y}-07-01`);
    expect(starts).toEqual(expected.slice(0, -1)); // H2 2026 is not published yet
    for (const r of SHIPPED) expect(r.sources.length).toBeGreaterThan(20);
  });

  it('10,000 € due 2024-11-15, unpaid on 2025-08-20: 179.59 at 14.25 % + 652.10 at 13.15 % + 169.77 at 12.15 % = 1,001.46 €', () => {
    const p = penalty(1_000_000, '2024-11-15', '2025-08-20');
    expect(p.periods.map((x) => [x.from, x.to, x.days, x.rateBp, x.amount])).toEqual([
      ['2024-11-16', '2024-12-31', 46, 1425, 17_959], // 10 000 × 14.25 % × 46 / 365 = 179.589…
      ['2025-01-01', '2025-06-30', 181, 1315, 65_210], // × 13.15 % × 181 / 365 = 652.096…
      ['2025-07-01', '2025-08-20', 51, 1215, 16_977], // × 12.15 % × 51 / 365 = 169.767…
    ]);
    expect(p.total).toBe(100_146);
    expect(p.missingRates).toBe(false);
  });

  it('3,000 € due 2024-05-20, paid 2024-08-10: 48.86 at 14.50 % + 46.85 at 14.25 % = 95.71 €', () => {
    const p = penalty(300_000, '2024-05-20', '2024-12-31', [{ date: '2024-08-10', amount: 300_000 }]);
    expect(p.periods.map((x) => [x.from, x.to, x.days, x.rateBp, x.amount])).toEqual([
      ['2024-05-21', '2024-06-30', 41, 1450, 4_886], // 3 000 × 14.50 % × 41 / 365 = 48.863…
      ['2024-07-01', '2024-08-09', 40, 1425, 4_685], // × 14.25 % × 40 / 365 = 46.849…
    ]);
    expect(p.total).toBe(9_571);
  });

  it('across the 2013–2016 decreases: 5,000 € due 2013-06-10, paid 2014-03-01', () => {
    const p = penalty(500_000, '2013-06-10', '2014-12-31', [{ date: '2014-03-01', amount: 500_000 }]);
    expect(p.periods.map((x) => [x.from, x.to, x.days, x.rateBp, x.amount])).toEqual([
      ['2013-06-11', '2013-06-30', 20, 1075, 2_945], // 5 000 × 10.75 % × 20 / 365 = 29.452…
      ['2013-07-01', '2013-12-31', 184, 1050, 26_466], // × 10.50 % × 184 / 365 = 264.657…
      ['2014-01-01', '2014-02-28', 59, 1025, 8_284], // × 10.25 % × 59 / 365 = 82.842…
    ]);
    expect(p.total).toBe(37_695);
  });

  it('the zero-rate years and the 2022–2023 rises: 2,000 € due 2022-05-31, half paid 2022-12-01, rest on 2023-03-15', () => {
    const p = penalty(200_000, '2022-05-31', '2023-12-31', [
      { date: '2022-12-01', amount: 100_000 },
      { date: '2023-03-15', amount: 100_000 },
    ]);
    expect(p.periods.map((x) => [x.from, x.to, x.days, x.base, x.rateBp, x.amount])).toEqual([
      ['2022-06-01', '2022-06-30', 30, 200_000, 1000, 1_644], // 2 000 × 10.00 % × 30 / 365 = 16.438…
      ['2022-07-01', '2022-11-30', 153, 200_000, 1000, 8_384], // 10.00 % (the ECB rose on 27 July, after 1 July) × 153 / 365 = 83.835…
      ['2022-12-01', '2022-12-31', 31, 100_000, 1000, 849], // 1 000 × 10.00 % × 31 / 365 = 8.493…
      ['2023-01-01', '2023-03-14', 73, 100_000, 1250, 2_500], // 1 000 × 12.50 % × 73 / 365 = 25.00
    ]);
    expect(p.total).toBe(13_377);
  });

  it('a day before the table, or in a half-year not yet published, is counted at the nearest known rate and marked', () => {
    const before = penalty(100_000, '2012-12-20', '2013-01-10');
    expect(before.periods.map((x) => [x.from, x.to, x.rateBp, x.rateAssumed])).toEqual([
      ['2012-12-21', '2012-12-31', 1075, true],
      ['2013-01-01', '2013-01-10', 1075, false],
    ]);
    expect(before.missingRates).toBe(true);
    const after = penalty(100_000, '2026-06-20', '2026-07-10');
    expect(after.periods.map((x) => [x.days, x.rateBp, x.rateAssumed])).toEqual([
      [10, 1215, false],
      [10, 1215, true],
    ]);
  });
});

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
    // Before the table begins: its earliest row, flagged too — a day is never dropped.
    expect(ratesFor(TABLE, '2024-12-31')).toMatchObject({ rates: { periodStart: '2025-01-01' }, assumed: true });
    expect(ratesFor([], '2024-12-31')).toBeNull();
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
