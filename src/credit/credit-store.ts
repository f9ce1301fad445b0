import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { CreditAccountsTable, DB } from '../db/schema.js';

export type Executor = Kysely<DB> | Transaction<DB>;
export type CreditAccountRow = Selectable<CreditAccountsTable>;

/**
 * A customer's credit position as vigie_credit_position() and vigie_credit_reasons() state it
 * (migration 20261203001000, the one home of these rules), with the account fields beside it.
 */
export interface PositionRow {
  customer_id: string;
  currency: string;
  credit_limit: number | null;
  limit_review_date: string | null;
  risk_grade: CreditAccountRow['risk_grade'];
  manual_block: boolean;
  auto_block: boolean;
  auto_block_reasons: string[];
  /** Set when collections reached the step that blocks orders ({ step, since, invoices }). */
  collections_block: { step: string; since: string; invoices: string[] } | null;
  /** Open invoice amounts not yet overdue (within terms or grace). */
  open_current: number;
  /** Open invoice amounts due before today minus the grace days. */
  overdue: number;
  oldest_overdue: string | null;
  /** Payments and credit notes not matched to an invoice (they lower exposure). */
  unapplied: number;
  /** Active, unexpired order holds. */
  held: number;
  /** Open invoices assigned to a factor with recourse (the risk comes back to us): in the total. */
  factored: number;
  /** Open invoices assigned to a factor without recourse: outside the exposure, shown apart. */
  factored_without_recourse: number;
  total: number;
  /** The credit-insurance cover on the account (null: uninsured) and what it takes off the exposure. */
  insured_limit: number | null;
  insured_coverage_bp: number | null;
  insured: number;
  net_total: number;
  limit_amount: number;
  limit_source: 'explicit' | 'policy_default';
  available: number;
  available_net: number;
  /** The exposure the order rules compare with the limit: gross, or net for an insured customer when the policy says so. */
  basis: 'gross' | 'net';
  /** What the rules say of a new order today (an order of 0: the rules that already fail). */
  reasons: string[];
  decision: 'approved' | 'review' | 'blocked';
}

export interface LedgerFigures {
  daysBeyondTerms: number | null;
  recentDaysBeyondTerms: number | null;
  earlierDaysBeyondTerms: number | null;
  overdueAmount: number;
  openAmount: number;
  invoicedLast12Months: number;
}

export interface AgingBuckets {
  notDue: number;
  days1to30: number;
  days31to60: number;
  days61to90: number;
  over90: number;
}

export class CreditStore {
  constructor(private readonly db: Kysely<DB>) {}

  async createAccount(customerId: string, currency: string, trx: Executor = this.db): Promise<void> {
    await trx.insertInto('credit_accounts').values({ customer_id: customerId, currency }).onConflict((oc) => oc.doNothing()).execute();
  }

  find(customerId: string, trx: Executor = this.db): Promise<CreditAccountRow | undefined> {
    return trx.selectFrom('credit_accounts').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
  }

  /** Locks the account row: every transaction that moves a customer's money takes this lock first. */
  lock(customerId: string, trx: Transaction<DB>): Promise<CreditAccountRow | undefined> {
    return trx.selectFrom('credit_accounts').selectAll().where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
  }

  /** Locks several accounts in a fixed order (no deadlock between two batches). */
  async lockMany(customerIds: readonly string[], trx: Transaction<DB>): Promise<void> {
    if (customerIds.length === 0) return;
    await sql`SELECT 1 FROM credit_accounts WHERE customer_id = ANY(${[...customerIds]}::uuid[]) ORDER BY customer_id FOR UPDATE`.execute(trx);
  }

  async update(customerId: string, patch: Partial<Omit<CreditAccountRow, 'customer_id' | 'auto_block_reasons' | 'collections_block' | 'prepayment_only'>>, trx: Executor = this.db): Promise<CreditAccountRow> {
    return trx
      .updateTable('credit_accounts')
      .set({ ...patch, updated_at: new Date() })
      .where('customer_id', '=', customerId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /**
   * Positions in one round trip, for these customers or (null) the whole portfolio.
   * `overdueBefore` is today minus the grace days: an invoice due before it is overdue. Inside a
   * transaction after lock(), it reads a consistent, current picture.
   */
  async positions(customerIds: readonly string[] | null, rule: { defaultLimit: number; overdueBefore: string; now: Date; exposureBasis: 'gross' | 'net' }, trx: Executor = this.db): Promise<PositionRow[]> {
    const { rows } = await sql<PositionRow>`
      SELECT ca.customer_id, ca.currency, ca.credit_limit, to_char(ca.limit_review_date, 'YYYY-MM-DD') AS limit_review_date, ca.risk_grade,
             ca.manual_block, ca.auto_block, ca.auto_block_reasons, ca.collections_block, ca.insured_limit, ca.insured_coverage_bp,
             p.open_current, p.overdue, to_char(p.oldest_overdue, 'YYYY-MM-DD') AS oldest_overdue, p.unapplied, p.held, p.factored,
             p.factored_without_recourse, p.total, p.insured, p.net_total, p.limit_amount, p.limit_source, p.available, p.available_net,
             b.basis, r.reasons, vigie_credit_decision(r.reasons) AS decision
        FROM credit_accounts ca
       CROSS JOIN LATERAL vigie_credit_position(ca.customer_id, ca.credit_limit, ${rule.defaultLimit}::bigint, ${rule.overdueBefore}::date, ${rule.now}::timestamptz,
                                                ca.insured_limit, ca.insured_coverage_bp) p
       CROSS JOIN LATERAL (SELECT CASE WHEN ca.insured_limit IS NOT NULL AND ${rule.exposureBasis}::text = 'net' THEN 'net' ELSE 'gross' END AS basis) b
       CROSS JOIN LATERAL (SELECT vigie_credit_reasons(ca.risk_grade, ca.manual_block, ca.collections_block IS NOT NULL, p.overdue,
                                                       CASE WHEN b.basis = 'net' THEN p.net_total ELSE p.total END, 0, p.limit_amount, p.limit_source) AS reasons) r
       ${customerIds ? sql`WHERE ca.customer_id = ANY (${[...customerIds]}::uuid[])` : sql``}`.execute(trx);
    return rows;
  }

  /**
   * Brings the portfolio's sort keys (portfolio_positions) back to vigie_credit_position() for every
   * customer: triggers note the customers written to and pages refresh those; this catches a key a
   * write raced by another transaction on the same customer left behind. Returns how many were off.
   */
  async resyncPortfolioPositions(): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT vigie_refresh_portfolio_positions(ARRAY(SELECT id FROM customers)) AS n`.execute(this.db);
    return rows[0]?.n ?? 0;
  }

  /** Refreshes the portfolio sort keys of the customers written to since the last refresh (see the migration 20261207002100). */
  async refreshStalePortfolioPositions(): Promise<number> {
    const { rows } = await sql<{ n: number }>`SELECT vigie_refresh_stale_portfolio_positions() AS n`.execute(this.db);
    return rows[0]?.n ?? 0;
  }

  /** Sets the grade orders are checked against, with the assessment that set it. */
  async setGrades(changes: Array<{ customerId: string; grade: string; assessmentId: string }>, at: Date, trx: Executor = this.db): Promise<void> {
    if (changes.length === 0) return;
    await sql`
      UPDATE credit_accounts a SET risk_grade = v.grade, risk_grade_at = ${at}, risk_assessment_id = v.assessment, updated_at = ${at}
        FROM jsonb_to_recordset(${JSON.stringify(changes.map((c) => ({ id: c.customerId, grade: c.grade, assessment: c.assessmentId })))}::jsonb)
             AS v(id uuid, grade text, assessment uuid)
       WHERE a.customer_id = v.id`.execute(trx);
  }

  async aging(customerId: string, today: string): Promise<AgingBuckets> {
    const { rows } = await sql<{ b0: number; b1: number; b2: number; b3: number; b4: number }>`
      SELECT
        coalesce(sum(open_amount) FILTER (WHERE ${today}::date - due_date <= 0), 0)::bigint AS b0,
        coalesce(sum(open_amount) FILTER (WHERE ${today}::date - due_date BETWEEN 1 AND 30), 0)::bigint AS b1,
        coalesce(sum(open_amount) FILTER (WHERE ${today}::date - due_date BETWEEN 31 AND 60), 0)::bigint AS b2,
        coalesce(sum(open_amount) FILTER (WHERE ${today}::date - due_date BETWEEN 61 AND 90), 0)::bigint AS b3,
        coalesce(sum(open_amount) FILTER (WHERE ${today}::date - due_date > 90), 0)::bigint AS b4
      FROM invoices WHERE customer_id = ${customerId} AND open_amount > 0`.execute(this.db);
    const r = rows[0]!;
    return { notDue: r.b0, days1to30: r.b1, days31to60: r.b2, days61to90: r.b3, over90: r.b4 };
  }

  /**
   * Payment observations of the 12 months up to a day: invoices settled in that window (settlement
   * date minus due date), and invoices open that day and already past due (that day minus due
   * date, so far).
   */
  async paymentObservations(customerId: string, today: string): Promise<Array<{ weight: number; daysBeyondTerms: number }>> {
    return (await this.paymentObservationsAsOf(customerId, [today])).get(today) ?? [];
  }

  /**
   * The same observations as they stood at each of several days, read from the ledger as it is
   * now: an invoice settled after a day was open on it (weighing its amount; one still open weighs
   * what is open now).
   */
  async paymentObservationsAsOf(customerId: string, days: readonly string[]): Promise<Map<string, Array<{ weight: number; daysBeyondTerms: number }>>> {
    const { rows } = await sql<{ as_of: string; weight: number; dbt: number }>`
      SELECT to_char(d.as_of, 'YYYY-MM-DD') AS as_of, o.weight, o.dbt
        FROM unnest(${[...days]}::date[]) AS d(as_of)
       CROSS JOIN LATERAL (
         SELECT amount::bigint AS weight, (settled_on - due_date) AS dbt
           FROM invoices
          WHERE customer_id = ${customerId} AND settled_on IS NOT NULL AND open_amount = 0
            AND settled_on <= d.as_of AND settled_on > d.as_of - 365
         UNION ALL
         SELECT (CASE WHEN open_amount > 0 THEN open_amount ELSE amount END)::bigint, (d.as_of - due_date)
           FROM invoices
          WHERE customer_id = ${customerId} AND due_date < d.as_of AND issue_date <= d.as_of
            AND (open_amount > 0 OR settled_on > d.as_of)) o`.execute(this.db);
    const out = new Map(days.map((d) => [d, [] as Array<{ weight: number; daysBeyondTerms: number }>]));
    for (const r of rows) out.get(r.as_of)?.push({ weight: Number(r.weight), daysBeyondTerms: r.dbt });
    return out;
  }

  /**
   * Customers as payers, for scoring, in one round trip: amount-weighted days beyond terms over
   * 12 months, the last 3 months and the 9 before (an open invoice past due counts as paid today,
   * so far), what is overdue beyond the grace days, what is open, and what was invoiced over 12 months.
   */
  async ledgerBehaviour(customerIds: readonly string[], today: string, overdueBefore: string): Promise<Map<string, LedgerFigures>> {
    const out = new Map<string, LedgerFigures>(customerIds.map((id) => [id, { daysBeyondTerms: null, recentDaysBeyondTerms: null, earlierDaysBeyondTerms: null, overdueAmount: 0, openAmount: 0, invoicedLast12Months: 0 }]));
    if (customerIds.length === 0) return out;
    const { rows } = await sql<{ customer_id: string; dbt: number | null; recent: number | null; earlier: number | null; overdue: number; open: number; invoiced: number }>`
      WITH inv AS (
        SELECT customer_id, amount, open_amount, due_date, settled_on, issue_date
          FROM invoices
         WHERE customer_id = ANY (${[...customerIds]}::uuid[])
           AND (open_amount > 0 OR settled_on > ${today}::date - 365 OR issue_date > ${today}::date - 365)
      ), obs AS (
        SELECT customer_id, amount AS w, settled_on - due_date AS dbt, settled_on AS on_day
          FROM inv WHERE settled_on IS NOT NULL AND open_amount = 0 AND settled_on > ${today}::date - 365
        UNION ALL
        SELECT customer_id, open_amount, ${today}::date - due_date, ${today}::date
          FROM inv WHERE open_amount > 0 AND due_date < ${today}::date
      ), o AS (
        SELECT customer_id,
               round(sum(w * dbt)::numeric / nullif(sum(w), 0), 1)::float8 AS dbt,
               round((sum(w * dbt) FILTER (WHERE on_day > ${today}::date - 90))::numeric / nullif(sum(w) FILTER (WHERE on_day > ${today}::date - 90), 0), 1)::float8 AS recent,
               round((sum(w * dbt) FILTER (WHERE on_day <= ${today}::date - 90))::numeric / nullif(sum(w) FILTER (WHERE on_day <= ${today}::date - 90), 0), 1)::float8 AS earlier
          FROM obs GROUP BY customer_id
      ), a AS (
        SELECT customer_id,
               coalesce(sum(open_amount) FILTER (WHERE open_amount > 0 AND due_date < ${overdueBefore}::date), 0)::bigint AS overdue,
               coalesce(sum(open_amount) FILTER (WHERE open_amount > 0), 0)::bigint AS open,
               coalesce(sum(amount) FILTER (WHERE issue_date > ${today}::date - 365), 0)::bigint AS invoiced
          FROM inv GROUP BY customer_id
      )
      SELECT a.customer_id, o.dbt, o.recent, o.earlier, a.overdue, a.open, a.invoiced
        FROM a LEFT JOIN o USING (customer_id)`.execute(this.db);
    for (const r of rows) {
      out.set(r.customer_id, {
        daysBeyondTerms: r.dbt,
        recentDaysBeyondTerms: r.recent,
        earlierDaysBeyondTerms: r.earlier,
        overdueAmount: r.overdue,
        openAmount: r.open,
        invoicedLast12Months: r.invoiced,
      });
    }
    return out;
  }

  async hasLedger(customerId: string, trx: Executor = this.db): Promise<boolean> {
    const { rows } = await sql<{ any: boolean }>`
      SELECT EXISTS (SELECT 1 FROM invoices WHERE customer_id = ${customerId})
          OR EXISTS (SELECT 1 FROM credits WHERE customer_id = ${customerId})
          OR EXISTS (SELECT 1 FROM order_checks WHERE customer_id = ${customerId}) AS any`.execute(trx);
    return rows[0]!.any;
  }
}
