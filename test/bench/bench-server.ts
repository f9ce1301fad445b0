import express from 'express';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import { createPool } from '../../src/db/database.js';

/**
 * A server for the benchmarks, in its own process so the load generator does not share its event
 * loop: `vigie` is the real app; `baseline` is a bare express endpoint doing one indexed
 * single-row UPDATE … RETURNING on the same database.
 */
const mode = process.argv[2];
// Both servers use the service's default pool (DATABASE_POOL_SIZE, 10) unless the environment sets one.
const poolSize = process.env.DATABASE_POOL_SIZE ?? '10';
let listen: (port: number) => Promise<number>;

if (mode === 'vigie') {
  const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', JOBS_IN_PROCESS: 'false', DATABASE_POOL_SIZE: poolSize });
  const container = await createContainer(config, { logger: createLogger('silent'), collectDefaultMetrics: false });
  listen = (port) => new Promise((r) => { const s = container.app.listen(port, '127.0.0.1', () => r((s.address() as { port: number }).port)); });
} else if (mode === 'baseline') {
  const pool = createPool(process.env.DATABASE_URL!, Number(poolSize));
  await pool.query('CREATE TABLE IF NOT EXISTS bench_counters (id integer PRIMARY KEY, hits bigint NOT NULL DEFAULT 0)');
  await pool.query('INSERT INTO bench_counters (id) SELECT g FROM generate_series(1, 100000) g ON CONFLICT DO NOTHING');
  const app = express();
  app.use(express.json());
  app.post('/baseline', async (req, res) => {
    const id = 1 + (Number.parseInt(String(req.body.customerExternalId).slice(2), 10) % 100_000);
    const { rows } = await pool.query('UPDATE bench_counters SET hits = hits + $2 WHERE id = $1 RETURNING id, hits', [id, req.body.amount]);
    res.json({ decision: 'approved', counter: rows[0] });
  });
  listen = (port) => new Promise((r) => { const s = app.listen(port, '127.0.0.1', () => r((s.address() as { port: number }).port)); });
} else {
  throw new Error('usage: bench-server.ts vigie|baseline');
}

if (process.env.BENCH_DEBUG) {
  // Once a second: how late the event loop ran (a stall here delays every request in flight).
  const { monitorEventLoopDelay } = await import('node:perf_hooks');
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const started = Date.now();
  setInterval(() => {
    if (h.max > 20e6) console.error(`[${mode}] ${((Date.now() - started) / 1000).toFixed(0)} s: event loop delay max ${(h.max / 1e6).toFixed(1)} ms`);
    h.reset();
  }, 1000).unref();
}

const port = await listen(0);
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
