import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createPgCluster, findPgBin, type PgCluster } from '../setup/pg-cluster.js';
import { startVigie, type VigieProcess } from '../setup/vigie-process.js';
import { makeSiren } from '../setup/test-app.js';

/*
 * A database that goes away — terminated backends (what a failover does to open connections), then
 * a full stop and restart of the server — is an outage, not a crash: the API process and a worker
 * stay up, answer 503 meanwhile, resume by themselves, and lose no check they acknowledged. Runs
 * against a throwaway cluster of its own (the suite's own database is never touched), whichever
 * database the rest of the suite uses.
 */
const bin = findPgBin();
const ADMIN = 'fault-test-admin-key-0123456789abcdef';

interface Answer {
  id?: string;
  decision?: string;
  error?: { code: string };
  items?: Array<{ startedAt: string; status: string }>;
}

async function call(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Answer };
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000, detail: () => string = () => '') {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!bin)(`when the database goes away${bin ? '' : ' (skipped: no initdb/pg_ctl on this machine)'}`, () => {
  let cluster: PgCluster;
  let api: VigieProcess;
  let worker: VigieProcess;

  beforeAll(async () => {
    cluster = await createPgCluster(bin!);
    const env = {
      DATABASE_URL: cluster.url,
      VIGIE_ADMIN_KEY: ADMIN,
      JOBS_SCHEDULE_HEARTBEAT: '2 seconds',
      JOBS_SCHEDULE_DELIVER_WEBHOOKS: 'off',
      JOBS_SCHEDULE_REFRESH_SOURCES: 'off',
      DATABASE_POOL_SIZE: '6',
    };
    api = await startVigie('api', env);
    worker = await startVigie('worker', env);
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await worker?.stop();
    cluster?.destroy();
  });

  it('the API and the worker stay up, answer 503 during the outage, resume alone, and keep every acknowledged check', async () => {
    const base = api.url;
    const created = await call(base, 'POST', '/v1/customers', { externalId: 'FAULT-1', siren: makeSiren(), name: 'Fault SA' });
    expect(created.status).toBe(201);
    const customerId = created.body.id!;
    expect((await call(base, 'PUT', `/v1/customers/${customerId}/credit-limit`, { amount: 100_000_000, currency: 'EUR', reason: 'fault test' })).status).toBe(200);

    const acknowledged = new Map<string, string>();
    const statuses: number[] = [];
    let n = 0;
    const check = async () => {
      const orderId = `FAULT-${++n}`;
      const res = await call(base, 'POST', '/v1/order-checks', { orderId, customerId, amount: 100, currency: 'EUR' }).catch(() => ({ status: 0, body: {} as Answer }));
      statuses.push(res.status);
      if (res.status === 200) acknowledged.set(orderId, res.body.decision!);
      return res;
    };
    for (let i = 0; i < 20; i++) await check();
    expect(acknowledged.size).toBe(20);

    // 1. Every backend terminated, as a failover does, while checks keep coming.
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    const burst = Promise.all(Array.from({ length: 20 }, () => check()));
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'postgres' AND pid <> pg_backend_pid()`);
    await admin.end();
    await burst;
    await until('checks after terminated backends', async () => (await check()).status === 200, 60_000, () => `; last statuses ${statuses.slice(-12).join(',')}; API output:\n${api.output().slice(-4000)}`);

    // 2. The server stops: requests get a clear 503, /readyz says not ready, the process lives.
    cluster.stop();
    const during = await check();
    expect(during.status).toBe(503);
    expect(during.body.error?.code).toBe('database_unavailable');
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3_000)); // jobs poll and notifications reconnect meanwhile
    expect(api.alive()).toBe(true);
    expect(worker.alive()).toBe(true);

    // 3. The server is back: service resumes without a restart of ours.
    const restartedAt = new Date();
    cluster.start();
    await until('/readyz after the restart', async () => (await fetch(`${base}/readyz`)).status === 200);
    await until('order checks after the restart', async () => (await check()).status === 200);
    for (let i = 0; i < 10; i++) expect((await check()).status).toBe(200);

    // Nothing acknowledged was lost: every 200 has its stored check, with the same decision.
    for (const [orderId, decision] of acknowledged) {
      const stored = await call(base, 'GET', `/v1/order-checks/${orderId}`);
      expect(stored.status, orderId).toBe(200);
      expect(stored.body.decision).toBe(decision);
    }
    // Only 200s and 503s were answered: never a 500, never a dropped connection.
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);

    // Jobs resumed by themselves: a heartbeat ran after the restart.
    await until(
      'a heartbeat after the restart',
      async () => {
        const runs = await call(base, 'GET', '/v1/jobs?job=heartbeat&limit=20');
        return (runs.body.items ?? []).some((r) => r.status === 'succeeded' && new Date(r.startedAt) > restartedAt);
      },
      60_000,
      () => `\n--- api output ---\n${api.output().slice(-4000)}\n--- worker output ---\n${worker.output().slice(-4000)}`,
    );
    expect(api.alive(), api.output()).toBe(true);
    expect(worker.alive(), worker.output()).toBe(true);
    expect(api.output()).not.toMatch(/Unhandled 'error' event|uncaughtException/);
    process.stdout.write(`database-loss: ${statuses.length} order checks sent; ${statuses.filter((s) => s === 200).length} answered 200, ${statuses.filter((s) => s === 503).length} answered 503; ${acknowledged.size} acknowledged checks all found after the restart\n`);
  }, 180_000);
});
