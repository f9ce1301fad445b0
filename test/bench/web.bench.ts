import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';

/**
 * npm run bench:web — the portfolio page with 100,000 customers (four invoices each), in Debian's
 * headless Chromium: the time from navigation to the first rows on screen, the server's time for the
 * page (its query and rendering, read with fetch), and beside them, in the same run, the bare list
 * query behind each view (the first 51 keys from the same index). Alternating rounds, for the default
 * sort (name), a search, the sort by exposure, the oldest overdue first, an owner (one customer in ten has
 * one; 100 are Anne Dupont's), and the overdue customers by exposure;
 * BENCH_HOLDS customers (2,000) hold an order, which the sort by exposure computes besides the top of its index.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const HOLDS = Number(process.env.BENCH_HOLDS ?? 2_000);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'bench password 123';

const bench = await createBenchDatabase('web');
const database = await bench.open(10);
await seedPortfolio(database, CUSTOMERS);
// Orders waiting for their invoice: active holds on HOLDS customers (spread over the portfolio).
await database.pool.query(
  `INSERT INTO order_checks (order_id, customer_id, amount, currency, decision, facts, hold_id, hold_status, hold_amount, expires_at, checked_by, created_at, updated_at)
   SELECT 'BENCH-HOLD-' || c.seq, c.id, 250000, 'EUR', 'approved', '{}', gen_random_uuid(), 'active', 250000, now() + interval '1 day', 'bench', now(), now()
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM customers) c
    WHERE c.seq % ${Math.max(1, Math.floor(CUSTOMERS / Math.max(1, HOLDS)))} = 0 LIMIT ${HOLDS}`,
);
// Collections profiles: one customer in ten has an owner, one in a hundred of them is Anne Dupont's.
await database.pool.query(
  `INSERT INTO collection_profiles (customer_id, owner, collector, updated_by)
   SELECT c.id, jsonb_build_object('name', CASE WHEN c.seq % 1000 = 0 THEN 'Anne Dupont' ELSE 'Owner ' || (c.seq % 97) END), 'collector' || (c.seq % 7) || '@bench.example', 'bench'
     FROM (SELECT id, row_number() OVER (ORDER BY id) AS seq FROM customers) c WHERE c.seq % 10 = 0`,
);
// The sort keys of the customers just written (all of them), refreshed once as the first page would.
const refreshStarted = process.hrtime.bigint();
const refreshed = (await database.pool.query<{ n: number }>('SELECT vigie_refresh_stale_portfolio_positions() AS n')).rows[0]!.n;
const refreshMs = Number(process.hrtime.bigint() - refreshStarted) / 1e6;
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', SESSION_COOKIE_SECURE: 'true' });
const container = await createContainer(config, { logger: createLogger('silent'), collectDefaultMetrics: false, database });
await container.services.users.create({ email: 'bench@vigie.local', name: 'Bench', role: 'credit_manager', password: PASSWORD }, { keyId: null, name: 'bench', role: 'admin' });
const server = container.app.listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = `http://localhost:${(server.address() as AddressInfo).port}`;
console.log(`database: ${bench.label}; ${CUSTOMERS} customers, ${CUSTOMERS * 4} invoices, ${HOLDS} customers with an order hold; Chromium ${CHROMIUM}`);
console.log(`sort keys of the ${refreshed} customers written by the seed refreshed in ${refreshMs.toFixed(0)} ms (once, by the first page after such a write)`);

const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
const page = await browser.newPage();
await page.goto(`${base}/login`);
await page.getByLabel('Adresse e-mail').fill('bench@vigie.local');
await page.getByLabel('Mot de passe').fill(PASSWORD);
await page.getByRole('button', { name: 'Se connecter' }).click();
await page.waitForURL(`${base}/`);
const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');

const ms = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;
const views = [
  { label: 'by name', path: '/', bare: "SELECT id, name FROM customers ORDER BY name, id LIMIT 51" },
  { label: 'search "customer 4242"', path: '/?q=customer+4242', bare: "SELECT id, name FROM customers WHERE name ILIKE '%customer 4242%' ORDER BY name, id LIMIT 51" },
  { label: 'by exposure', path: '/?sort=exposure', bare: 'SELECT customer_id FROM portfolio_positions ORDER BY ledger_exposure DESC, customer_id LIMIT 51' },
  { label: 'oldest overdue first', path: '/?sort=overdue', bare: 'SELECT customer_id FROM portfolio_positions ORDER BY oldest_open_due, customer_id LIMIT 51' },
  {
    label: 'owner "dupont"',
    path: '/?owner=dupont',
    bare: "SELECT c.id FROM customers c WHERE EXISTS (SELECT 1 FROM collection_profiles cp WHERE cp.customer_id = c.id AND (cp.owner->>'name' ILIKE '%dupont%' OR cp.collector ILIKE '%dupont%')) ORDER BY c.name, c.id LIMIT 51",
  },
  { label: 'overdue, by exposure', path: '/?status=overdue&sort=exposure', bare: 'SELECT customer_id FROM portfolio_positions WHERE oldest_open_due < current_date ORDER BY ledger_exposure DESC, customer_id LIMIT 51' },
];
const results = new Map<string, { browser: number[]; server: number[]; bare: number[] }>();
for (let round = 1; round <= ROUNDS; round++) {
  for (const v of views) {
    const r = results.get(v.label) ?? { browser: [], server: [], bare: [] };
    let t = process.hrtime.bigint();
    await database.pool.query(v.bare);
    r.bare.push(ms(t));
    t = process.hrtime.bigint();
    const res = await fetch(`${base}${v.path}`, { headers: { cookie } });
    await res.text();
    r.server.push(ms(t));
    t = process.hrtime.bigint();
    await page.goto(`${base}${v.path}`, { waitUntil: 'commit' });
    await page.locator('tbody tr').first().waitFor();
    r.browser.push(ms(t));
    results.set(v.label, r);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
console.log(`\n${ROUNDS} alternating rounds; milliseconds, median (range)`);
console.log('view                      first rows in Chromium    page from the server      bare list query');
for (const [label, r] of results) {
  console.log(
    `${label.padEnd(25)} ${`${median(r.browser).toFixed(0)} (${range(r.browser)})`.padEnd(25)} ${`${median(r.server).toFixed(0)} (${range(r.server)})`.padEnd(25)} ${median(r.bare).toFixed(1)} (${Math.min(...r.bare).toFixed(1)}–${Math.max(...r.bare).toFixed(1)})`,
  );
}
await browser.close();
server.close();
await container.close();
await database.close();
await bench.drop();
