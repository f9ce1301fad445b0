import { sql, type Kysely } from 'kysely';
import { ALERT_TYPES_AFTER as PREVIOUS_ALERT_TYPES } from './20261207001800_legal_cases.js';

/**
 * The creditor's identity as data (issue 21): versioned like the policies, each version the whole
 * document; its logo and terms of sale kept once each by content hash (a version names them), so
 * a change of phone number does not copy a PDF. Invoice copies attached per invoice for the
 * injonction bundle. Debtor-facing documents wait (`held`) while the identity is incomplete, and
 * one alert tells the admins why.
 */
const BEFORE = PREVIOUS_ALERT_TYPES;
const ADDED = "'company_identity_incomplete', 'late_payment_rate_missing'";
/** The alert types in force after this migration (the next migration that adds some starts from it). */
export const ALERT_TYPES_AFTER = `${BEFORE}, ${ADDED}`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}, ${ADDED}))`).execute(db);
  await sql`
    CREATE TABLE company_settings (
      version integer PRIMARY KEY,
      identity jsonb NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL,
      reason text NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE company_files (
      sha256 text PRIMARY KEY,
      content_type text NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'application/pdf')),
      bytes integer NOT NULL CHECK (bytes > 0),
      content bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`
    CREATE TABLE invoice_files (
      invoice_id uuid PRIMARY KEY REFERENCES invoices (id) ON DELETE CASCADE,
      filename text NOT NULL,
      bytes integer NOT NULL CHECK (bytes > 0),
      sha256 text NOT NULL,
      content bytea NOT NULL,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL
    )`.execute(db);
  // A customer created from an accounting file (FEC import, createCustomers) has no SIREN until one is set.
  await sql`ALTER TABLE customers ALTER COLUMN siren DROP NOT NULL`.execute(db);
  // The dossier's numbered list of supporting documents, kept so the bundle holds exactly those.
  await sql`ALTER TABLE legal_cases ADD COLUMN pieces jsonb NOT NULL DEFAULT '[]'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE legal_cases DROP COLUMN pieces`.execute(db);
  await sql`DELETE FROM customers WHERE siren IS NULL`.execute(db);
  await sql`ALTER TABLE customers ALTER COLUMN siren SET NOT NULL`.execute(db);
  await sql`DROP TABLE invoice_files`.execute(db);
  await sql`DROP TABLE company_files`.execute(db);
  await sql`DROP TABLE company_settings`.execute(db);
  await sql`DELETE FROM collection_actions WHERE status = 'held'`.execute(db);
  await sql.raw(`DELETE FROM alerts WHERE type IN (${ADDED})`).execute(db);
  await sql`ALTER TABLE alerts DROP CONSTRAINT alerts_type_check`.execute(db);
  await sql.raw(`ALTER TABLE alerts ADD CONSTRAINT alerts_type_check CHECK (type IN (${BEFORE}))`).execute(db);
}
