import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/db/database.js';
import { testServerUrl, withDatabase } from './db-url.js';

/**
 * A database of its own for one test file: a clone of the migrated template on the PostgreSQL
 * server when one is configured, otherwise a fresh in-memory embedded PGlite served over the
 * wire protocol (the same path as production's embedded mode).
 */
export async function createTestDatabase(options: { poolSize?: number; embeddedConnections?: number } = {}): Promise<Database> {
  const url = testServerUrl();
  const template = inject('templateDatabase');
  if (!url || !template) {
    return openDatabase({ dataDir: 'memory://', poolSize: 4, embeddedConnections: options.embeddedConnections ?? 4 });
  }
  const name = `vigie_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const database = await openDatabase({ databaseUrl: withDatabase(url, name), dataDir: '', poolSize: options.poolSize ?? 10, embeddedConnections: 4 });
  const close = database.close;
  return {
    ...database,
    async close() {
      await close();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}
