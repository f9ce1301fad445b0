import { sql, type Kysely } from 'kysely';
import { ALERT_TYPES_AFTER as PREVIOUS_ALERT_TYPES } from './20261203001300_collections.js';

/**
 * Insolvency: a collective proceeding opened for a customer (seen on BODACC) becomes a case with the
 * judgment, the court, the mandataire, the deadline to declare the claims, the declaration's draft
 * and its filing. The customer is marked prepayment-only (credit_accounts.prepayment_only).
 */
const BEFORE = PREVIOUS_ALERT_TYPES;
const ADDED = "'insolvency_opened', 'claim_deadline'";
/** The alert types in force after this migration (the next migration that adds some starts from it). */
export const ALERT_TYPES_AFTER = `${BEFORE}, ${ADDED}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}, ${ADDED}))`).execute(db);
  await sql`ALTER TABLE credit_accounts ADD COLUMN prepayment_only jsonb`.execute(db);
  // An e-mail not yet out when the proceeding opens is cancelled, not sent.
  await sql`ALTER TABLE email_messages DROP CONSTRAINT email_messages_status_check`.execute(db);
  await sql`ALTER TABLE email_messages ADD CONSTRAINT email_messages_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'not_sent', 'cancelled'))`.execute(db);
  await sql`
    CREATE TABLE insolvency_cases (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      proceeding text NOT NULL CHECK (proceeding IN ('sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire')),
      announcement_id text NOT NULL,
      judgment_nature text,
      judgment_date date NOT NULL,
      published_on date NOT NULL,
      court text,
      mandataire text,
      creditor_abroad boolean NOT NULL DEFAULT false,
      deadline date NOT NULL,
      status text NOT NULL DEFAULT 'to_declare' CHECK (status IN ('to_declare', 'declared', 'closed')),
      retention_of_title text[] NOT NULL DEFAULT '{}',
      history jsonb NOT NULL DEFAULT '[]',
      document_id uuid,
      task_id uuid,
      declared_on date,
      declared_amount bigint,
      declaration_reference text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      UNIQUE (customer_id, announcement_id)
    )`.execute(db);
  // At most one case in progress per customer: a conversion (redressement into liquidation) updates it.
  await sql`CREATE UNIQUE INDEX insolvency_cases_open_idx ON insolvency_cases (customer_id) WHERE status <> 'closed'`.execute(db);
  await sql`CREATE INDEX insolvency_cases_deadline_idx ON insolvency_cases (deadline) WHERE status = 'to_declare'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE insolvency_cases`.execute(db);
  await sql`ALTER TABLE credit_accounts DROP COLUMN prepayment_only`.execute(db);
  await sql`UPDATE email_messages SET status = 'failed' WHERE status = 'cancelled'`.execute(db);
  await sql`ALTER TABLE email_messages DROP CONSTRAINT email_messages_status_check`.execute(db);
  await sql`ALTER TABLE email_messages ADD CONSTRAINT email_messages_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'not_sent'))`.execute(db);
  await sql.raw(`DELETE FROM alerts WHERE type IN (${ADDED})`).execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}))`).execute(db);
}
