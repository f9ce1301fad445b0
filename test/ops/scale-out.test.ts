import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createTestDatabase } from '../setup/test-database.js';
import { testServerUrl } from '../setup/db-url.js';
import { startVigie, type VigieProcess } from '../setup/vigie-process.js';
import { makeSiren } from '../setup/test-app.js';

/*
 * Scale-out on one machine: two API processes and two workers on one PostgreSQL database, as in
 * the production layout the README describes (API processes behind a load balancer, workers
 * apart). Concurrent checks spread over both APIs never jointly pass a limit, and every job run
 * happens once. It needs a PostgreSQL server: the embedded database lives inside one process.
 */
const ADMIN = 'scale-out-admin-key-0123456789abcdef';

describe.skipIf(!testServerUrl())(`two API processes and two workers on one database${testServerUrl() ? '' : ' (skipped: needs a PostgreSQL server; the embedded database lives in one process)'}`, () => {
  let database: Database;
  const procs: VigieProcess[] = [];
  let apis: VigieProcess[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = { DATABASE_URL: database.connectionString, VIGIE_ADMIN_KEY: ADMIN, DATABASE_POOL_SIZE: '12' };
    const schedules = {
      JOBS_SCHEDULE_HEARTBEAT: '3 seconds',
      JOBS_SCHEDULE_EXPIRE_HOLDS: 'off',
      JOBS_SCHEDULE_BODACC_DELTA: 'off',
      JOBS_SCHEDULE_REFRESH_SOURCES: 'off',
      JOBS_SCHEDULE_RESCORE_PORTFOLIO: 'off',
      JOBS_SCHEDULE_EXPOSURE_WATCH: 'off',
      JOBS_SCHEDULE_LIMIT_REVIEWS: 'off',
      JOBS_SCHEDULE_DELIVER_WEBHOOKS: 'off',
    };
    const settled = await Promise.allSettled([
      startVigie('api', { ...env, JOBS_IN_PROCESS: 'false' }),
      startVigie('api', { ...env, JOBS_IN_PROCESS: 'false' }),
      startVigie('worker', { ...env, ...schedules }),
      startVigie('worker', { ...env, ...schedules }),
    ]);
    // Those that started are stopped in afterAll even when another failed to start.
    for (const r of settled) if (r.status === 'fulfilled') procs.push(r.value);
    const failed = settled.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    apis = procs.slice(0, 2);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await database?.close();
  });

  const call = async (base: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as { id?: string; decision?: string; credit?: { exposure: { activeHolds: number } } } };
  };

  it('200 concurrent checks of 100.00 against a limit of 10,000.00, spread over both APIs, approve exactly 100', async () => {
    const created = await call(apis[0]!.url, 'POST', '/v1/customers', { externalId: 'SCALE-1', siren: makeSiren(), name: 'Scale SA' });
    expect(created.status).toBe(201);
    const id = created.body.id!;
    expect((await call(apis[1]!.url, 'PUT', `/v1/customers/${id}/credit-limit`, { amount: 1_000_000, currency: 'EUR', reason: 'scale-out' })).status).toBe(200);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => call(apis[i % 2]!.url, 'POST', '/v1/order-checks', { orderId: `SCALE-${i}`, customerId: id, amount: 10_000, currency: 'EUR' })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const approved = results.filter((r) => r.body.decision === 'approved').length;
    expect(approved).toBe(100);
    expect((await call(apis[0]!.url, 'GET', `/v1/customers/${id}`)).body.credit!.exposure.activeHolds).toBe(1_000_000);
    process.stdout.write(`scale-out: 200 checks over 2 API processes → ${approved} approved, ${results.length - approved} blocked\n`);
  }, 60_000);

  it('each scheduled run happens once, and a job run on request runs once, whichever worker takes it', async () => {
    const pool = new pg.Pool({ connectionString: database.connectionString, max: 1 });
    try {
      const since = new Date();
      expect((await call(apis[0]!.url, 'POST', '/v1/jobs/limit-reviews/run', { reason: 'scale-out test' })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 13_000));
      const { rows } = await pool.query<{ job_name: string; worker: string; started_at: Date }>(
        "SELECT job_name, worker, started_at FROM job_runs WHERE started_at >= $1 AND job_name IN ('heartbeat', 'limit-reviews') ORDER BY started_at",
        [since],
      );
      const beats = rows.filter((r) => r.job_name === 'heartbeat');
      // Every 3 s over 13 s, picked up by workers polling every 5 s: 2 to 4 runs. Two workers each
      // running the schedule would make twice as many, and would show as two runs of one slot.
      expect(beats.length).toBeGreaterThanOrEqual(2);
      expect(beats.length).toBeLessThanOrEqual(6);
      for (let i = 1; i < beats.length; i++) {
        expect(beats[i]!.started_at.getTime() - beats[i - 1]!.started_at.getTime(), 'two runs of one slot').toBeGreaterThan(1_500);
      }
      expect(rows.filter((r) => r.job_name === 'limit-reviews')).toHaveLength(1);
      const workers = new Set(rows.map((r) => r.worker));
      process.stdout.write(`scale-out: ${beats.length} heartbeat runs in 13 s at a 3 s schedule, 1 requested run; run by ${workers.size} worker(s)\n`);
    } finally {
      await pool.end();
    }
    expect(procs.every((p) => p.alive())).toBe(true);
  }, 60_000);
});
