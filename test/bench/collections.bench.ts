import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';
import { addDays, ManualClock } from '../../src/clock.js';

/**
 * npm run bench:collections — the daily collections run over 100,000 customers with 400,000
 * invoices (due dates spread from 90 days ago to 40 days ahead; a quarter of those past due still
 * open), every customer with a billing e-mail, SMTP on 127.0.0.1 (a real SMTP server in another
 * process). Dunning states are seeded as a portfolio that has been dunned every day (each open late
 * invoice at the last step its lateness reached), so a round is an ordinary day: three days in a
 * row, each beside the baseline — one query reading the overdue open invoices — measured just
 * before it. Then the worst day: the first run on a portfolio with no dunning history at all.
 */
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const bench = await createBenchDatabase('collections');
const t0 = Date.now();
const database = await bench.open(8);
const q = (text: string, values?: unknown[]) => database.pool.query(text, values);
const start = new Date().toISOString().slice(0, 10);

await seedPortfolio(database, CUSTOMERS, { invoices: false });
// Four invoices per customer; due dates from start-90 to start+39; those due more than 5 days ago
// are open one time in four (the rest paid), the others open.
await q(
  `INSERT INTO invoices (number, customer_id, issue_date, due_date, amount, currency, open_amount, settled_on)
   SELECT 'CI-' || c.seq || '-' || k, c.id, d.due - 30, d.due, a.amount, 'EUR',
          CASE WHEN d.due >= $1::date - 5 OR (c.seq * 31 + k * 17) % 4 = 0 THEN a.amount ELSE 0 END,
          CASE WHEN d.due >= $1::date - 5 OR (c.seq * 31 + k * 17) % 4 = 0 THEN NULL ELSE d.due + 3 END
     FROM customers c CROSS JOIN generate_series(1, 4) k
     CROSS JOIN LATERAL (SELECT $1::date - 90 + ((c.seq * 7919 + k * 104729) % 130)::int AS due) d
     CROSS JOIN LATERAL (SELECT 10000 + (c.seq * 7919 + k * 104729) % 500000 AS amount) a`,
  [start],
);
await q(
  `INSERT INTO collection_profiles (customer_id, language, contacts, updated_by)
   SELECT id, CASE WHEN seq % 10 = 0 THEN 'en' ELSE 'fr' END,
          jsonb_build_array(jsonb_build_object('name', 'Comptabilité', 'email', 'compta' || seq || '@client.example', 'role', 'billing')), 'bench'
     FROM customers`,
);
// A portfolio dunned every day until yesterday: each open invoice past its pre-due point is at the
// last step of the standard plan whose day has passed.
await q(
  `INSERT INTO dunning_states (invoice_id, customer_id, plan_id, plan_version, step_index, step_key, last_step_on, anchor_on, open_at_step, updated_at)
   SELECT i.id, i.customer_id, 'standard', 1, s.idx, s.key, i.due_date + s.off, i.due_date + s.off, i.open_amount, now()
     FROM invoices i
     CROSS JOIN LATERAL (SELECT idx, key, off FROM (VALUES (0, 'pre_due', -3), (1, 'reminder_courteous', 4), (2, 'reminder_firm', 11), (3, 'call', 15),
                                                           (4, 'penalty_letter', 20), (5, 'formal_notice', 30), (6, 'legal_handover', 45)) v(idx, key, off)
                          WHERE i.due_date + off < $1::date ORDER BY idx DESC LIMIT 1) s
    WHERE i.open_amount > 0`,
  [start],
);
await q('VACUUM ANALYZE');
await q('CHECKPOINT');
const { rows: shape } = await q(
  `SELECT count(*) AS invoices, count(*) FILTER (WHERE open_amount > 0) AS open, count(*) FILTER (WHERE open_amount > 0 AND due_date < $1::date) AS overdue,
          (SELECT count(*) FROM dunning_states) AS states FROM invoices`,
  [start],
);
console.log(`database: ${bench.label}; seeded ${CUSTOMERS} customers, ${shape[0].invoices} invoices (${shape[0].open} open, ${shape[0].overdue} overdue), ${shape[0].states} dunning states in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

// The SMTP server, in its own process.
const sink = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./smtp-sink.ts', import.meta.url))], { stdio: ['pipe', 'pipe', 'inherit'] });
const lines = createInterface({ input: sink.stdout! });
const nextLine = (prefix: string) => new Promise<string>((resolve) => {
  const on = (l: string) => {
    if (l.startsWith(prefix)) {
      lines.off('line', on);
      resolve(l.slice(prefix.length).trim());
    }
  };
  lines.on('line', on);
});
const port = await nextLine('port ');
const received = async () => {
  const p = nextLine('count ');
  sink.stdin!.write('count\n');
  return Number(await p);
};

const clock = new ManualClock(new Date(`${start}T06:00:00Z`));
const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', VIGIE_TIMEZONE: 'UTC', SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_POOL_SIZE: process.env.SMTP_POOL_SIZE ?? '8', COMPANY_NAME: 'Bench SAS', COMPANY_IBAN: 'FR76 3000 6000 0112 3456 7890 189', COMPANY_SIREN: '552100554', COMPANY_ADDRESS: '1 rue du Banc', COMPANY_POSTCODE: '69003', COMPANY_CITY: 'Lyon' });
const container = await createContainer(config, { logger: createLogger('silent'), collectDefaultMetrics: false, database, clock });
const { dunning } = container.services.collections;

const time = async <T>(fn: () => Promise<T>) => {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
};
// Baseline: the overdue open invoices read in one query (what any reminder run must at least read).
const baseline = (day: string) => time(async () => (await q(`SELECT id, customer_id, number, due_date, open_amount FROM invoices WHERE open_amount > 0 AND due_date < $1::date`, [day])).rows.length);

const results: Array<{ day: string; seconds: number; baseline: number; messages: number; actions: number; letters: number }> = [];
for (let r = 0; r < ROUNDS; r++) {
  const day = addDays(start, r);
  clock.set(`${day}T06:00:00Z`);
  const b = await baseline(day);
  const before = await received();
  const run = await time(() => dunning.run());
  const messages = (await received()) - before;
  const c = run.value;
  results.push({ day, seconds: run.seconds, baseline: b.seconds, messages, actions: c.actions, letters: c.letters });
  console.log(
    `day ${day}: run ${run.seconds.toFixed(2)} s — ${c.customers} customers with open invoices in reach, ${c.actions} actions (${c.emails} e-mails, ${c.letters} letters, ${c.calls} calls, ${c.tasks} tasks); ` +
      `deciding ${((c.decideMs ?? 0) / 1000).toFixed(2)} s (read ${((c.readMs ?? 0) / 1000).toFixed(1)}, render ${((c.renderMs ?? 0) / 1000).toFixed(1)}, write ${((c.writeMs ?? 0) / 1000).toFixed(1)}, blocks ${((c.blocksMs ?? 0) / 1000).toFixed(1)}), sending ${((c.sendMs ?? 0) / 1000).toFixed(2)} s; SMTP received ${messages} (${(messages / run.seconds).toFixed(0)} messages/s); baseline ${b.seconds.toFixed(3)} s (${b.value} overdue invoices read); ratio baseline/run ${(b.seconds / run.seconds).toFixed(3)}`,
  );
}
const range = (xs: number[], d = 2) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;
console.log(
  `ordinary days (${ROUNDS}): run ${range(results.map((r) => r.seconds))} s, baseline ${range(results.map((r) => r.baseline), 3)} s, ratio ${range(results.map((r) => r.baseline / r.seconds), 3)}, ` +
    `${range(results.map((r) => r.messages / r.seconds), 0)} messages/s; target ≤ 60 s and ratio ≥ 0.3`,
);

// The worst day: no dunning history at all (the first run after installing), every late invoice due a step.
await q('TRUNCATE dunning_states');
const day = addDays(start, ROUNDS);
clock.set(`${day}T06:00:00Z`);
const b = await baseline(day);
const before = await received();
const first = await time(() => dunning.run());
const messages = (await received()) - before;
console.log(
  `first run without history (${day}): ${first.seconds.toFixed(2)} s — ${first.value.actions} actions (${first.value.emails} e-mails, ${first.value.letters} letters); deciding ${((first.value.decideMs ?? 0) / 1000).toFixed(2)} s, sending ${((first.value.sendMs ?? 0) / 1000).toFixed(2)} s; SMTP received ${messages} (${(messages / first.seconds).toFixed(0)} messages/s); ` +
    `baseline ${b.seconds.toFixed(3)} s; ratio ${(b.seconds / first.seconds).toFixed(3)}`,
);

sink.stdin!.end();
await container.close();
await database.close();
await bench.drop();
