import { sql, type Kysely } from 'kysely';

/** The portfolio page sorts customers by name: read in that order from an index, each page's positions only. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE INDEX customers_name_idx ON customers (name, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX customers_name_idx`.execute(db);
}
