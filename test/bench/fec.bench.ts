import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { loadConfig } from '../../src/config.js';
import { createContainer } from '../../src/container.js';
import { createLogger } from '../../src/logger.js';

/**
 * npm run bench:fec — a generated FEC of 1,000,000 lines (customer invoices of three lines: 411
 * debit, 706 and 44571 credits; payments of two lines: 512 debit, 411 credit, lettered with their
 * invoice; one invoice in five left unpaid) for 100,000 customers, imported by the FEC importer
 * (parse, lettering, ledger writes in one transaction, reconciliation), beside a plain COPY of the
 * same lines into a table of the same 18 text columns, in the same run.
 */
const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);

const bench = await createBenchDatabase('fec');
const database = await bench.open(8);
await seedPortfolio(database, CUSTOMERS, { invoices: false });
const file = path.join(os.tmpdir(), `vigie-bench-${process.pid}-FEC.txt`);

// Generate: entries of 3 lines (invoice) then 2 (its payment, unless one in five).
const out = createWriteStream(file, { encoding: 'latin1' });
const header = 'JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n';
out.write(header);
let lines = 0;
let n = 0;
let buf = '';
const money = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
while (lines < LINES) {
  n++;
  const aux = `BC${1 + (n % CUSTOMERS)}`;
  const day = `2025${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`;
  const ttc = 12_000 + ((n * 7919) % 900_000);
  const ht = Math.round(ttc / 1.2);
  const paid = n % 5 !== 0 && lines + 5 <= LINES;
  const letter = paid ? `L${n.toString(36).toUpperCase()}` : '';
  const dlet = paid ? '20251231' : '';
  buf += `VE\tVentes\tV${n}\t${day}\t411000\tClients\t${aux}\tClient ${aux} Crèmerie\tFA-${n}\t${day}\tFacture FA-${n}\t${money(ttc)}\t\t${letter}\t${dlet}\t${day}\t\t\n`;
  buf += `VE\tVentes\tV${n}\t${day}\t706000\tPrestations\t\t\tFA-${n}\t${day}\tFacture FA-${n}\t\t${money(ht)}\t\t\t${day}\t\t\n`;
  buf += `VE\tVentes\tV${n}\t${day}\t445710\tTVA collectée\t\t\tFA-${n}\t${day}\tFacture FA-${n}\t\t${money(ttc - ht)}\t\t\t${day}\t\t\n`;
  lines += 3;
  if (paid) {
    buf += `BQ\tBanque\tB${n}\t20251231\t512000\tBanque\t\t\tVIR-${n}\t20251231\tVirement ${aux}\t${money(ttc)}\t\t\t\t20251231\t\t\n`;
    buf += `BQ\tBanque\tB${n}\t20251231\t411000\tClients\t${aux}\tClient ${aux} Crèmerie\tVIR-${n}\t20251231\tVirement ${aux}\t\t${money(ttc)}\t${letter}\t${dlet}\t20251231\t\t\n`;
    lines += 2;
  }
  if (buf.length > 1 << 20) {
    if (!out.write(buf)) await once(out, 'drain');
    buf = '';
  }
}
out.end(buf);
await once(out, 'finish');
console.log(`database: ${bench.label}; ${CUSTOMERS} customers; FEC of ${lines} lines (${(statSync(file).size / 1e6).toFixed(0)} MB, ISO 8859-15), ${n} invoices`);

const time = async <T>(fn: () => Promise<T>) => {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
};

// Baseline: COPY of the same lines into a table of the same 18 text columns.
await database.pool.query(`CREATE TABLE fec_copy (${header.trim().split('\t').map((c) => `"${c}" text`).join(', ')})`);
const copy = await time(async () => {
  const client = await database.pool.connect();
  try {
    const stream = client.query(copyStreams.from("COPY fec_copy FROM STDIN WITH (FORMAT text, DELIMITER E'\\t', ENCODING 'LATIN9', HEADER true)"));
    await pipeline(createReadStream(file), stream);
  } finally {
    client.release();
  }
});
await database.pool.query('DROP TABLE fec_copy');
await database.pool.query('CHECKPOINT');

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent', VIGIE_TIMEZONE: 'UTC' });
const container = await createContainer(config, { logger: createLogger('silent'), collectDefaultMetrics: false, database });
const imported = await time(() => container.services.fec.import(createReadStream(file, { highWaterMark: 1 << 20 }), { asOf: '2025-12-31' }, { keyId: null, name: 'bench', role: 'admin' }));
const r = imported.value;
const rss = process.memoryUsage().rss / 1e6;
console.log(`COPY baseline: ${copy.seconds.toFixed(1)} s (${Math.round(lines / copy.seconds).toLocaleString('en')} lines/s)`);
console.log(
  `FEC import: ${imported.seconds.toFixed(1)} s (${Math.round(lines / imported.seconds).toLocaleString('en')} lines/s) — ${r.documents.invoices} invoices, ${r.documents.payments} payments, ` +
    `${r.lettering.allocated} allocations from lettering; parse ${(r.timings.parseMs / 1000).toFixed(1)} s, plan ${(r.timings.planMs / 1000).toFixed(1)} s, write ${(r.timings.writeMs / 1000).toFixed(1)} s, reconcile ${(r.timings.reconcileMs / 1000).toFixed(1)} s; reconciliation ${r.reconciliation.matches ? 'matches' : 'DOES NOT match'} for ${r.reconciliation.customers.length} customers; process RSS ${rss.toFixed(0)} MB`,
);
console.log(`ratio COPY/import ${(copy.seconds / imported.seconds).toFixed(2)}× (target ≥ 0.4×), import ${imported.seconds.toFixed(1)} s (target ≤ 30 s)`);

await container.close();
await database.close();
await bench.drop();
rmSync(file, { force: true });
