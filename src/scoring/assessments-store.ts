import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { AssessmentsTable, DB } from '../db/schema.js';

export type AssessmentRow = Selectable<AssessmentsTable>;
export type InsertedAssessment = Pick<AssessmentRow, 'id' | 'customer_id' | 'assessed_at' | 'created_by'>;
type Executor = Kysely<DB> | Transaction<DB>;

export class AssessmentsStore {
  constructor(private readonly db: Kysely<DB>) {}

  /** One statement for many rows (a single JSON parameter); returns what identifies each row, not the reports. */
  async insertMany(rows: Array<Omit<AssessmentRow, 'id' | 'seq' | 'report'> & { report: unknown }>, trx: Executor = this.db): Promise<InsertedAssessment[]> {
    if (rows.length === 0) return [];
    const { rows: inserted } = await sql<InsertedAssessment>`
      INSERT INTO assessments (customer_id, siren, assessed_at, as_of, score, grade, probability_of_default, recommended_limit, currency,
                               payment_condition, confidence, policy_version, model_version, inputs_hash, report, created_by)
      SELECT customer_id, siren, assessed_at, as_of, score, grade, probability_of_default, recommended_limit, currency,
             payment_condition, confidence, policy_version, model_version, inputs_hash, report, created_by
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(customer_id uuid, siren text, assessed_at timestamptz, as_of date, score integer,
             grade text, probability_of_default double precision, recommended_limit bigint, currency text, payment_condition text,
             confidence text, policy_version integer, model_version text, inputs_hash text, report jsonb, created_by text)
      RETURNING id, customer_id, assessed_at, created_by`.execute(trx);
    return inserted;
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
