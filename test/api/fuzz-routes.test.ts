import fc from 'fast-check';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { startSourcesServer } from '../setup/sources-server.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { testServerUrl } from '../setup/db-url.js';

/*
 * Every route of the OpenAPI document, fed hostile input: strings (NUL, lone surrogates, bad
 * percent-encoding, SQL and HTML, 10,000 characters), numbers (huge, negative, fractional,
 * out of range), deep nesting, unknown fields and wrong types, in paths, query strings and bodies.
 * No answer may be a 5xx, and a refused request may write nothing.
 */
interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  query: string[];
  bodyProps: string[] | null;
  bodyTypes: string[];
}

let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
let operations: Operation[];
beforeAll(async () => {
  sources = await startSourcesServer();
  t = await createTestApp(sources.env);
  // A little data, so that some fuzzed ids and filters meet real rows.
  await createCustomer(t);
  const doc = (await t.as('anonymous').get('/openapi.json')).body as {
    paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown>; anyOf?: unknown[] } }> } }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => {
      const content = op.requestBody?.content ?? {};
      const json = content['application/json']?.schema;
      return {
        method: method as Operation['method'],
        path,
        query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
        bodyProps: json?.properties ? Object.keys(json.properties) : null,
        bodyTypes: Object.keys(content),
      };
    }),
  );
});
afterAll(async () => {
  await t?.close();
  await sources?.close();
});

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\uD800',
    '%00',
    '%ff',
    '%',
    '%C0%AE%C0%AE/',
    '../../etc/passwd',
    "' OR 1=1 --",
    '<script>alert(1)</script>',
    '💥',
    '',
    ' ',
    '1e309',
    '-1',
    'null',
    'x'.repeat(10_000),
    '00000000-0000-0000-0000-000000000000',
    '552032534',
    '2026-02-30',
  ),
);
const hostileNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(1e308, -1, 0, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1.5, -0));
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.anything({ maxDepth: 3, maxKeys: 4 }) },
);

/** Percent-encoded; a lone surrogate has no UTF-8 form, so it is sent as the bytes of one (invalid UTF-8). */
const encode = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
};

/** A path segment: a hostile string, percent-encoded, or raw percent garbage. */
const segment = fc.oneof(hostileString.map((s) => encode(s) || 'x'), fc.constantFrom('%ff', '%', '%E2%82', '%00', '..', 'x%2Fy'));

function bodyFor(op: Operation): fc.Arbitrary<unknown> {
  const deep = fc.integer({ min: 1, max: 600 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown);
  if (!op.bodyProps) return fc.oneof(fc.anything({ maxDepth: 4 }), deep);
  const shaped = fc
    .tuple(fc.subarray(op.bodyProps), fc.array(hostileValue, { minLength: op.bodyProps.length, maxLength: op.bodyProps.length }), fc.boolean(), hostileString)
    .map(([keys, values, extra, unknownKey]) => {
      const o: Record<string, unknown> = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
      if (extra) o[unknownKey || 'unknownField'] = 1;
      return o;
    });
  return fc.oneof({ weight: 4, arbitrary: shaped }, { weight: 1, arbitrary: fc.anything({ maxDepth: 4 }) }, { weight: 1, arbitrary: fc.array(shaped, { maxLength: 3 }) }, { weight: 1, arbitrary: deep });
}

function requestFor(op: Operation) {
  const params = (op.path.match(/\{\w+\}/g) ?? []).length;
  return fc.record({
    segments: fc.array(segment, { minLength: params, maxLength: params }),
    query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(op.query.length ? op.query : ['q'])), hostileString), fc.oneof(hostileString.map(encode), segment)), { maxLength: 3 }),
    body: bodyFor(op),
  });
}

/** Every row of every table the API writes, hashed: equal before and after a refused request. */
async function fingerprint(): Promise<string> {
  const tables = ['customers', 'credit_accounts', 'invoices', 'credits', 'allocations', 'order_checks', 'credit_policies', 'scoring_policies', 'assessments', 'alerts', 'webhooks', 'webhook_deliveries', 'audit_entries', 'legal_events', 'source_results', 'monitoring_checkpoints'];
  const parts = tables.map((tb) => `(SELECT '${tb}:' || count(*) || ':' || coalesce(sum(hashtext(x::text)), 0) FROM ${tb} x)`);
  parts.push(`(SELECT 'api_keys:' || count(*) || ':' || coalesce(sum(hashtext(id::text || name || role || coalesce(revoked_at::text, ''))), 0) FROM api_keys)`);
  const { rows } = await t.container.database.pool.query<{ f: string }>(`SELECT concat_ws('|', ${parts.join(', ')}) AS f`);
  return rows[0]!.f;
}

describe(`fuzzing every route of the OpenAPI document (${testServerUrl() ? 'PostgreSQL server' : 'embedded database'})`, () => {
  it('no hostile input gets a 5xx, and a refused request writes nothing', async () => {
    const statuses: Record<string, number> = {};
    let sent = 0;
    const agent = supertest(t.container.app);
    expect(operations.length).toBeGreaterThan(40);
    for (const op of operations) {
      await fc.assert(
        fc.asyncProperty(requestFor(op), async (r) => {
          let i = 0;
          const path = op.path.replace(/\{\w+\}/g, () => r.segments[i++]!);
          const qs = r.query.map(([k, v]) => `${encode(k)}=${v}`).join('&');
          const url = qs ? `${path}?${qs}` : path;
          const before = await fingerprint();
          let req = agent[op.method](url).set('Authorization', `Bearer ${t.keys.admin}`);
          if (op.bodyTypes.includes('text/csv')) req = req.set('Content-Type', 'text/csv').send(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
          else if (op.method !== 'get' && op.method !== 'delete') req = req.set('Content-Type', 'application/json').send(JSON.stringify(r.body));
          const res = await req;
          sent++;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          const where = `${op.method.toUpperCase()} ${url.slice(0, 200)} → ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`;
          // 503 only for a public source that is down, never for the input itself.
          expect(res.status < 500 || (res.status === 503 && res.body?.error?.code === 'upstream_unavailable'), where).toBe(true);
          if (res.status >= 400) {
            const after = await fingerprint();
            const changed = after.split('|').filter((p) => !before.split('|').includes(p));
            expect(changed, `a refused request wrote: ${where}`).toEqual([]);
          }
        }),
        { numRuns: 25, seed: 4242, endOnFailure: true },
      );
    }
    process.stdout.write(`fuzz: ${sent} requests over ${operations.length} operations; statuses ${JSON.stringify(statuses)}\n`);
    expect(Object.keys(statuses).every((s) => Number(s) < 500 || s === '503')).toBe(true);
  }, 600_000);
});
