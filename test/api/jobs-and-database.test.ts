import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { testServerUrl } from '../setup/db-url.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function waitFor<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mode = testServerUrl() ? 'PostgreSQL server' : 'embedded PGlite';

describe(`Agenda on the ${mode}`, () => {
  it('runs a scheduled job in-process and records the run at GET /v1/jobs', async () => {
    const t: TestApp = await createTestApp({}, { jobsProcessEvery: 200, schedule: { heartbeat: '1 second' } });
    cleanups.push(() => t.close());
    await t.container.startJobs();
    const runs = await waitFor(async () => {
      const res = await t.as('credit_manager').get('/v1/jobs?job=heartbeat');
      return res.body.items.some((r: { status: string }) => r.status === 'succeeded') ? res.body.items : undefined;
    }, 20_000);
    expect(runs[0]).toMatchObject({ job: 'heartbeat', status: 'succeeded', counts: { beats: 1 } });
  });

  it('POST /v1/jobs/{name}/run runs a job now, audited; sales may not, and an unknown job is a 400', async () => {
    const t: TestApp = await createTestApp({}, { jobsProcessEvery: 200, schedule: NO_SCHEDULES });
    cleanups.push(() => t.close());
    await t.container.startJobs();
    const res = await t.as('credit_manager').post('/v1/jobs/limit-reviews/run', { reason: 'new limits entered today' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ job: 'limit-reviews', runs: '/v1/jobs?job=limit-reviews' });
    await waitFor(async () => {
      const runs = await t.as('credit_manager').get('/v1/jobs?job=limit-reviews');
      return runs.body.items.some((r: { status: string }) => r.status === 'succeeded');
    }, 20_000);
    const audit = await t.as('credit_manager').get('/v1/audit?entityType=job');
    expect(audit.body.items[0]).toMatchObject({ action: 'job.run_requested', entityId: 'limit-reviews', actor: 'test-credit_manager', reason: 'new limits entered today' });
    expect((await t.as('sales').post('/v1/jobs/limit-reviews/run', {})).status).toBe(403);
    const unknown = await t.as('admin').post('/v1/jobs/drop-tables/run', {});
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details[0].field).toBe('params.name');
  });
});

describe('the separate worker process (npm run worker)', () => {
  it(`joins the same ${mode} and runs the scheduled job`, async () => {
    // Embedded: this test process owns a file-backed PGlite, as `npm start` would, and the worker joins it.
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigie-worker-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const t: TestApp = await createTestApp({}, testServerUrl() ? {} : { database: await openDatabase({ dataDir, poolSize: 4, embeddedConnections: 4 }) });
    cleanups.push(() => t.close());
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', VIGIE_DATA_DIR: dataDir, DATABASE_URL: t.container.database.mode === 'server' ? t.container.database.connectionString : '' };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    cleanups.push(() => {
      child.kill('SIGTERM');
    });
    const run = await waitFor(async () => {
      const { rows } = await t.container.database.pool.query(
        "SELECT worker, status FROM job_runs WHERE job_name = 'heartbeat' AND worker LIKE $1 AND status <> 'running' LIMIT 1",
        [`%:${child.pid}`],
      );
      if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${stderr}`);
      return rows[0];
    }, 45_000);
    expect(run.status).toBe('succeeded');
  }, 60_000);
});

describe('two worker processes against one database', () => {
  it(`each scheduled run executes once (${mode})`, async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigie-workers-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const t: TestApp = await createTestApp({}, testServerUrl() ? {} : { database: await openDatabase({ dataDir, poolSize: 3, embeddedConnections: 12 }) });
    cleanups.push(() => t.close());
    const off = 'off';
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOG_LEVEL: 'warn',
      VIGIE_DATA_DIR: dataDir,
      DATABASE_URL: t.container.database.mode === 'server' ? t.container.database.connectionString : '',
      DATABASE_POOL_SIZE: '3',
      JOBS_SCHEDULE_HEARTBEAT: '1 second',
      JOBS_SCHEDULE_EXPIRE_HOLDS: off,
      JOBS_SCHEDULE_BODACC_DELTA: off,
      JOBS_SCHEDULE_REFRESH_SOURCES: off,
      JOBS_SCHEDULE_RESCORE_PORTFOLIO: off,
      JOBS_SCHEDULE_EXPOSURE_WATCH: off,
      JOBS_SCHEDULE_LIMIT_REVIEWS: off,
      JOBS_SCHEDULE_DELIVER_WEBHOOKS: off,
    };
    const workers = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', 'src/worker.ts'], { env, stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    for (const w of workers) {
      w.stderr.on('data', (d) => (stderr += String(d)));
      cleanups.push(() => {
        w.kill('SIGTERM');
      });
    }
    const pids = workers.map((w) => `%:${w.pid}`);
    const runs = await waitFor(async () => {
      if (workers.some((w) => w.exitCode !== null)) throw new Error(`a worker exited: ${stderr}`);
      const { rows } = await t.container.database.pool.query<{ worker: string; started_at: Date }>(
        "SELECT worker, started_at FROM job_runs WHERE job_name = 'heartbeat' AND (worker LIKE $1 OR worker LIKE $2) ORDER BY started_at",
        pids,
      );
      return rows.length >= 8 ? rows : undefined;
    }, 50_000);
    // One run per tick of the 1-second schedule, whichever worker took it: never two at once.
    const gaps = runs.slice(1).map((r, i) => r.started_at.getTime() - runs[i]!.started_at.getTime());
    expect(Math.min(...gaps), JSON.stringify(runs)).toBeGreaterThan(400);
  }, 70_000);
});

describe('persistence', () => {
  it('embedded data survives closing and reopening the data directory', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vigie-persist-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await openDatabase({ dataDir, poolSize: 2, embeddedConnections: 2 });
    await migrateToLatest(first.db);
    await first.pool.query("INSERT INTO customers (external_id, siren, name, currency, payment_terms_days, payment_terms_basis) VALUES ('KEEP', '552032534', 'Danone', 'EUR', 30, 'invoice_date')");
    await first.close();
    const second = await openDatabase({ dataDir, poolSize: 2, embeddedConnections: 2 });
    const { rows } = await second.pool.query("SELECT name FROM customers WHERE external_id = 'KEEP'");
    await second.close();
    expect(rows).toEqual([{ name: 'Danone' }]);
  }, 60_000);
});
