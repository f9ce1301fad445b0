import { readFileSync } from 'node:fs';
import { addDays, daysBetween } from '../clock.js';

/**
 * French late-payment claims, computed from data (never from constants in formulas):
 *
 * - Penalties (Code de commerce L441-10) run from the day after the due date, without any reminder,
 *   on the amount still unpaid each day. The default rate of a half-year is the ECB main
 *   refinancing rate in force on 1 January (first half) or 1 July (second half) plus the margin the law's data file
 *   states (10 points); a contract rate applies instead when one is agreed, but never
 *   below three times the legal interest rate of the half-year: below it, the floor applies and the
 *   period says so. Interest is simple, on a 365-day year, rounded to the cent per period.
 * - The recovery indemnity (D441-5) is fixed per invoice paid late, even partly.
 */

/** One half-year's rates, as stored (basis points: 1 % = 100). */
export interface HalfYearRates {
  periodStart: string;
  ecbRefiRateBp: number;
  legalRateProfessionalBp: number;
  sources: string;
}

interface L441_10Rule {
  penaltyMarginPoints: number;
  contractFloorMultipleOfLegalRate: number;
  inForceFrom: string;
  source: string;
}
const rule = (JSON.parse(readFileSync(new URL('./data/late-payment-law.json', import.meta.url), 'utf8')) as { l441_10: L441_10Rule }).l441_10;

/** The margin over the ECB rate and the multiple of the legal rate that floors a contract rate (L441-10), read from the law's data file with its source. */
export const L441_10 = { marginBp: Math.round(rule.penaltyMarginPoints * 100), contractFloorMultiple: rule.contractFloorMultipleOfLegalRate, inForceFrom: rule.inForceFrom, source: rule.source } as const;

export interface PenaltyPeriod {
  from: string;
  to: string;
  days: number;
  /** The amount unpaid during the period (minor units). */
  base: number;
  rateBp: number;
  basis: 'legal_default' | 'contract' | 'contract_floored';
  /** The half-year whose rates applied, and whether that half-year was missing from the table (the latest earlier one was used). */
  halfYear: string;
  rateAssumed: boolean;
  amount: number;
}

export interface Balance {
  date: string;
  /** Reduction of the amount unpaid on that date (a payment or credit note allocated to the invoice). */
  amount: number;
}

export function halfYearStart(day: string): string {
  const month = Number(day.slice(5, 7));
  return `${day.slice(0, 4)}-${month <= 6 ? '01' : '07'}-01`;
}

function nextHalfYear(start: string): string {
  const year = Number(start.slice(0, 4));
  return start.slice(5, 7) === '01' ? `${year}-07-01` : `${year + 1}-01-01`;
}

/**
 * The rates of the half-year of `day`: that row; else the latest one before it; else (a day before
 * the table begins) its earliest — flagged as assumed, never a day dropped. Null only for an
 * empty table.
 */
export function ratesFor(table: readonly HalfYearRates[], day: string): { rates: HalfYearRates; assumed: boolean } | null {
  const start = halfYearStart(day);
  let best: HalfYearRates | null = null;
  let earliest: HalfYearRates | null = null;
  for (const r of table) {
    if (r.periodStart <= start && (!best || r.periodStart > best.periodStart)) best = r;
    if (!earliest || r.periodStart < earliest.periodStart) earliest = r;
  }
  const found = best ?? earliest;
  return found ? { rates: found, assumed: found.periodStart !== start } : null;
}

/** The rate of a half-year for a contract rate (or the legal default) and how it was reached. */
export function applicableRate(rates: HalfYearRates, contractRateBp: number | null): { rateBp: number; basis: PenaltyPeriod['basis'] } {
  if (contractRateBp === null) return { rateBp: rates.ecbRefiRateBp + L441_10.marginBp, basis: 'legal_default' };
  const floor = rates.legalRateProfessionalBp * L441_10.contractFloorMultiple;
  return contractRateBp >= floor ? { rateBp: contractRateBp, basis: 'contract' } : { rateBp: floor, basis: 'contract_floored' };
}

/**
 * The penalty on one invoice from the day after `dueDate` to `until` (inclusive), given the
 * reductions of its balance by date. Periods split at each half-year and each change of balance.
 */
export function computePenalty(input: {
  amount: number;
  dueDate: string;
  until: string;
  reductions: readonly Balance[];
  table: readonly HalfYearRates[];
  contractRateBp: number | null;
}): { periods: PenaltyPeriod[]; total: number; missingRates: boolean } {
  const first = addDays(input.dueDate, 1);
  const periods: PenaltyPeriod[] = [];
  if (input.until < first) return { periods, total: 0, missingRates: false };
  const reductions = [...input.reductions].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  // The balance at the start of `first`: everything paid on or before the due date is off.
  let balance = input.amount;
  let i = 0;
  while (i < reductions.length && reductions[i]!.date < first) balance -= reductions[i++]!.amount;
  let day = first;
  let missingRates = false;
  while (day <= input.until && balance > 0) {
    // The period ends before the next change: a new half-year, a reduction, or the end.
    let end = addDays(nextHalfYear(halfYearStart(day)), -1);
    if (i < reductions.length && addDays(reductions[i]!.date, -1) < end) end = addDays(reductions[i]!.date, -1);
    if (input.until < end) end = input.until;
    if (end >= day) {
      const found = ratesFor(input.table, day);
      if (!found) {
        missingRates = true;
      } else {
        const { rateBp, basis } = applicableRate(found.rates, input.contractRateBp);
        const days = daysBetween(day, end) + 1;
        // base × rate × days / 365, in integers: basis points over 10 000.
        const amount = Number((BigInt(balance) * BigInt(rateBp) * BigInt(days) * 2n + 3_650_000n) / 7_300_000n);
        periods.push({ from: day, to: end, days, base: balance, rateBp, basis, halfYear: found.rates.periodStart, rateAssumed: found.assumed, amount });
        if (found.assumed) missingRates = true;
      }
    }
    day = addDays(end, 1);
    // Reductions dated on the new day's start take effect from it.
    while (i < reductions.length && reductions[i]!.date <= addDays(day, -1)) balance -= reductions[i++]!.amount;
    while (i < reductions.length && reductions[i]!.date === day) balance -= reductions[i++]!.amount;
  }
  return { periods, total: periods.reduce((s, p) => s + p.amount, 0), missingRates };
}

export interface Indemnity {
  validFrom: string;
  currency: string;
  amount: number;
  source: string;
}

/** The recovery indemnity in force on `day` for an invoice in `currency` (null: none defined for it). */
export function indemnityFor(table: readonly Indemnity[], currency: string, day: string): Indemnity | null {
  let best: Indemnity | null = null;
  for (const r of table) if (r.currency === currency && r.validFrom <= day && (!best || r.validFrom > best.validFrom)) best = r;
  return best;
}
