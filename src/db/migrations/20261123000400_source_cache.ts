import { sql, type Kysely } from 'kysely';

/** What each source last said about a key (a SIREN, or "all" for the DGCCRF list), with when. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE source_results (
      source text NOT NULL,
      key text NOT NULL,
      data jsonb NOT NULL,
      fetched_at timestamptz NOT NULL,
      last_error text,
      last_error_at timestamptz,
      PRIMARY KEY (source, key)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE IF EXISTS source_results`.execute(db);
}
