import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface InvoiceReadRow {
  id: string;
  number: string;
  customer_id: string;
  issue_date: string;
  due_date: string;
  amount: number;
  open_amount: number;
  currency: string;
  order_id: string | null;
  settled_on: string | null;
  due_date_estimated: boolean;
  factor: string | null;
  factored_on: string | null;
  factor_recourse: boolean | null;
  hold_status: string | null;
  hold_amount: number | null;
  allocations: Array<{ kind: 'payment' | 'credit_note'; reference: string; date: string; amount: number; automatic: boolean }>;
}

export interface CreditReadRow {
  id: string;
  kind: 'payment' | 'credit_note';
  reference: string;
  customer_id: string;
  date: string;
  amount: number;
  unapplied: number;
  currency: string;
  allocations: Array<{ invoiceNumber: string; amount: number; automatic: boolean }>;
}

/** Keyset page position: the sort key of the last row returned. */
export interface After {
  day: string;
  key: string;
}

/** Reads of the receivables ledger: keyset pages over indexes, allocations gathered per page. */
export class LedgerReadStore {
  constructor(private readonly db: Kysely<DB>) {}

  async invoices(filter: { customerId?: string; status?: 'open' | 'overdue' | 'paid'; overdueBefore: string; number?: string; after?: After; limit: number }): Promise<InvoiceReadRow[]> {
    const where = [sql`true`];
    if (filter.number !== undefined) where.push(sql`i.number = ${filter.number}`);
    if (filter.customerId) where.push(sql`i.customer_id = ${filter.customerId}`);
    if (filter.status === 'open') where.push(sql`i.open_amount > 0`);
    if (filter.status === 'overdue') where.push(sql`i.open_amount > 0 AND i.due_date < ${filter.overdueBefore}::date`);
    if (filter.status === 'paid') where.push(sql`i.open_amount = 0`);
    if (filter.after) where.push(sql`(i.due_date, i.number) > (${filter.after.day}::date, ${filter.after.key})`);
    const { rows } = await sql<InvoiceReadRow>`
      SELECT i.id, i.number, i.customer_id, i.issue_date, i.due_date, i.amount, i.open_amount, i.currency, i.order_id, i.settled_on, i.due_date_estimated, i.factor, to_char(i.factored_on, 'YYYY-MM-DD') AS factored_on, i.factor_recourse,
             oc.hold_status, oc.hold_amount,
             coalesce((SELECT jsonb_agg(jsonb_build_object('kind', c.kind, 'reference', c.reference, 'date', c.date,
                                                           'amount', a.amount, 'automatic', a.automatic) ORDER BY c.date, c.reference)
                         FROM allocations a JOIN credits c ON c.id = a.credit_id WHERE a.invoice_id = i.id), '[]'::jsonb) AS allocations
        FROM invoices i
        LEFT JOIN order_checks oc ON oc.order_id = i.order_id
       WHERE ${sql.join(where, sql` AND `)}
       ORDER BY i.due_date, i.number
       LIMIT ${filter.limit}`.execute(this.db);
    return rows;
  }

  async credits(filter: { kind: 'payment' | 'credit_note'; customerId?: string; after?: After; limit: number }): Promise<CreditReadRow[]> {
    const where = [sql`c.kind = ${filter.kind}`];
    if (filter.customerId) where.push(sql`c.customer_id = ${filter.customerId}`);
    if (filter.after) where.push(sql`(c.date, c.reference) > (${filter.after.day}::date, ${filter.after.key})`);
    const { rows } = await sql<CreditReadRow>`
      SELECT c.id, c.kind, c.reference, c.customer_id, c.date, c.amount, c.unapplied, c.currency,
             coalesce((SELECT jsonb_agg(jsonb_build_object('invoiceNumber', i.number, 'amount', a.amount, 'automatic', a.automatic) ORDER BY i.due_date, i.number)
                         FROM allocations a JOIN invoices i ON i.id = a.invoice_id WHERE a.credit_id = c.id), '[]'::jsonb) AS allocations
        FROM credits c
       WHERE ${sql.join(where, sql` AND `)}
       ORDER BY c.date, c.reference
       LIMIT ${filter.limit}`.execute(this.db);
    return rows;
  }
}
