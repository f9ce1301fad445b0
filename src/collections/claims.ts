import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { computePenalty, indemnityFor, type Balance, type HalfYearRates, type Indemnity, type PenaltyPeriod } from './penalties.js';

/** What the late-payment law adds to one invoice at a date: penalties by period and the indemnity. */
export interface InvoiceClaim {
  penalty: { total: number; periods: PenaltyPeriod[]; waived: Waiver | null; missingRates: boolean };
  indemnity: { amount: number; source: string | null; waived: Waiver | null };
}

export interface Waiver {
  reason: string;
  by: string;
  at: string;
}

export interface ClaimInvoice {
  id: string;
  amount: number;
  dueDate: string;
  currency: string;
  /** When it was fully settled, if it was (null: still open at the date). */
  settledOn: string | null;
}

/** The reductions (payments, credit notes) of these invoices up to `asOf`, by date, and their waivers. */
export async function loadReductions(db: Kysely<DB>, invoiceIds: readonly string[], asOf: string) {
  const reductions = new Map<string, Balance[]>();
  const waivers = new Map<string, { penalties: boolean; indemnity: boolean; waiver: Waiver }>();
  if (invoiceIds.length === 0) return { reductions, waivers };
  const ids = [...invoiceIds];
  const [red, wv] = await Promise.all([
    sql<{ invoice_id: string; date: string; amount: number }>`
      SELECT a.invoice_id, c.date, sum(a.amount)::bigint AS amount
        FROM allocations a JOIN credits c ON c.id = a.credit_id
       WHERE a.invoice_id = ANY (${ids}::uuid[]) AND c.date <= ${asOf}::date
       GROUP BY a.invoice_id, c.date`.execute(db),
    db.selectFrom('penalty_waivers').selectAll().where('invoice_id', 'in', ids).execute(),
  ]);
  for (const r of red.rows) {
    const list = reductions.get(r.invoice_id) ?? [];
    list.push({ date: r.date, amount: Number(r.amount) });
    reductions.set(r.invoice_id, list);
  }
  for (const w of wv) waivers.set(w.invoice_id, { penalties: w.penalties, indemnity: w.indemnity, waiver: { reason: w.reason, by: w.waived_by, at: new Date(w.waived_at).toISOString() } });
  return { reductions, waivers };
}

/**
 * The claim on one invoice at `asOf`: penalties accrue from the day after the due date on what is
 * unpaid each day (to the settlement date, or `asOf`); the indemnity is due once the invoice is
 * late (paid after its due date, even partly, or still unpaid after it). A waiver keeps the
 * computed figure visible and sets what is claimed to 0.
 */
export function claimFor(
  inv: ClaimInvoice,
  asOf: string,
  tables: { rates: readonly HalfYearRates[]; indemnities: readonly Indemnity[] },
  contractRateBp: number | null,
  reductions: readonly Balance[],
  waiver: { penalties: boolean; indemnity: boolean; waiver: Waiver } | undefined,
): InvoiceClaim {
  const until = inv.settledOn && inv.settledOn < asOf ? inv.settledOn : asOf;
  const p = computePenalty({ amount: inv.amount, dueDate: inv.dueDate, until, reductions, table: tables.rates, contractRateBp });
  const late = until > inv.dueDate && (p.periods.length > 0 || p.missingRates);
  const ind = late ? indemnityFor(tables.indemnities, inv.currency, inv.dueDate) : null;
  const penaltyWaived = waiver?.penalties ? waiver.waiver : null;
  const indemnityWaived = waiver?.indemnity ? waiver.waiver : null;
  return {
    penalty: { total: penaltyWaived ? 0 : p.total, periods: p.periods, waived: penaltyWaived, missingRates: p.missingRates },
    indemnity: { amount: ind && !indemnityWaived ? ind.amount : 0, source: ind?.source ?? null, waived: indemnityWaived },
  };
}
