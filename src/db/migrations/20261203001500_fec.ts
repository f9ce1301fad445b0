import { sql, type Kysely } from 'kysely';

/**
 * The FEC import: invoices whose due date was derived from the customer's terms are flagged, and
 * an auxiliary account (CompAuxNum) that is not a customer's externalId can be mapped to one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE invoices ADD COLUMN due_date_estimated boolean NOT NULL DEFAULT false`.execute(db);
  await sql`
    CREATE TABLE fec_account_mappings (
      account text PRIMARY KEY,
      customer_id uuid NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      created_by text NOT NULL
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE fec_account_mappings`.execute(db);
  await sql`ALTER TABLE invoices DROP COLUMN due_date_estimated`.execute(db);
}
