import { NO_MIGRATIONS } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createMigrator, migrateToLatest, pendingMigrations } from '../../src/db/migrate.js';
import { createTestDatabase } from '../setup/test-database.js';
import { testServerUrl } from '../setup/db-url.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrateToLatest(database.db); // the embedded test database starts empty; the server's is a migrated clone
});
afterAll(async () => {
  await database?.close();
});

/** Tables with their columns and types, indexes with their definitions, and functions. */
async function schema(): Promise<string[]> {
  const { rows } = await database.pool.query<{ item: string }>(`
    SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable AS item
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%'
    UNION ALL
    SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'kysely_%'
    UNION ALL
    SELECT 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text NOT LIKE 'kysely_%'
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    ORDER BY 1`);
  return rows.map((r) => r.item);
}

describe(`migrations on ${testServerUrl() ? 'the PostgreSQL server' : 'the embedded database'}`, () => {
  it('every migration can be undone, and applying them again gives the same schema', async () => {
    expect(await pendingMigrations(database.db)).toEqual([]);
    const before = await schema();
    expect(before.some((i) => i.startsWith('function vigie_order_check('))).toBe(true);

    const down = await createMigrator(database.db).migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(down.results?.every((r) => r.status === 'Success')).toBe(true);
    expect(await schema()).toEqual([]);

    await migrateToLatest(database.db);
    expect(await schema()).toEqual(before);
  }, 60_000);
});
