import { sql, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

type Trx = Transaction<DB>;

export interface InvoiceRow {
  number: string;
  customerId: string;
  issueDate: string;
  dueDate: string;
  amount: number;
  currency: string;
  orderId: string | null;
  /** The due date was derived from the customer's terms (an import that did not carry it: FEC). */
  dueDateEstimated: boolean;
}

export interface CreditRow {
  kind: 'payment' | 'credit_note';
  reference: string;
  customerId: string;
  date: string;
  amount: number;
  currency: string;
}

export interface Upserted {
  created: number;
  updated: number;
}

/** INSERT of a batch of invoices from one array per column (the open amount starts at the amount). */
const insertInvoices = (rows: InvoiceRow[]) => sql`
  INSERT INTO invoices (number, customer_id, issue_date, due_date, amount, currency, order_id, open_amount, due_date_estimated)
  SELECT n, c, i, d, a, cur, o, a, e
    FROM unnest(${rows.map((r) => r.number)}::text[], ${rows.map((r) => r.customerId)}::uuid[],
                ${rows.map((r) => r.issueDate)}::date[], ${rows.map((r) => r.dueDate)}::date[],
                ${rows.map((r) => r.amount)}::bigint[], ${rows.map((r) => r.currency)}::text[],
                ${rows.map((r) => r.orderId)}::text[], ${rows.map((r) => r.dueDateEstimated)}::boolean[]) AS t(n, c, i, d, a, cur, o, e)`;

/** Set-based ledger writes: one statement per step for a whole batch, never a loop of single rows. */
export class LedgerStore {
  /**
   * Keeps an import's document keys in a temporary table of its transaction (dropped at commit or
   * rollback) and returns those already there, with where they were first seen.
   */
  async rememberImportKeys(keys: string[], ats: string[], trx: Trx): Promise<Array<{ key: string; at: string }>> {
    await sql`CREATE TEMP TABLE IF NOT EXISTS ledger_import_keys (key text PRIMARY KEY, at text NOT NULL) ON COMMIT DROP`.execute(trx);
    const { rows } = await sql<{ key: string; at: string }>`
      WITH input AS (SELECT * FROM unnest(${keys}::text[], ${ats}::text[]) AS i(key, at)),
           added AS (INSERT INTO ledger_import_keys (key, at) SELECT key, at FROM input ON CONFLICT (key) DO NOTHING RETURNING key)
      SELECT i.key, k.at FROM input i JOIN ledger_import_keys k ON k.key = i.key
       WHERE NOT EXISTS (SELECT 1 FROM added a WHERE a.key = i.key)`.execute(trx);
    return rows;
  }

  async existingInvoices(numbers: string[], trx: Trx) {
    const { rows } = await sql<{ number: string; id: string; customer_id: string; settled: number; open_amount: number }>`
      SELECT number, id, customer_id, (amount - open_amount)::bigint AS settled, open_amount
        FROM invoices WHERE number = ANY(${numbers}::text[])`.execute(trx);
    return rows;
  }

  /**
   * Inserts the invoices whose number is new and returns those numbers; the others (already in
   * the ledger, or being written by a transaction that commits first) are left for upsertInvoices
   * after their checks. A first import of new documents then costs one statement per chunk, with
   * no lookup of a million numbers beforehand.
   */
  async insertNewInvoices(rows: InvoiceRow[], trx: Trx): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const { rows: out } = await sql<{ number: string }>`
      ${insertInvoices(rows)}
      ON CONFLICT (number) DO NOTHING
      RETURNING number`.execute(trx);
    return new Set(out.map((r) => r.number));
  }

  async upsertInvoices(rows: InvoiceRow[], trx: Trx): Promise<Upserted> {
    if (rows.length === 0) return { created: 0, updated: 0 };
    const { rows: out } = await sql<{ inserted: boolean }>`
      ${insertInvoices(rows)}
      ON CONFLICT (number) DO UPDATE SET
        issue_date = EXCLUDED.issue_date,
        due_date = EXCLUDED.due_date,
        amount = EXCLUDED.amount,
        currency = EXCLUDED.currency,
        order_id = EXCLUDED.order_id,
        due_date_estimated = EXCLUDED.due_date_estimated,
        -- what payments and credit notes already settled stays settled
        open_amount = EXCLUDED.amount - (invoices.amount - invoices.open_amount),
        settled_on = CASE WHEN EXCLUDED.amount = invoices.amount - invoices.open_amount THEN invoices.settled_on END,
        updated_at = now()
      WHERE (invoices.issue_date, invoices.due_date, invoices.amount, invoices.currency, invoices.order_id, invoices.due_date_estimated)
            IS DISTINCT FROM (EXCLUDED.issue_date, EXCLUDED.due_date, EXCLUDED.amount, EXCLUDED.currency, EXCLUDED.order_id, EXCLUDED.due_date_estimated)
      RETURNING (xmax = 0) AS inserted`.execute(trx);
    const created = out.filter((r) => r.inserted).length;
    return { created, updated: out.length - created };
  }

  /**
   * A hold shrinks by what has been invoiced for its order, and is consumed when fully invoiced:
   * the amount moves from holds to receivables and is never counted twice.
   */
  async consumeHolds(orderIds: string[], trx: Trx): Promise<number> {
    if (orderIds.length === 0) return 0;
    const { rows } = await sql<{ order_id: string }>`
      UPDATE order_checks oc SET
        hold_amount = greatest(0, oc.amount - s.invoiced),
        hold_status = CASE WHEN oc.amount - s.invoiced <= 0 THEN 'consumed' ELSE 'active' END,
        updated_at = now()
      FROM (SELECT order_id, customer_id, sum(amount) AS invoiced FROM invoices
             WHERE order_id = ANY(${orderIds}::text[]) GROUP BY order_id, customer_id) s
      WHERE oc.order_id = s.order_id AND oc.customer_id = s.customer_id AND oc.hold_status = 'active'
        AND oc.hold_amount IS DISTINCT FROM greatest(0, oc.amount - s.invoiced)
      RETURNING oc.order_id`.execute(trx);
    return rows.length;
  }

  async existingCredits(keys: Array<{ kind: string; reference: string }>, trx: Trx) {
    if (keys.length === 0) return [];
    const { rows } = await sql<{ id: string; kind: 'payment' | 'credit_note'; reference: string; customer_id: string }>`
      SELECT c.id, c.kind, c.reference, c.customer_id FROM credits c
        JOIN unnest(${keys.map((k) => k.kind)}::text[], ${keys.map((k) => k.reference)}::text[]) AS k(kind, reference)
          ON c.kind = k.kind AND c.reference = k.reference`.execute(trx);
    return rows;
  }

  /** What a credit is, with what it settles: equal before and after a re-send means it did not change. */
  async creditSignatures(ids: readonly string[], trx: Trx): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const { rows } = await sql<{ id: string; sig: string }>`
      SELECT c.id, c.customer_id || '|' || c.date || '|' || c.amount || '|' || c.currency || '|' ||
             coalesce((SELECT string_agg(a.invoice_id || ':' || a.amount, ',' ORDER BY a.invoice_id, a.amount) FROM allocations a WHERE a.credit_id = c.id), '') AS sig
        FROM credits c WHERE c.id = ANY (${[...ids]}::uuid[])`.execute(trx);
    return new Map(rows.map((r) => [r.id, r.sig]));
  }

  /** Undoes the allocations of credits being re-sent, reopening what they settled. Returns the invoices touched. */
  async reverseAllocations(creditIds: string[], trx: Trx): Promise<string[]> {
    if (creditIds.length === 0) return [];
    const { rows } = await sql<{ id: string }>`
      WITH d AS (DELETE FROM allocations WHERE credit_id = ANY(${creditIds}::uuid[]) RETURNING invoice_id, amount)
      UPDATE invoices i SET open_amount = i.open_amount + s.amt, settled_on = NULL, updated_at = now()
        FROM (SELECT invoice_id, sum(amount) AS amt FROM d GROUP BY invoice_id) s
       WHERE i.id = s.invoice_id
      RETURNING i.id`.execute(trx);
    return rows.map((r) => r.id);
  }

  /** Inserts or replaces credits; a re-sent one starts again fully unapplied (its allocations were reversed). */
  async upsertCredits(rows: CreditRow[], trx: Trx): Promise<Array<{ id: string; kind: string; reference: string; inserted: boolean }>> {
    if (rows.length === 0) return [];
    const { rows: out } = await sql<{ id: string; kind: string; reference: string; inserted: boolean }>`
      INSERT INTO credits (kind, reference, customer_id, date, amount, currency, unapplied)
      SELECT k, r, c, d, a, cur, a
        FROM unnest(${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.reference)}::text[],
                    ${rows.map((r) => r.customerId)}::uuid[], ${rows.map((r) => r.date)}::date[],
                    ${rows.map((r) => r.amount)}::bigint[], ${rows.map((r) => r.currency)}::text[]) AS t(k, r, c, d, a, cur)
      ON CONFLICT (kind, reference) DO UPDATE SET
        date = EXCLUDED.date, amount = EXCLUDED.amount, currency = EXCLUDED.currency,
        unapplied = EXCLUDED.amount, updated_at = now()
      RETURNING id, kind, reference, (xmax = 0) AS inserted`.execute(trx);
    return out;
  }

  async openInvoicesByNumber(numbers: string[], trx: Trx) {
    if (numbers.length === 0) return [];
    const { rows } = await sql<{ id: string; number: string; customer_id: string; open_amount: number }>`
      SELECT id, number, customer_id, open_amount FROM invoices WHERE number = ANY(${numbers}::text[])`.execute(trx);
    return rows;
  }

  /** Explicit allocations (already validated against open amounts). */
  async allocate(items: Array<{ creditId: string; invoiceId: string; amount: number }>, trx: Trx): Promise<void> {
    if (items.length === 0) return;
    await sql`
      WITH x AS (
        SELECT * FROM unnest(${items.map((i) => i.creditId)}::uuid[], ${items.map((i) => i.invoiceId)}::uuid[],
                             ${items.map((i) => i.amount)}::bigint[]) AS x(credit_id, invoice_id, amount)
      ), ins AS (
        INSERT INTO allocations (credit_id, invoice_id, amount, automatic)
        SELECT credit_id, invoice_id, amount, false FROM x
      ), ui AS (
        UPDATE invoices SET open_amount = invoices.open_amount - s.amt, updated_at = now()
          FROM (SELECT invoice_id, sum(amount) AS amt FROM x GROUP BY invoice_id) s WHERE invoices.id = s.invoice_id
      )
      UPDATE credits SET unapplied = credits.unapplied - s.amt, updated_at = now()
        FROM (SELECT credit_id, sum(amount) AS amt FROM x GROUP BY credit_id) s WHERE credits.id = s.credit_id`.execute(trx);
  }

  /**
   * Applies each customer's unapplied payments and credit notes to its open invoices, oldest credit
   * to oldest due invoice, by overlapping running totals (one statement for any number of customers).
   */
  async autoAllocate(customerIds: string[], trx: Trx): Promise<{ allocations: number; invoiceIds: string[] }> {
    if (customerIds.length === 0) return { allocations: 0, invoiceIds: [] };
    // Most chunks of an import name customers with nothing unapplied: one probe of the partial
    // index says so, instead of planning the allocation below for thousands of customers.
    const { rows: withCredit } = await sql<{ customer_id: string }>`
      SELECT DISTINCT customer_id FROM credits WHERE customer_id = ANY(${customerIds}::uuid[]) AND unapplied > 0`.execute(trx);
    if (withCredit.length === 0) return { allocations: 0, invoiceIds: [] };
    const withUnapplied = withCredit.map((r) => r.customer_id);
    const { rows } = await sql<{ invoice_id: string }>`
      WITH c AS (
        SELECT id, customer_id, unapplied,
               sum(unapplied) OVER (PARTITION BY customer_id ORDER BY date, created_at, id ROWS UNBOUNDED PRECEDING) AS c_end
          FROM credits WHERE customer_id = ANY(${withUnapplied}::uuid[]) AND unapplied > 0
      ), i AS (
        SELECT id, customer_id, open_amount,
               sum(open_amount) OVER (PARTITION BY customer_id ORDER BY due_date, issue_date, number ROWS UNBOUNDED PRECEDING) AS i_end
          FROM invoices WHERE customer_id IN (SELECT customer_id FROM c) AND open_amount > 0
      ), m AS (
        SELECT c.id AS credit_id, i.id AS invoice_id,
               least(c.c_end, i.i_end) - greatest(c.c_end - c.unapplied, i.i_end - i.open_amount) AS amount
          FROM c JOIN i ON i.customer_id = c.customer_id
         WHERE i.i_end - i.open_amount < c.c_end AND c.c_end - c.unapplied < i.i_end
      ), ins AS (
        INSERT INTO allocations (credit_id, invoice_id, amount, automatic)
        SELECT credit_id, invoice_id, amount, true FROM m WHERE amount > 0
        ON CONFLICT (credit_id, invoice_id) DO UPDATE SET amount = allocations.amount + EXCLUDED.amount
      ), ui AS (
        UPDATE invoices SET open_amount = invoices.open_amount - s.amt, updated_at = now()
          FROM (SELECT invoice_id, sum(amount) AS amt FROM m WHERE amount > 0 GROUP BY invoice_id) s WHERE invoices.id = s.invoice_id
      ), uc AS (
        UPDATE credits SET unapplied = credits.unapplied - s.amt, updated_at = now()
          FROM (SELECT credit_id, sum(amount) AS amt FROM m WHERE amount > 0 GROUP BY credit_id) s WHERE credits.id = s.credit_id
      )
      SELECT invoice_id FROM m WHERE amount > 0`.execute(trx);
    return { allocations: rows.length, invoiceIds: rows.map((r) => r.invoice_id) };
  }

  /** An invoice settled in full is dated by the latest credit that settled it (for days beyond terms). */
  async refreshSettlement(invoiceIds: string[], trx: Trx): Promise<void> {
    if (invoiceIds.length === 0) return;
    await sql`
      UPDATE invoices i SET settled_on = CASE WHEN i.open_amount = 0 THEN
          (SELECT max(c.date) FROM allocations a JOIN credits c ON c.id = a.credit_id WHERE a.invoice_id = i.id) END
       WHERE i.id = ANY(${[...new Set(invoiceIds)]}::uuid[])`.execute(trx);
  }

  async customersByRefs(ids: string[], externalIds: string[], trx: Trx) {
    // Two index lookups: "id = ANY(…) OR external_id = ANY(…)" would scan the whole table.
    const { rows } = await sql<{ id: string; external_id: string; currency: string }>`
      SELECT id, external_id, currency FROM customers WHERE id = ANY(${ids}::uuid[])
      UNION
      SELECT id, external_id, currency FROM customers WHERE external_id = ANY(${externalIds}::text[])`.execute(trx);
    return rows;
  }
}
