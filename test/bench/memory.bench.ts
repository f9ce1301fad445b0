import { createReadStream, createWriteStream, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { startVigie } from '../setup/vigie-process.js';

/**
 * npm run bench:memory — the API process's memory while it takes large and hostile uploads, read
 * from the kernel (/proc/<pid>/status: VmRSS now, VmHWM the peak; the peak is reset before each
 * upload by writing 5 to /proc/<pid>/clear_refs). The process is a real `npm start` on
 * BENCH_DATABASE_URL / DATABASE_URL, else on the embedded database.
 *
 * Uploads: a ledger CSV of BENCH_CSV_MB (200) megabytes; a FEC of BENCH_FEC_LINES (1,000,000)
 * lines; a CSV whose second line is 150 MB long and never ends (refused); a declared 600 MB body
 * (refused before reading). Goal (issue 20): peak ≤ idle + 300 MB for each.
 */
const CSV_MB = Number(process.env.BENCH_CSV_MB ?? 200);
const FEC_LINES = Number(process.env.BENCH_FEC_LINES ?? 1_000_000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const ADMIN = 'bench-memory-admin-key-0123456789abcdef';

const bench = await createBenchDatabase('memory');
const seed = await bench.open(4);
await seedPortfolio(seed, CUSTOMERS, { invoices: false });
await seed.close();

// Each upload gets a fresh process, so that one upload's heap (which V8 keeps once grown) is not
// the next one's idle.
const start = () => startVigie('api', { ...bench.env, VIGIE_ADMIN_KEY: ADMIN, JOBS_IN_PROCESS: 'false', LOG_LEVEL: 'warn' });
let api = await start();
let pid = api.child.pid!;
const status = () => readFileSync(`/proc/${pid}/status`, 'utf8');
const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())![1]) / 1024;
const resetPeak = () => writeFileSync(`/proc/${pid}/clear_refs`, '5');

async function settle(): Promise<number> {
  await new Promise((r) => setTimeout(r, 3_000));
  return kb('VmRSS');
}

const tmp = (name: string) => path.join(os.tmpdir(), `vigie-bench-memory-${process.pid}-${name}`);

async function write(file: string, generate: (push: (s: string) => Promise<void>) => Promise<void>): Promise<number> {
  const out = createWriteStream(file);
  let buf = '';
  await generate(async (s) => {
    buf += s;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  });
  out.end(buf);
  await once(out, 'finish');
  return statSync(file).size;
}

async function upload(route: string, type: string, file: string): Promise<{ status: number; ms: number; body: string }> {
  const started = Date.now();
  const res = await fetch(`${api.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type },
    body: Readable.toWeb(createReadStream(file)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  const body = await res.text();
  return { status: res.status, ms: Date.now() - started, body: body.slice(0, 300) };
}

const rows: Array<{ what: string; size: string; status: number; seconds: string; idle: number; peak: number; above: number }> = [];
async function measure(what: string, size: string, run: () => Promise<{ status: number; ms: number; body: string }>) {
  await api.stop();
  api = await start();
  pid = api.child.pid!;
  const idle = await settle();
  resetPeak();
  const r = await run();
  const peak = kb('VmHWM');
  rows.push({ what, size, status: r.status, seconds: (r.ms / 1000).toFixed(1), idle: Math.round(idle), peak: Math.round(peak), above: Math.round(peak - idle) });
  console.log(`${what} (${size}): HTTP ${r.status} in ${(r.ms / 1000).toFixed(1)} s; process RSS idle ${Math.round(idle)} MB, peak ${Math.round(peak)} MB (+${Math.round(peak - idle)} MB)${r.status >= 400 ? ` — ${r.body}` : ''}`);
}

console.log(`database: ${bench.label}; ${CUSTOMERS.toLocaleString('en')} customers; a fresh API process (npm start) per upload`);
console.log(`idle after start: ${Math.round(await settle())} MB RSS`);

// 1. A ledger CSV of CSV_MB megabytes (invoices for the seeded customers).
const csv = tmp('ledger.csv');
const csvBytes = await write(csv, async (push) => {
  await push('number;customer_external_id;issue_date;due_date;amount;currency\n');
  let written = 0;
  for (let n = 1; written < CSV_MB * 1e6; n++) {
    const line = `MEM-${n};BC${1 + (n % CUSTOMERS)};2026-01-${String(1 + (n % 28)).padStart(2, '0')};2026-03-01;${100 + (n % 9000)},${String(n % 100).padStart(2, '0')};EUR\n`;
    written += line.length;
    await push(line);
  }
});
await measure('ledger CSV import', `${(csvBytes / 1e6).toFixed(0)} MB`, () => upload('/v1/imports/ledger', 'text/csv', csv));
rmSync(csv, { force: true });

// 2. A FEC of FEC_LINES lines: invoices of three lines, payments of two lettered with them.
const fec = tmp('fec.txt');
const fecBytes = await write(fec, async (push) => {
  await push('JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n');
  const money = (cents: number) => `${Math.floor(cents / 100)},${String(cents % 100).padStart(2, '0')}`;
  let lines = 0;
  for (let n = 1; lines < FEC_LINES; n++) {
    const aux = `BC${1 + (n % CUSTOMERS)}`;
    const day = `2025${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (n % 28)).padStart(2, '0')}`;
    const ttc = 12_000 + ((n * 7919) % 900_000);
    const ht = Math.round(ttc / 1.2);
    const paid = n % 5 !== 0 && lines + 5 <= FEC_LINES;
    const letter = paid ? `L${n.toString(36).toUpperCase()}` : '';
    await push(`VE\tVentes\tM${n}\t${day}\t411000\tClients\t${aux}\tClient ${aux}\tFM-${n}\t${day}\tFacture FM-${n}\t${money(ttc)}\t\t${letter}\t${paid ? '20251231' : ''}\t${day}\t\t\n`);
    await push(`VE\tVentes\tM${n}\t${day}\t706000\tPrestations\t\t\tFM-${n}\t${day}\tFacture FM-${n}\t\t${money(ht)}\t\t\t${day}\t\t\n`);
    await push(`VE\tVentes\tM${n}\t${day}\t445710\tTVA collectée\t\t\tFM-${n}\t${day}\tFacture FM-${n}\t\t${money(ttc - ht)}\t\t\t${day}\t\t\n`);
    lines += 3;
    if (paid) {
      await push(`BQ\tBanque\tMB${n}\t20251231\t512000\tBanque\t\t\tVIRM-${n}\t20251231\tVirement ${aux}\t${money(ttc)}\t\t\t\t20251231\t\t\n`);
      await push(`BQ\tBanque\tMB${n}\t20251231\t411000\tClients\t${aux}\tClient ${aux}\tVIRM-${n}\t20251231\tVirement ${aux}\t\t${money(ttc)}\t${letter}\t20251231\t20251231\t\t\n`);
      lines += 2;
    }
  }
});
await measure('FEC import', `${FEC_LINES.toLocaleString('en')} lines, ${(fecBytes / 1e6).toFixed(0)} MB`, () => upload('/v1/imports/fec?asOf=2026-01-31', 'text/plain', fec));
rmSync(fec, { force: true });

// 3. A CSV whose second line never ends: 150 MB of one line, refused with its line number.
const oneLine = tmp('one-line.csv');
await write(oneLine, async (push) => {
  await push('number;customer_external_id;issue_date;due_date;amount;currency\nX');
  const chunk = 'y'.repeat(1 << 20);
  for (let i = 0; i < 150; i++) await push(chunk);
});
await measure('CSV with a 150 MB line (refused)', '150 MB', () => upload('/v1/imports/ledger', 'text/csv', oneLine));
rmSync(oneLine, { force: true });

// 4. A body declared at 600 MB: refused before a byte is read.
await measure('declared Content-Length of 600 MB (refused)', '600 MB declared', async () => {
  const started = Date.now();
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(`${api.url}/v1/imports/ledger`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'text/csv', 'content-length': String(600 * 1024 * 1024) } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.write('x'.repeat(1024));
  });
  return { status, ms: Date.now() - started, body: '' };
});

console.log('\n| upload | size | HTTP | seconds | RSS idle (MB) | peak (MB) | above idle (MB) |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.what} | ${r.size} | ${r.status} | ${r.seconds} | ${r.idle} | ${r.peak} | +${r.above} |`);
const worst = Math.max(...rows.map((r) => r.above));
console.log(`\nprocess RSS at most ${worst} MB above idle (goal ≤ 300 MB)`);
await api.stop();
await bench.drop();
