import { execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { ApiKeysService } from '../../src/api-keys/api-keys-service.js';
import { ApiKeysStore } from '../../src/api-keys/api-keys-store.js';
import { AuditService } from '../../src/audit/audit-service.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import { systemClock } from '../../src/clock.js';

/**
 * npm run bench:order-check-cost — where an order check's CPU goes: the same fixed number of
 * requests against the baseline endpoint and against POST /v1/order-checks, with the CPU time the
 * Node server and the PostgreSQL server processes spent per request. Needs a PostgreSQL server on
 * this machine (DATABASE_URL), whose processes it reads from /proc.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 20_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);

const ticks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // ms (USER_HZ = 100)
};
const postgresMs = () =>
  execSync('pgrep -x postgres || true')
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .reduce((sum, pid) => {
      try {
        return sum + ticks(Number(pid));
      } catch {
        return sum; // a backend that ended meanwhile
      }
    }, 0);

if (!(process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL)) {
  console.error('set DATABASE_URL to a PostgreSQL server on this machine');
  process.exit(2);
}
const bench = await createBenchDatabase('cost');
const db = await bench.open();
await seedPortfolio(db, CUSTOMERS);
const { key } = await new ApiKeysService(new ApiKeysStore(db.db), new AuditService(new AuditStore(db.db)), systemClock, undefined).create(
  { name: 'bench-cost', role: 'order_system' },
  { keyId: null, name: 'bench', role: 'admin' },
);
await db.close();
console.log(`${CUSTOMERS} customers; ${REQUESTS} requests per endpoint, 8 connections, after 2,000 to warm up\n`);
console.log(`${'endpoint'.padEnd(44)} ${'req/s'.padStart(7)} ${'Node ms/req'.padStart(12)} ${'PostgreSQL ms/req'.padStart(18)}`);
for (const [mode, path] of [['baseline', '/baseline'], ['vigie', '/v1/order-checks']] as const) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bench-server.ts', mode], { env: { ...process.env, ...bench.env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = (JSON.parse(await new Promise<string>((r) => createInterface({ input: child.stdout! }).once('line', r))) as { port: number }).port;
  let n = 0;
  const run = (amount: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}${path}`,
      connections: 8,
      amount,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      requests: [
        {
          setupRequest: (req) => {
            n++;
            req.body = JSON.stringify({ orderId: `${mode}-${n}`, customerExternalId: `BC${1 + ((n * 7919) % CUSTOMERS)}`, amount: 1000, currency: 'EUR' });
            return req;
          },
        },
      ],
    });
  await run(2000);
  const [node0, pg0] = [ticks(child.pid!), postgresMs()];
  const r = await run(REQUESTS);
  const [node1, pg1] = [ticks(child.pid!), postgresMs()];
  child.kill('SIGTERM');
  const label = mode === 'vigie' ? 'Vigie POST /v1/order-checks' : 'baseline: one UPDATE … RETURNING';
  console.log(`${label.padEnd(44)} ${r.requests.average.toFixed(0).padStart(7)} ${((node1 - node0) / r.requests.total).toFixed(3).padStart(12)} ${((pg1 - pg0) / r.requests.total).toFixed(3).padStart(18)}`);
}
await bench.drop();
