import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import supertest from 'supertest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, unique } from '../setup/ledger-helpers.js';

const logLines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    logLines.push(chunk.toString());
    done();
  },
});

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ CORS_ORIGINS: 'https://erp.example.com' }, { logger: pino({ level: 'debug' }, sink) });
});
afterAll(async () => {
  await t?.close();
});

const expectField = (res: supertest.Response, status: number, field: string, code?: string) => {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.details.map((d: { field?: string }) => d.field)).toContain(field);
  if (code) expect(res.body.error.code).toBe(code);
};

describe('bytes no route can store are a 400 naming the field, and write nothing', () => {
  it('a NUL in a JSON body field names that field', async () => {
    const res = await t.as('credit_manager').post('/v1/customers', { externalId: 'A\u0000B', siren: '552032534', name: 'x' });
    expectField(res, 400, 'body.externalId', 'invalid_characters');
    const list = await t.as('credit_manager').get('/v1/customers?externalId=A');
    expect(list.body.items).toEqual([]);
  });

  it('a NUL deep in a batch names the item', async () => {
    const c = await createCustomer(t);
    const res = await t.as('credit_manager').post('/v1/invoices', [
      { number: unique('N'), customerId: c.id, issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 100, currency: 'EUR' },
      { number: 'F\u0000', customerId: c.id, issueDate: '2026-01-01', dueDate: '2026-02-01', amount: 100, currency: 'EUR' },
    ]);
    expectField(res, 400, 'body[1].number', 'invalid_characters');
    expect((await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}`)).body.items).toEqual([]);
  });

  it.each(['/v1/customers?q=%00', '/v1/audit?entityId=%00', '/v1/jobs?job=%00', '/v1/alerts?type=a%00'])('a NUL in the query string: %s', async (path) => {
    const res = await t.as('admin').get(path);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_characters');
    expect(res.body.error.details[0].field).toMatch(/^query\./);
  });

  it('a NUL in a path parameter names the parameter', async () => {
    expectField(await t.as('admin').get('/v1/order-checks/%00'), 400, 'params.orderId', 'invalid_characters');
  });

  it('malformed percent-encoding in a path names the parameter, on every route that has one', async () => {
    const withParams = t.container.routes.filter((r) => r.path.includes(':'));
    expect(withParams.length).toBeGreaterThan(10);
    let sent = 0;
    for (const route of withParams) {
      for (const bad of ['%ff', '%', '%C0%AE', '%E2%82']) {
        const path = route.path.replace(/:(\w+)/, bad).replace(/:(\w+)/g, 'x');
        const name = /:(\w+)/.exec(route.path)![1];
        const res = await t.as('admin')[route.method](path);
        sent++;
        expect(res.status, `${route.method} ${path}`).toBe(400);
        expect(res.body.error.code).toBe('malformed_encoding');
        expect(res.body.error.details[0].field).toBe(`params.${name}`);
      }
    }
    expect(sent).toBe(withParams.length * 4);
  });

  it('malformed percent-encoding or invalid UTF-8 in a query string is refused, not turned into U+FFFD', async () => {
    expectField(await t.as('admin').get('/v1/customers?q=%ff'), 400, 'query.q', 'malformed_encoding');
    expectField(await t.as('admin').get('/v1/customers?q=%C3'), 400, 'query.q', 'malformed_encoding');
  });

  it('a JSON body that is not UTF-8 is refused', async () => {
    const res = await supertest(t.container.app)
      .post('/v1/customers')
      .set('Authorization', `Bearer ${t.keys.credit_manager}`)
      .set('Content-Type', 'application/json')
      .serialize((raw: unknown) => raw as string) // the bytes as they are, not JSON of a Buffer
      .send(Buffer.concat([Buffer.from('{"externalId":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","siren":"552032534","name":"x"}')]));
    expectField(res, 400, 'body', 'malformed_encoding');
  });

  it('a CSV import with a NUL in a cell, or bytes that are not UTF-8, names the line and writes nothing', async () => {
    const c = await createCustomer(t);
    const head = 'type;number;customer_id;issue_date;due_date;amount;currency\n';
    const ok = `invoice;${unique('CSV')};${c.id};2026-01-01;2026-02-01;10,00;EUR\n`;
    const nul = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}${ok}invoice;X\u0000;${c.id};2026-01-01;2026-02-01;10,00;EUR\n`);
    expect(nul.status, JSON.stringify(nul.body)).toBe(400);
    expect(nul.body.error.details[0]).toMatchObject({ line: 3, field: 'number' });
    const latin1 = Buffer.concat([Buffer.from(head + ok), Buffer.from(`invoice;Fact-`), Buffer.from([0xe9]), Buffer.from(`;${c.id};2026-01-01;2026-02-01;10,00;EUR\n`)]);
    const bad = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(latin1);
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    expect(bad.body.error.message).toMatch(/UTF-8/);
    expect((await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}`)).body.items).toEqual([]);
  });
});

describe('what the hostile-input issue found: each is a 400 naming the field or the line, and writes nothing', () => {
  it('a JSON body nested 10,000 levels deep is refused before any walk (no stack overflow)', async () => {
    const res = await t.as('credit_manager').post('/v1/customers').set('Content-Type', 'application/json').send('{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('too_deep');
    const arrays = await t.as('credit_manager').post('/v1/invoices').set('Content-Type', 'application/json').send('['.repeat(10_000) + ']'.repeat(10_000));
    expect(arrays.body.error.code).toBe('too_deep');
  });

  it('a lone surrogate in a string or a key names the field, on either database', async () => {
    const res = await t.as('credit_manager').post('/v1/customers').set('Content-Type', 'application/json').send('{"externalId":"A\\ud800B","siren":"552032534","name":"x"}');
    expectField(res, 400, 'body.externalId', 'invalid_characters');
    const key = await t.as('admin').put('/v1/policy').set('Content-Type', 'application/json').send('{"\\udc00":1}');
    expect(key.status).toBe(400);
    expect(key.body.error.code).toBe('invalid_characters');
    expect((await t.as('credit_manager').get('/v1/customers?externalId=A')).body.items).toEqual([]);
  });

  it.each(['/v1/alerts?cursor=99999999999999999999999', '/v1/collections/emails?cursor=99999999999999999999999', '/v1/audit?cursor=99999999999999999999999'])('a cursor beyond any id is refused: %s', async (path) => {
    expectField(await t.as('admin').get(path), 400, 'query.cursor');
  });

  it('amounts above 10^13 minor units are refused everywhere money enters', async () => {
    const c = await createCustomer(t);
    const huge = 9_007_199_254_740_991;
    expectField(await t.as('credit_manager').post('/v1/invoices', { number: unique('BIG'), customerId: c.id, issueDate: '2026-01-01', dueDate: '2026-02-01', amount: huge, currency: 'EUR' }), 400, 'body.amount');
    expectField(await t.as('admin').put('/v1/policy', { defaultCreditLimit: huge, overdueGraceDays: 0, holdTtlHours: 24, reason: 'x' }), 400, 'body.defaultCreditLimit');
    expectField(await t.as('credit_manager').put(`/v1/customers/${c.id}/credit-limit`, { amount: huge, currency: 'EUR', reason: 'x' }), 400, 'body.amount');
    const head = 'type;number;customer_id;issue_date;due_date;amount;currency\n';
    const csv = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}invoice;${unique('BIG')};${c.id};2026-01-01;2026-02-01;100000000000,01;EUR\n`);
    expect(csv.status).toBe(400);
    expect(csv.body.error.details[0]).toMatchObject({ line: 2, field: 'amount' });
    expect((await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}`)).body.items).toEqual([]);
  });

  it('a CSV with a stray quote, or a line that never ends, names the line and writes nothing', async () => {
    const c = await createCustomer(t);
    const head = 'type;number;customer_id;issue_date;due_date;amount;currency\n';
    const ok = `invoice;${unique('Q')};${c.id};2026-01-01;2026-02-01;10,00;EUR\n`;
    const stray = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}${ok}invoice;F"CSV"2;${c.id};2026-01-01;2026-02-01;10,00;EUR\n`);
    expect(stray.status, JSON.stringify(stray.body)).toBe(400);
    expect(stray.body.error.details[0]).toMatchObject({ line: 3 });
    expect(stray.body.error.message).toMatch(/quote/);
    const after = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}${ok}invoice;"F1"x;${c.id};2026-01-01;2026-02-01;10,00;EUR\n`);
    expect(after.body.error.details[0]).toMatchObject({ line: 3 });
    const long = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}${ok}invoice;${'x'.repeat(200_000)}`);
    expect(long.status).toBe(400);
    expect(long.body.error.details[0]).toMatchObject({ line: 3 });
    expect(long.body.error.message).toMatch(/longer than 65,536/);
    // A quoted field keeps its quotes doubled inside, as RFC 4180 says.
    const quoted = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${head}invoice;"F""Q""${c.id.slice(0, 4)}";${c.id};2026-01-01;2026-02-01;10,00;EUR\n`);
    expect(quoted.status, JSON.stringify(quoted.body)).toBe(200);
    expect((await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}`)).body.items.map((i: { number: string }) => i.number)).toEqual([`F"Q"${c.id.slice(0, 4)}`]);
  });
});

describe('headers and logs', () => {
  it('every response carries the security headers; /docs has a CSP that lets its own script run', async () => {
    for (const path of ['/v1/customers', '/docs/', '/healthz']) {
      const res = await t.as('credit_manager').get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['strict-transport-security']).toBeUndefined(); // plain HTTP here
    }
    const docs = await t.as('anonymous').get('/docs/');
    expect(docs.text).not.toMatch(/<script>[^<]/); // no inline script for the CSP to refuse
  });

  it('HSTS is sent on requests that came over HTTPS through a trusted proxy', async () => {
    const t2 = await createTestApp({ TRUST_PROXY_HOPS: '1' });
    try {
      const res = await t2.as('anonymous').get('/healthz').set('X-Forwarded-Proto', 'https');
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    } finally {
      await t2.close();
    }
  });

  it('CORS answers only the configured origins', async () => {
    const allowed = await t.as('anonymous').get('/healthz').set('Origin', 'https://erp.example.com');
    expect(allowed.headers['access-control-allow-origin']).toBe('https://erp.example.com');
    const other = await t.as('anonymous').get('/healthz').set('Origin', 'https://evil.example');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await supertest(t.container.app).options('/v1/customers').set('Origin', 'https://erp.example.com').set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-headers']).toContain('Authorization');
  });

  it('a key sent in the query string never reaches the log', async () => {
    logLines.length = 0;
    await t.as('anonymous').get('/v1/customers?api_key=vg_secret1&access_token=tok_secret2&key=k_secret3&q=visible');
    const text = logLines.join('');
    expect(text).toContain('q=visible');
    expect(text).not.toMatch(/secret[123]/);
    expect(text).toContain('api_key=[REDACTED]');
  });
});
