import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createTestDatabase } from '../setup/test-database.js';
import { testServerUrl } from '../setup/db-url.js';
import { startVigie, type VigieProcess } from '../setup/vigie-process.js';
import { makeSiren } from '../setup/test-app.js';

/*
 * Hostile uploads over raw sockets, to a real `npm start` process (on the PostgreSQL server, or on
 * its embedded database): malformed chunked encoding, uploads aborted midway, Content-Length lies
 * (shorter and longer than what is sent), slow senders, bodies above the limit — to every route
 * that takes a body (JSON, the ledger CSV, the FEC, the web forms), 20 times each. The process
 * must stay up and answer /healthz, and nothing may be written.
 */
const ADMIN = 'hostile-sockets-admin-key-0123456789abcdef';
const mode = testServerUrl() ? 'the PostgreSQL server' : 'the embedded database';
const TIMES = 20;

interface Target {
  method: string;
  path: string;
  contentType: string;
}

/** Sends `parts` on a fresh connection (pausing `gapMs` between them), then ends or destroys it; resolves with the status line, if any. */
function rawRequest(port: number, head: string, parts: Array<string | Buffer>, opts: { end: 'destroy' | 'end' | 'wait'; gapMs?: number; timeoutMs?: number }): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer.split('\r\n')[0] ?? '');
    };
    const timer = setTimeout(done, opts.timeoutMs ?? 5_000);
    socket.on('data', (d: Buffer) => {
      answer += d.toString('latin1');
      if (answer.includes('\r\n\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', async () => {
      socket.write(head);
      for (const p of parts) {
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
        if (socket.destroyed) return;
        socket.write(p);
      }
      if (opts.end === 'destroy') socket.destroy();
      else if (opts.end === 'end') socket.end();
    });
  });
}

/** The hostile forms: each returns what was sent and how the connection ends. */
function hostileForms(t: Target, port: number, auth: string) {
  const host = `127.0.0.1:${port}`;
  const base = `${t.method.toUpperCase()} ${t.path} HTTP/1.1\r\nHost: ${host}\r\n${auth}Content-Type: ${t.contentType}\r\n`;
  const sample = t.contentType.startsWith('application/json') ? '{"name":"x","amount":100,"reason":"r"}' : t.contentType.startsWith('text/csv') ? 'number;amount;currency;customer_external_id;issue_date;due_date\nF1;1;EUR;X;2026-01-01;2026-02-01\n' : 'a=1&b=2';
  return {
    'malformed chunk size': () => rawRequest(port, `${base}Transfer-Encoding: chunked\r\n\r\n`, ['zz\r\nabc\r\n0\r\n\r\n'], { end: 'wait' }),
    'chunked, aborted midway': () => rawRequest(port, `${base}Transfer-Encoding: chunked\r\n\r\n`, [`${sample.length.toString(16)}\r\n${sample}\r\n`, '40\r\n{"a'], { end: 'destroy' }),
    'Content-Length longer than the body, then the sender half-closes': () => rawRequest(port, `${base}Content-Length: 50000\r\n\r\n`, [sample], { end: 'end' }),
    'Content-Length longer than the body, then the connection drops': () => rawRequest(port, `${base}Content-Length: 50000\r\n\r\n`, [sample.slice(0, 10)], { end: 'destroy' }),
    'Content-Length shorter than the body': () => rawRequest(port, `${base}Content-Length: 5\r\n\r\n`, [`${sample}GARBAGE / HTTP/1.1\r\n\r\n`], { end: 'wait' }),
  };
}

describe(`hostile uploads over raw sockets, to a real process on ${mode}`, () => {
  let database: Database | undefined;
  let dataDir: string | undefined;
  let api: VigieProcess;
  let port: number;
  let customerId: string;
  const targets: Target[] = [];
  let sessionCookie = '';

  const call = async (method: string, p: string, body?: unknown, contentType = 'application/json') => {
    const res = await fetch(`${api.url}${p}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': contentType },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text) as Record<string, unknown> & { items?: unknown[] } };
  };

  /** What the service holds, read through its own API: every list a write would change. */
  const fingerprint = async () => {
    const lists = ['/v1/customers?limit=500', '/v1/invoices?limit=500', '/v1/payments?limit=500', '/v1/credit-notes?limit=500', '/v1/audit?limit=500', '/v1/alerts?limit=500', '/v1/webhooks', '/v1/users', '/v1/api-keys', '/v1/policy', '/v1/collections/plans', '/v1/collections/policy', '/v1/collections/late-payment-rates', `/v1/customers/${customerId}/assessments`, `/v1/customers/${customerId}/collections`, `/v1/customers/${customerId}/collections-profile`, `/v1/customers/${customerId}/credit-insurance`, '/v1/legal-cases', '/v1/insolvency-cases', '/v1/scoring-policy'];
    const out: Record<string, string> = {};
    for (const l of lists) {
      const r = await call('GET', l);
      expect(r.status, l).toBeLessThan(500);
      out[l] = JSON.stringify(r.body, (k, v: unknown) => (k === 'requestId' ? undefined : v));
    }
    return out;
  };

  beforeAll(async () => {
    let env: Record<string, string>;
    if (testServerUrl()) {
      database = await createTestDatabase();
      env = { DATABASE_URL: database.connectionString };
    } else {
      dataDir = mkdtempSync(path.join(tmpdir(), 'vigie-sockets-'));
      env = { VIGIE_DATA_DIR: dataDir };
    }
    api = await startVigie('api', { ...env, VIGIE_ADMIN_KEY: ADMIN, JOBS_IN_PROCESS: 'false', IMPORT_MAX_BYTES: '1048576', BODY_LIMIT: '64kb', SESSION_COOKIE_SECURE: 'false' });
    port = Number(new URL(api.url).port);
    const created = await call('POST', '/v1/customers', { externalId: 'SOCK-1', siren: makeSiren(), name: 'Sockets SA' });
    expect(created.status).toBe(201);
    customerId = created.body.id as string;
    await call('POST', '/v1/users', { email: 'sockets.admin@client.example', name: 'Sockets', role: 'admin', password: 'sockets-password-0123456789' });
    const signIn = await fetch(`${api.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sockets.admin@client.example', password: 'sockets-password-0123456789' }) });
    sessionCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const doc = (await call('GET', '/openapi.json')).body as unknown as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>> };
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'get') continue;
        const concrete = p.replace(/\{(id|customerId)\}/, customerId).replace(/\{\w+\}/g, '00000000-0000-0000-0000-000000000000');
        const types = Object.keys(op.requestBody?.content ?? { 'application/json': {} });
        targets.push({ method, path: concrete, contentType: types.includes('application/json') ? 'application/json' : types[0]! });
      }
    }
    // The web forms (the session cookie makes them read their body as they would for a person).
    for (const p of ['/login', '/language', `/customers/${customerId}/limit`, `/customers/${customerId}/assess`, '/settings/policy', '/account/password']) {
      targets.push({ method: 'post', path: p, contentType: 'application/x-www-form-urlencoded' });
    }
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it(`every route that takes a body survives each hostile form ${TIMES} times; /healthz answers; nothing is written`, async () => {
    expect(targets.length).toBeGreaterThan(50);
    expect(targets.some((t) => t.contentType === 'text/csv')).toBe(true);
    expect(targets.some((t) => t.path === '/v1/imports/fec')).toBe(true);
    const before = await fingerprint();
    const tally: Record<string, number> = {};
    let sent = 0;
    for (const target of targets) {
      const auth = target.contentType === 'application/x-www-form-urlencoded' ? `Cookie: ${sessionCookie}\r\n` : `Authorization: Bearer ${ADMIN}\r\n`;
      const forms = hostileForms(target, port, auth);
      for (const [name, send] of Object.entries(forms)) {
        // Twenty at once on separate connections, as a client retrying in parallel would.
        const answers = await Promise.all(Array.from({ length: TIMES }, () => send().catch(() => '')));
        for (const a of answers) {
          const status = /^HTTP\/1\.1 (\d{3})/.exec(a)?.[1] ?? 'closed';
          tally[status] = (tally[status] ?? 0) + 1;
          expect(Number(status) >= 500 ? `${target.method} ${target.path} (${name}) → ${a}` : '').toBe('');
        }
        sent += TIMES;
      }
      expect(api.alive(), `the process died after ${target.method} ${target.path}:\n${api.output().slice(-2000)}`).toBe(true);
    }
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    const after = await fingerprint();
    for (const key of Object.keys(before)) expect(after[key], `written by a hostile upload: ${key}`).toBe(before[key]);
    expect(api.output()).not.toMatch(/Unhandled 'error' event|uncaughtException|FATAL/);
    process.stdout.write(`hostile sockets (${mode}): ${sent} connections over ${targets.length} routes; answers ${JSON.stringify(tally)}\n`);
  }, 900_000);

  it('a declared body above the limit is refused with 413 before it is read, and a slow sender does not stop others', async () => {
    const host = `127.0.0.1:${port}`;
    const head = (p: string, type: string, length: number) => `POST ${p} HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${ADMIN}\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
    for (const [p, type] of [['/v1/imports/ledger', 'text/csv'], ['/v1/imports/fec', 'text/plain'], ['/v1/customers', 'application/json']] as const) {
      const line = await rawRequest(port, head(p, type, 600 * 1024 * 1024), ['x'.repeat(1000)], { end: 'wait' });
      expect(line, p).toBe('HTTP/1.1 413 Payload Too Large');
    }
    // Three slow senders trickling a CSV byte by byte (for 4 s) while other requests are answered.
    let slowDone = false;
    const slow = Promise.all(Array.from({ length: 3 }, () => rawRequest(port, head('/v1/imports/ledger', 'text/csv', 10_000), Array.from({ length: 80 }, () => 'x'), { end: 'destroy', gapMs: 50, timeoutMs: 15_000 }))).then(() => (slowDone = true));
    expect((await fetch(`${api.url}/healthz`)).status).toBe(200);
    expect((await call('GET', `/v1/customers/${customerId}`)).status).toBe(200);
    expect(slowDone, 'answered only after the slow senders gave up').toBe(false);
    await slow;
    expect(api.alive()).toBe(true);
  }, 120_000);
});
