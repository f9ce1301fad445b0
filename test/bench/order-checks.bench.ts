import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { ApiKeysService } from '../../src/api-keys/api-keys-service.js';
import { ApiKeysStore } from '../../src/api-keys/api-keys-store.js';
import { AuditService } from '../../src/audit/audit-service.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import { systemClock } from '../../src/clock.js';

/**
 * npm run bench:order-checks — order checks over HTTP on loopback against 100,000 customers with
 * ledgers, beside a bare express endpoint doing one indexed single-row UPDATE … RETURNING on the
 * same database, measured in the same run with the same load.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const DURATION = Number(process.env.BENCH_SECONDS ?? 15);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);

async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the servers.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'test/bench/bench-server.ts', mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

function load(url: string, key: string | null, seconds: number, run: string) {
  let n = 0;
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    requests: [
      {
        setupRequest: (req) => {
          n++;
          const customer = 1 + ((n * 7919) % CUSTOMERS);
          req.body = JSON.stringify({ orderId: `${run}-${n}`, customerExternalId: `BC${customer}`, amount: 1000 + ((n * 31) % 9000), currency: 'EUR' });
          return req;
        },
      },
    ],
  });
}

const bench = await createBenchDatabase('orders');
const t0 = Date.now();
const db = await bench.open();
await seedPortfolio(db, CUSTOMERS);
const audit = new AuditService(new AuditStore(db.db));
const { key } = await new ApiKeysService(new ApiKeysStore(db.db), audit, systemClock, undefined).create(
  { name: 'bench-orders', role: 'order_system' },
  { keyId: null, name: 'bench', role: 'admin' },
);
const counts = await db.pool.query('SELECT (SELECT count(*) FROM customers) AS customers, (SELECT count(*) FROM invoices) AS invoices');
await db.close();
console.log(`database: ${bench.label}; seeded ${counts.rows[0].customers} customers and ${counts.rows[0].invoices} invoices in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
console.log(`load: ${CONNECTIONS} concurrent connections over HTTP on 127.0.0.1, ${DURATION} s per run after a 3 s warm-up\n`);

const results: Record<string, autocannon.Result> = {};
for (const [mode, path] of [
  ['baseline', '/baseline'],
  ['vigie', '/v1/order-checks'],
] as const) {
  const { child, port } = await startServer(mode, bench.env);
  const url = `http://127.0.0.1:${port}${path}`;
  await load(url, mode === 'vigie' ? key : null, 3, `warm-${mode}`);
  results[mode] = await load(url, mode === 'vigie' ? key : null, DURATION, `run-${mode}`);
  child.kill('SIGTERM');
  const r = results[mode]!;
  if (r.non2xx > 0 || r.errors > 0) console.log(`  ${mode}: ${r.non2xx} non-2xx responses, ${r.errors} errors`);
}

const decisions = await (async () => {
  const check = await bench.open(2);
  const { rows } = await check.pool.query("SELECT decision, count(*)::int AS n FROM order_checks WHERE order_id LIKE 'run-vigie-%' GROUP BY decision ORDER BY decision");
  await check.close();
  return rows.map((r) => `${r.decision} ${r.n}`).join(', ');
})();

const row = (label: string, r: autocannon.Result) =>
  `${label.padEnd(46)} ${r.requests.average.toFixed(0).padStart(8)} ${String(r.latency.p50).padStart(8)} ${String(r.latency.p99).padStart(8)}`;
console.log(`${'endpoint'.padEnd(46)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)}`);
console.log(row('baseline: bare express, one UPDATE … RETURNING', results.baseline!));
console.log(row('Vigie POST /v1/order-checks (decisions)', results.vigie!));
const ratio = results.vigie!.requests.average / results.baseline!.requests.average;
console.log(`\nratio Vigie / baseline: ${ratio.toFixed(2)}× (target ≥ 0.70×); Vigie p99 ${results.vigie!.latency.p99} ms (target < 10 ms)`);
console.log(`decisions recorded in the measured run: ${decisions}`);
await bench.drop();
