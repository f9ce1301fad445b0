import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { ApiKeysService } from '../../src/api-keys/api-keys-service.js';
import { ApiKeysStore } from '../../src/api-keys/api-keys-store.js';
import { AuditService } from '../../src/audit/audit-service.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import { systemClock } from '../../src/clock.js';
import { openLoop, quantile } from './open-loop.js';

/**
 * npm run bench:order-checks — order checks over HTTP on loopback against 100,000 customers with
 * ledgers, beside a bare express endpoint doing one indexed single-row UPDATE … RETURNING on the
 * same database, measured in the same run with the same load.
 *
 * Throughput: both servers saturated by BENCH_CONNECTIONS closed-loop connections, in alternating
 * rounds (baseline, Vigie, baseline, Vigie…) so that drift in a shared machine's speed falls on
 * both. Latency: at saturation a closed loop's latency is only connections ÷ throughput (Little's
 * law), so each endpoint is then also sent open-loop loads at fixed rates both can serve
 * (BENCH_RATE, comma-separated requests/s; by default a quarter and a half of the slower
 * endpoint's measured throughput) over up to 64 connections, where p99 says how long an order
 * system waits at that load.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);

async function startServer(mode: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", profiles the servers.
  const nodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'test/bench/bench-server.ts', mode], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The first line that announces the port (node flags such as --trace-gc also write to stdout).
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (l.startsWith('{"port"')) resolve(l);
      else if (process.env.BENCH_DEBUG) console.error(`[${mode}] ${l}`);
    });
    child.once('exit', (code) => reject(new Error(`${mode} server exited ${code}`)));
  });
  return { child, port: (JSON.parse(line) as { port: number }).port };
}

let sent = 0;
function load(url: string, key: string | null, seconds: number, run: string, rate?: number) {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    ...(rate ? { overallRate: rate } : {}),
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    requests: [
      {
        setupRequest: (req) => {
          sent++;
          const customer = 1 + ((sent * 7919) % CUSTOMERS);
          req.body = JSON.stringify({ orderId: `${run}-${sent}`, customerExternalId: `BC${customer}`, amount: 1000 + ((sent * 31) % 9000), currency: 'EUR' });
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
console.log(`load: ${CONNECTIONS} concurrent connections over HTTP on 127.0.0.1; ${ROUNDS} alternating rounds of ${SECONDS} s per endpoint after a 3 s warm-up each\n`);

const servers = {
  baseline: { ...(await startServer('baseline', bench.env)), path: '/baseline', key: null as string | null },
  vigie: { ...(await startServer('vigie', bench.env)), path: '/v1/order-checks', key: key as string | null },
};
type Mode = keyof typeof servers;
const url = (mode: Mode) => `http://127.0.0.1:${servers[mode].port}${servers[mode].path}`;
const problems = (mode: Mode, r: autocannon.Result) => {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) console.log(`  ${mode}: ${r.non2xx} non-2xx responses, ${r.errors} errors, ${r.timeouts} timeouts`);
};

const label = { baseline: 'baseline: bare express, one UPDATE … RETURNING', vigie: 'Vigie POST /v1/order-checks (decisions)' };
const pad = (s: string | number, n: number) => String(s).padStart(n);
console.log(`${'round  endpoint'.padEnd(53)} ${pad('req/s', 8)} ${pad('p50 ms', 8)} ${pad('p99 ms', 8)}`);
for (const mode of ['baseline', 'vigie'] as const) await load(url(mode), servers[mode].key, 3, `warm-${mode}`);
const totals = { baseline: { requests: 0, seconds: 0 }, vigie: { requests: 0, seconds: 0 } };
const ratios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const rates = {} as Record<Mode, number>;
  for (const mode of ['baseline', 'vigie'] as const) {
    const r = await load(url(mode), servers[mode].key, SECONDS, `run-${mode}`);
    problems(mode, r);
    rates[mode] = r.requests.total / r.duration;
    totals[mode].requests += r.requests.total;
    totals[mode].seconds += r.duration;
    console.log(`${pad(round, 5)}  ${label[mode].padEnd(46)} ${pad(rates[mode].toFixed(0), 8)} ${pad(r.latency.p50, 8)} ${pad(r.latency.p99, 8)}`);
  }
  ratios.push(rates.vigie / rates.baseline);
}
const throughput = (mode: Mode) => totals[mode].requests / totals[mode].seconds;
const ratio = throughput('vigie') / throughput('baseline');
const sorted = [...ratios].sort((a, b) => a - b);
console.log(`\nthroughput: baseline ${throughput('baseline').toFixed(0)} req/s, Vigie ${throughput('vigie').toFixed(0)} decisions/s`);
console.log(`ratio Vigie / baseline: ${ratio.toFixed(2)}× over all rounds (per round ${ratios.map((x) => x.toFixed(2)).join(', ')}; lowest ${sorted[0]!.toFixed(2)}) — target ≥ 0.70×`);

const slower = Math.min(throughput('vigie'), throughput('baseline'));
const loadRates = process.env.BENCH_RATE
  ? process.env.BENCH_RATE.split(',').map(Number)
  : [4, 2].map((d) => Math.round(slower / d / 50) * 50);
for (const rate of loadRates) {
  console.log(`\nlatency under an open-loop load of ${rate} requests/s, evenly spaced, over up to ${CONNECTIONS} connections; ${ROUNDS} alternating rounds of ${SECONDS} s:`);
  const pooled = { baseline: [] as number[], vigie: [] as number[] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of ['baseline', 'vigie'] as const) {
      const r = await openLoop({
        url: url(mode),
        headers: { 'content-type': 'application/json', ...(servers[mode].key ? { authorization: `Bearer ${servers[mode].key}` } : {}) },
        body: (i) => JSON.stringify({ orderId: `rate${rate}-${mode}-${round}-${i}`, customerExternalId: `BC${1 + ((i * 7919 + round * 104_729) % CUSTOMERS)}`, amount: 1000 + ((i * 31) % 9000), currency: 'EUR' }),
        rate,
        seconds: SECONDS,
        connections: CONNECTIONS,
      });
      if (r.failed > 0) console.log(`  ${mode}: ${r.failed} failed requests`);
      pooled[mode].push(...r.latencies);
      console.log(`${pad(round, 5)}  ${label[mode].padEnd(46)} ${pad((r.ok / r.seconds).toFixed(0), 8)} ${pad(r.p50, 8)} ${pad(r.p99, 8)}`);
    }
  }
  const v = pooled.vigie.sort((a, b) => a - b);
  const b = pooled.baseline.sort((a, b) => a - b);
  console.log(
    `all rounds at ${rate} requests/s: Vigie p50 ${quantile(v, 0.5)} ms, p99 ${quantile(v, 0.99)} ms (target < 10 ms); ` +
      `baseline p50 ${quantile(b, 0.5)} ms, p99 ${quantile(b, 0.99)} ms`,
  );
}
for (const s of Object.values(servers)) s.child.kill('SIGTERM');

const check = await bench.open(2);
const { rows } = await check.pool.query("SELECT decision, count(*)::int AS n FROM order_checks WHERE order_id LIKE 'run-vigie-%' GROUP BY decision ORDER BY decision");
await check.close();
console.log(`decisions recorded in the measured rounds: ${rows.map((r) => `${r.decision} ${r.n}`).join(', ')}`);
await bench.drop();
