import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import { mapSearch } from '../../sources/recherche-entreprises/recherche-entreprises-mapper.js';
import { mapStatements } from '../../sources/ratios-inpi-bce/ratios-inpi-bce-mapper.js';
import { fixtureJson } from '../setup/fixture-server.js';
import { collectiveRecord, ganymedeRecords } from '../setup/sources-server.js';

/**
 * npm run bench:monitoring — 100,000 customers with ledgers, registry and financial data stored;
 * one day of BODACC announcements served on 127.0.0.1. Prints the requests the daily delta makes
 * and its time, the time to re-score the customers it affects, and the nightly full re-score
 * (first run: everyone; second run: nothing changed) beside a baseline: reading the same rows.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ANNOUNCEMENTS = Number(process.env.BENCH_ANNOUNCEMENTS ?? 6_000);
const AFFECTED = Math.max(1, Math.round(ANNOUNCEMENTS / 100));

const bench = await createBenchDatabase('monitoring');
const t0 = Date.now();
const database = await bench.open(8);
await seedPortfolio(database, CUSTOMERS);

// Every customer's registry answer and statements, from the Danone recordings, varied per customer.
const identity = mapSearch(fixtureJson('recherche-entreprises/search-q-552032534-danone-active-with-finances.json')).companies[0]!;
const statements = mapStatements(fixtureJson('ratios-inpi-bce/records-v1-search-siren-552032534-danone.json')).filter((s) => s.type === 'C').slice(0, 3);
const now = new Date();
await database.pool.query(
  `INSERT INTO source_results (source, key, data, fetched_at)
   SELECT 'recherche-entreprises', c.siren,
          jsonb_set(jsonb_set($1::jsonb, '{siren}', to_jsonb(c.siren)), '{createdOn}', to_jsonb((date '1960-01-01' + (c.seq % 20000)::int)::text)), $3::timestamptz
     FROM customers c
   UNION ALL
   SELECT 'ratios-inpi-bce', c.siren,
          (SELECT jsonb_agg(jsonb_set(jsonb_set(s, '{siren}', to_jsonb(c.siren)), '{ratios,equityRatio}', to_jsonb(((c.seq * 37) % 120) - 20)))
             FROM jsonb_array_elements($2::jsonb) s), $3::timestamptz
     FROM customers c`,
  [JSON.stringify(identity), JSON.stringify(statements), now],
);
await database.pool.query('VACUUM ANALYZE source_results');
console.log(`database: ${bench.label}; seeded ${CUSTOMERS} customers (4 invoices each, registry and financial data stored) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// One day of BODACC: ANNOUNCEMENTS announcements for companies across France, AFFECTED of them about customers.
const today = new Date().toISOString().slice(0, 10);
const template = ganymedeRecords();
const day: Array<Record<string, unknown>> = Array.from({ length: ANNOUNCEMENTS }, (_, i) => {
  if (i % 100 === 0) {
    const siren = String(1 + ((i * 7919) % CUSTOMERS)).padStart(9, '0');
    return collectiveRecord(siren, `A${today.replace(/-/g, '')}${String(i).padStart(5, '0')}`, "Jugement d'ouverture d'une procédure de redressement judiciaire", today, today);
  }
  return { ...template[i % 3]!, id: `B${today.replace(/-/g, '')}${String(i).padStart(5, '0')}`, dateparution: today, registre: [String(900_000_000 + i)] };
});
let requests = 0;
const server = http.createServer((req, res) => {
  requests++;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const where = url.searchParams.get('where') ?? '';
  const records = where.includes(`'${today}'`) ? day : [];
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 100);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ total_count: records.length, results: records.slice(offset, offset + limit) }));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', BODACC_URL: base, MONITORING_BODACC_FIRST_DAYS: '0', VIGIE_TIMEZONE: 'UTC' });
const container = await createContainer(config, { logger: createLogger('silent'), collectDefaultMetrics: false, database });
const { monitoring, assessments, companies } = container.services;
const time = async <T>(fn: () => Promise<T>) => {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
};

// Baseline: read the rows a re-score reads (customers, stored source answers, announcements,
// invoices, latest digests), by chunks of 5,000 customers as the re-score does, without scoring or writing.
const ids = (await database.pool.query<{ id: string; siren: string }>('SELECT id, siren FROM customers ORDER BY seq')).rows;
const baseline = await time(async () => {
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    await Promise.all([
      companies.stored(chunk.map((c) => c.siren)),
      database.pool.query('SELECT siren, event FROM legal_events WHERE siren = ANY($1)', [chunk.map((c) => c.siren)]),
      database.pool.query(
        `SELECT customer_id, amount, open_amount, due_date, settled_on FROM invoices WHERE customer_id = ANY($1::uuid[])`,
        [chunk.map((c) => c.id)],
      ),
      database.pool.query('SELECT DISTINCT ON (customer_id) customer_id, inputs_hash FROM assessments WHERE customer_id = ANY($1::uuid[]) ORDER BY customer_id, assessed_at DESC', [chunk.map((c) => c.id)]),
    ]);
  }
});

const first = await time(() => assessments.rescore());
const second = await time(() => assessments.rescore());
if (process.env.BENCH_DEBUG) {
  const { rows } = await database.pool.query('SELECT avg(pg_column_size(report))::int AS stored, avg(length(report::text))::int AS text FROM assessments');
  console.log('report size', rows[0]);
}
const watch = await time(() => monitoring.exposureWatch.run());

// The daily delta: the day's pages, matched to the portfolio, then the affected customers re-scored.
let rescoreSeconds = 0;
const rescoreCustomers = monitoring.rescore.rescoreCustomers.bind(monitoring.rescore);
monitoring.rescore.rescoreCustomers = async (customerIds: readonly string[]) => {
  const r = await time(() => rescoreCustomers(customerIds));
  rescoreSeconds += r.seconds;
  return r.value;
};
const delta = await time(() => monitoring.bodaccDelta.run());

const s = (x: number) => `${x.toFixed(2)} s`;
console.log(`\nBODACC delta: ${ANNOUNCEMENTS} announcements published today, ${AFFECTED} about customers`);
console.log(`  requests made: ${requests} (${delta.value.days} day, pages of 100; one request per customer would be ${CUSTOMERS})`);
console.log(`  delta time: ${s(delta.seconds)} (paced by BODACC's 5 requests/s), of which re-scoring ${delta.value.rescored} affected customers: ${s(rescoreSeconds)}`);
console.log(`  new announcements stored: ${delta.value.newEvents}, alerts raised: ${delta.value.alerts}, grade changes: ${delta.value.gradeChanges}`);
console.log(`\nnightly re-score of ${CUSTOMERS} customers (from stored data; no source is called)`);
console.log(`  baseline, reading the same rows:           ${s(baseline.seconds)}`);
console.log(`  first run (every customer assessed):       ${s(first.seconds)}  ${(first.seconds / baseline.seconds).toFixed(2)}× baseline  (${first.value.assessed} assessed; target ≤ 20 s)`);
console.log(`  next run (inputs unchanged, none written): ${s(second.seconds)}  ${(second.seconds / baseline.seconds).toFixed(2)}× baseline  (${second.value.unchanged} unchanged)`);
console.log(`  exposure watch of the whole portfolio:     ${s(watch.seconds)} (${watch.value.blocked} blocked)`);
await container.close();
await database.close();
server.close();
await bench.drop();
