import { sql, type Kysely } from 'kysely';

/**
 * The ledger's read routes page by (due date, number) and (date, reference), for one customer or
 * for all: each page is an index range scan, never a sort of the whole table.
 * (Allocations by credit use their primary key, which starts with credit_id.)
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX invoices_customer_due_idx ON invoices (customer_id, due_date, number)`.execute(db);
  await sql`CREATE INDEX invoices_due_idx ON invoices (due_date, number)`.execute(db);
  await sql`CREATE INDEX credits_kind_date_idx ON credits (kind, date, reference)`.execute(db);
  await sql`CREATE INDEX credits_customer_kind_date_idx ON credits (customer_id, kind, date, reference)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const index of ['credits_customer_kind_date_idx', 'credits_kind_date_idx', 'invoices_due_idx', 'invoices_customer_due_idx']) {
    await sql.raw(`DROP INDEX IF EXISTS ${index}`).execute(db);
  }
}
