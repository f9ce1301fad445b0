import { sql, type Kysely } from 'kysely';
import { getCreateIndexesSQL, getCreateTableSQL, getUpdateTimestampTriggerSQL } from '@agendajs/postgres-backend';

/**
 * The job scheduler's table (Agenda's PostgreSQL backend, its own DDL), created here rather than
 * by each process as it starts: processes starting together on a new database (two API processes
 * and two workers) raced on CREATE INDEX IF NOT EXISTS and the trigger, and one of them died with
 * a duplicate key in pg_class. Migrations run one process at a time (an advisory lock), and the
 * backend is told not to create its schema (jobs/index.ts). Existing installations already have
 * the table: every statement here is idempotent.
 */
const TABLE = 'agenda_jobs';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql.raw(getCreateTableSQL(TABLE)).execute(db);
  for (const statement of getCreateIndexesSQL(TABLE)) await sql.raw(statement).execute(db);
  await sql.raw(getUpdateTimestampTriggerSQL(TABLE)).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql.raw(`DROP TABLE IF EXISTS ${TABLE}`).execute(db);
  await sql.raw(`DROP FUNCTION IF EXISTS update_${TABLE}_updated_at()`).execute(db);
}
