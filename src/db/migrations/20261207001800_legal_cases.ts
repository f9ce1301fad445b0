import { sql, type Kysely } from 'kysely';
import { ALERT_TYPES_AFTER as PREVIOUS_ALERT_TYPES } from './20261207001700_credit_insurance.js';

/**
 * Legal cases: the injonction de payer for chosen invoices of a customer, with its dossier, its
 * steps (filed, order issued, served, opposed, enforceable, paid, closed) and their deadlines.
 */
const BEFORE = PREVIOUS_ALERT_TYPES;
const ADDED = "'legal_case_deadline'";
/** The alert types in force after this migration (the next migration that adds some starts from it). */
export const ALERT_TYPES_AFTER = `${BEFORE}, ${ADDED}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}, ${ADDED}))`).execute(db);
  await sql`
    CREATE TABLE legal_cases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      kind text NOT NULL DEFAULT 'injonction_de_payer' CHECK (kind IN ('injonction_de_payer')),
      invoice_ids uuid[] NOT NULL,
      tribunal text NOT NULL,
      tribunal_source text NOT NULL,
      status text NOT NULL CHECK (status IN ('prepared', 'filed', 'order_issued', 'served', 'opposed', 'enforceable', 'paid', 'closed')),
      claim jsonb NOT NULL,
      fees jsonb NOT NULL,
      steps jsonb NOT NULL DEFAULT '[]',
      document_id uuid NOT NULL,
      filed_on date,
      order_issued_on date,
      order_reference text,
      service_deadline date,
      served_on date,
      opposition_deadline date,
      closed_on date,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX legal_cases_customer_idx ON legal_cases (customer_id, created_at)`.execute(db);
  await sql`CREATE INDEX legal_cases_open_idx ON legal_cases (status) WHERE status IN ('order_issued', 'served')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE legal_cases`.execute(db);
  await sql.raw(`DELETE FROM alerts WHERE type IN (${ADDED})`).execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}))`).execute(db);
}
