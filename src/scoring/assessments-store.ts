import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AssessmentsTable, DB } from '../db/schema.js';

export type AssessmentRow = Selectable<AssessmentsTable>;
type Executor = Kysely<DB> | Transaction<DB>;

export class AssessmentsStore {
  constructor(private readonly db: Kysely<DB>) {}

  insertMany(rows: Array<Omit<AssessmentRow, 'id' | 'seq' | 'report'> & { report: unknown }>, trx: Executor = this.db): Promise<AssessmentRow[]> {
    return trx
      .insertInto('assessments')
      .values(rows.map((row) => ({ ...row, report: JSON.stringify(row.report) })))
      .returningAll()
      .execute();
  }

  /** The inputs digest of each customer's latest assessment. */
  async latestHashes(customerIds: readonly string[]): Promise<Map<string, string>> {
    if (customerIds.length === 0) return new Map();
    const { rows } = await sql<{ customer_id: string; inputs_hash: string }>`
      SELECT DISTINCT ON (customer_id) customer_id, inputs_hash
        FROM assessments
       WHERE customer_id = ANY (${[...customerIds]}::uuid[])
       ORDER BY customer_id, assessed_at DESC, seq DESC`.execute(this.db);
    return new Map(rows.map((r) => [r.customer_id, r.inputs_hash]));
  }

  latestForCustomer(customerId: string, trx: Executor = this.db): Promise<AssessmentRow | undefined> {
    return trx.selectFrom('assessments').selectAll().where('customer_id', '=', customerId).orderBy('assessed_at', 'desc').orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  history(customerId: string, limit: number): Promise<AssessmentRow[]> {
    return this.db.selectFrom('assessments').selectAll().where('customer_id', '=', customerId).orderBy('assessed_at', 'desc').orderBy('seq', 'desc').limit(limit).execute();
  }

  /** The oldest customer with this SIREN: whose ledger a prospect check of the SIREN reads. */
  async customerBySiren(siren: string) {
    return this.db
      .selectFrom('customers')
      .select(['id', 'payment_terms_days', 'payment_terms_basis'])
      .where('siren', '=', siren)
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
  }

  customer(id: string) {
    return this.db.selectFrom('customers').select(['id', 'siren', 'payment_terms_days', 'payment_terms_basis']).where('id', '=', id).executeTakeFirst();
  }
}
