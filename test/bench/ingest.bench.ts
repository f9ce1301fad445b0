import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, createWriteStream, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import copyStreams from 'pg-copy-streams';
import { createBenchDatabase, seedPortfolio } from './bench-db.js';
import { ApiKeysService } from '../../src/api-keys/api-keys-service.js';
import { ApiKeysStore } from '../../src/api-keys/api-keys-store.js';
import { AuditService } from '../../src/audit/audit-service.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import { systemClock } from '../../src/clock.js';

/**
 * npm run bench:ingest — 1,000,000 invoices through the CSV import and through the batch API
 * (100 calls of 10,000), beside a plain COPY of the same rows into the same table, in one run.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const CUSTOMERS = 100_000;
const BATCH = 10_000;

const row = (i: number) => {
  const day = 1 + (i % 28);
  return {
    number: `IN-${i}`,
    customer: `BC${1 + (i % CUSTOMERS)}`,
    issueDate: `2026-10-${String(day).padStart(2, '0')}`,
    dueDate: `2026-12-${String(day).padStart(2, '0')}`,
    amount: 1_000 + ((i * 7919) % 900_000),
  };
};

const bench = await createBenchDatabase('ingest');
const db = await bench.open();
await seedPortfolio(db, CUSTOMERS, { invoices: false });
const customerIds = new Map<string, string>((await db.pool.query('SELECT external_id, id FROM customers')).rows.map((r) => [r.external_id, r.id]));
const { key } = await new ApiKeysService(new ApiKeysStore(db.db), new AuditService(new AuditStore(db.db)), systemClock, undefined).create(
  { name: 'bench-ingest', role: 'credit_manager' },
  { keyId: null, name: 'bench', role: 'admin' },
);

const csvPath = path.join(os.tmpdir(), `vigie-ingest-${process.pid}.csv`);
{
  const out = createWriteStream(csvPath);
  out.write('number;customer_external_id;issue_date;due_date;amount;currency\n');
  for (let i = 0; i < ROWS; i++) {
    const r = row(i);
    const cents = String(r.amount).padStart(3, '0');
    if (!out.write(`${r.number};${r.customer};${r.issueDate};${r.dueDate};${cents.slice(0, -2)},${cents.slice(-2)};EUR\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
console.log(`database: ${bench.label}; ${CUSTOMERS.toLocaleString('en')} customers; ${ROWS.toLocaleString('en')} invoices; CSV ${(statSync(csvPath).size / 1e6).toFixed(0)} MB\n`);

async function reset() {
  await db.pool.query('TRUNCATE allocations, invoices CASCADE');
  await db.pool.query('CHECKPOINT');
}
async function countInvoices() {
  return Number((await db.pool.query('SELECT count(*) FROM invoices')).rows[0].count);
}
async function timed(label: string, fn: () => Promise<void>) {
  await reset();
  const t = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const n = await countInvoices();
  if (n !== ROWS) throw new Error(`${label}: ${n} invoices written, expected ${ROWS}`);
  return { label, seconds, rate: ROWS / seconds };
}

// Baseline: COPY of the same rows, with the customer ids already known (no validation, no lookups).
const copy = await timed('baseline: plain COPY into invoices', async () => {
  const client = await db.pool.connect();
  try {
    const sink = client.query(copyStreams.from('COPY invoices (number, customer_id, issue_date, due_date, amount, currency, open_amount) FROM STDIN'));
    await pipeline(
      Readable.from(
        (function* () {
          let chunk = '';
          for (let i = 0; i < ROWS; i++) {
            const r = row(i);
            chunk += `${r.number}\t${customerIds.get(r.customer)}\t${r.issueDate}\t${r.dueDate}\t${r.amount}\tEUR\t${r.amount}\n`;
            if (chunk.length > 1 << 16) {
              yield chunk;
              chunk = '';
            }
          }
          if (chunk) yield chunk;
        })(),
      ),
      sink,
    );
  } finally {
    client.release();
  }
});

const server: { child: ChildProcess; port: number } = await (async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/bench-server.ts', 'vigie'], {
    env: { ...process.env, ...bench.env, DATABASE_POOL_SIZE: '8' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  return { child, port: (JSON.parse(line) as { port: number }).port };
})();
const base = `http://127.0.0.1:${server.port}`;

const csv = await timed('Vigie POST /v1/imports/ledger (CSV, streamed)', async () => {
  const res = await fetch(`${base}/v1/imports/ledger`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/csv' },
    body: Readable.toWeb(createReadStream(csvPath)) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  if (!res.ok) throw new Error(`import: ${res.status} ${await res.text()}`);
});

const api = await timed(`Vigie POST /v1/invoices (${ROWS / BATCH} batches of ${BATCH.toLocaleString('en')}, 2 at a time)`, async () => {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const b = next++;
      if (b * BATCH >= ROWS) return;
      const items = [];
      for (let i = b * BATCH; i < Math.min(ROWS, (b + 1) * BATCH); i++) {
        const r = row(i);
        items.push({ number: r.number, customerExternalId: r.customer, issueDate: r.issueDate, dueDate: r.dueDate, amount: r.amount, currency: 'EUR' });
      }
      const res = await fetch(`${base}/v1/invoices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(items),
      });
      if (!res.ok) throw new Error(`batch ${b}: ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all([worker(), worker()]);
});

server.child.kill('SIGTERM');
console.log(`${'path'.padEnd(62)} ${'seconds'.padStart(8)} ${'rows/s'.padStart(9)} ${'× COPY'.padStart(7)}`);
for (const r of [copy, csv, api]) {
  console.log(`${r.label.padEnd(62)} ${r.seconds.toFixed(1).padStart(8)} ${r.rate.toFixed(0).padStart(9)} ${(r.rate / copy.rate).toFixed(2).padStart(7)}`);
}
console.log('\ntarget: each Vigie path ≥ 0.50× COPY');
await db.close();
rmSync(csvPath, { force: true });
await bench.drop();
