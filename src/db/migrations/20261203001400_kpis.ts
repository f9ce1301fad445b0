import { sql, type Kysely } from 'kysely';

/**
 * Indexes the KPIs read through: sales by issue date, settlements by date (payment delays,
 * invoices alive in a window), promises by resolution date.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX invoices_issue_idx ON invoices (issue_date) INCLUDE (amount, customer_id)`.execute(db);
  await sql`CREATE INDEX invoices_settled_on_idx ON invoices (settled_on) WHERE settled_on IS NOT NULL`.execute(db);
  await sql`CREATE INDEX payment_promises_resolved_idx ON payment_promises (resolved_at) WHERE resolved_at IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX payment_promises_resolved_idx`.execute(db);
  await sql`DROP INDEX invoices_settled_on_idx`.execute(db);
  await sql`DROP INDEX invoices_issue_idx`.execute(db);
}
