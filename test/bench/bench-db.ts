import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/**
 * Benchmarks run on BENCH_DATABASE_URL, else DATABASE_URL (a fresh database is created on that
 * server and dropped afterwards), else on the embedded database in a temporary directory.
 */
export interface BenchDatabase {
  /** What a child process sets to reach the same data (DATABASE_URL or VIGIE_DATA_DIR). */
  env: Record<string, string>;
  label: string;
  open(poolSize?: number): Promise<Database>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(name: string): Promise<BenchDatabase> {
  const server = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  if (server) {
    const dbName = `vigie_bench_${name}_${process.pid}`;
    const admin = new pg.Client({ connectionString: server });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const u = new URL(server);
    u.pathname = `/${dbName}`;
    const url = u.toString();
    const first = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 2, embeddedConnections: 2 });
    await migrateToLatest(first.db);
    await first.close();
    return {
      env: { DATABASE_URL: url },
      label: `PostgreSQL server (${u.host})`,
      open: (poolSize = 8) => openDatabase({ databaseUrl: url, dataDir: '', poolSize, embeddedConnections: 4 }),
      async drop() {
        const c = new pg.Client({ connectionString: server });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `vigie-bench-${name}-`));
  const first = await openDatabase({ dataDir, poolSize: 2, embeddedConnections: 4 });
  await migrateToLatest(first.db);
  await first.close();
  return {
    env: { DATABASE_URL: '', VIGIE_DATA_DIR: dataDir },
    label: 'embedded PGlite',
    open: () => openDatabase({ dataDir, poolSize: 4, embeddedConnections: 4 }),
    async drop() {},
  };
}

/**
 * 100,000 customers (external ids BC1…BC100000) with credit accounts and realistic ledgers: four
 * invoices each (three open at various due dates, one settled), and one customer in twenty with an
 * invoice 20 days overdue.
 */
export async function seedPortfolio(db: Database, customers = 100_000, opts: { invoices?: boolean } = {}): Promise<void> {
  const q = (text: string) => db.pool.query(text);
  await q(`INSERT INTO customers (external_id, siren, name, currency, payment_terms_days, payment_terms_basis)
           SELECT 'BC' || g, lpad(g::text, 9, '0'), 'Bench customer ' || g, 'EUR', 30, 'invoice_date'
             FROM generate_series(1, ${customers}) g`);
  await q(`INSERT INTO credit_accounts (customer_id, currency, credit_limit)
           SELECT id, 'EUR', 500000000 FROM customers`);
  if (opts.invoices === false) {
    await q('CHECKPOINT');
    return;
  }
  await q(`INSERT INTO invoices (number, customer_id, issue_date, due_date, amount, currency, open_amount, settled_on)
           SELECT 'BI-' || c.seq || '-' || k, c.id,
                  current_date - 60 + k * 10,
                  CASE WHEN k = 1 AND c.seq % 20 = 0 THEN current_date - 20 WHEN k = 4 THEN current_date - 15 ELSE current_date + k * 10 END,
                  10000 + (c.seq * 7919 + k * 104729) % 500000, 'EUR',
                  CASE WHEN k = 4 THEN 0 ELSE 10000 + (c.seq * 7919 + k * 104729) % 500000 END,
                  CASE WHEN k = 4 THEN current_date - 5 END
             FROM customers c CROSS JOIN generate_series(1, 4) k`);
  await q('VACUUM ANALYZE');
  // Flush the seed now, so a checkpoint does not compete for the disk during the measured runs.
  await q('CHECKPOINT');
}
