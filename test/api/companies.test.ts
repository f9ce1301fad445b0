import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { fixture, fixtureJson, startFixtureServer } from '../setup/fixture-server.js';

type V1Page = { nhits: number; records: Array<{ fields: Record<string, unknown> }> };
const bodaccV21 = () => {
  const p = fixtureJson('bodacc/records-v1-search-registre-880878145-ganymede-3-records.json') as V1Page;
  return JSON.stringify({ total_count: p.nhits, results: p.records.map((r) => ({ ...r.fields, registre: String(r.fields.registre).split(',') })) });
};

let down = false;
let server: Awaited<ReturnType<typeof startFixtureServer>>;
let t: TestApp;
beforeAll(async () => {
  // Every source answers from its real recordings, over HTTP on 127.0.0.1.
  server = await startFixtureServer((_req, url) => {
    if (down) return { status: 503, body: 'maintenance' };
    const where = url.searchParams.get('where') ?? '';
    if (url.pathname === '/search') {
      const file = {
        '552032534': 'search-q-552032534-danone-active-with-finances.json',
        '880878145': 'search-q-880878145-ganymede-ceased-liquidateur.json',
        '123456789': 'search-q-123456789-skeleton-result-all-null.json',
        Ganymede: 'search-q-ganymede-text-search-116-results-page1.json',
      }[url.searchParams.get('q') ?? ''];
      return file ? { body: fixture(`recherche-entreprises/${file}`) } : { body: fixture('recherche-entreprises/search-q-12345678900003-no-result.json') };
    }
    if (url.pathname.includes('annonces-commerciales')) {
      return where.includes('880878145') ? { body: bodaccV21() } : { body: '{"total_count":0,"results":[]}' };
    }
    if (url.pathname.includes('ratios_inpi_bce')) {
      return where.includes('552032534')
        ? { body: fixture('ratios-inpi-bce/records-v1-search-siren-552032534-danone.json') }
        : { body: fixture('ratios-inpi-bce/records-v1-search-siren-889297453-no-result.json') };
    }
    if (url.pathname === '/dgccrf/sanctions-delais-paiement') {
      const paragraphs = fixture('dgccrf-sanctions/sanctions-delais-paiement-2019-page0-excerpt-lepee-vitrage.txt').split(/\n\s*\n/);
      return { body: `<html><body><main>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</main></body></html>`, headers: { 'content-type': 'text/html' } };
    }
    return undefined;
  });
  const base = server.baseURL;
  t = await createTestApp({
    RECHERCHE_ENTREPRISES_URL: base,
    BODACC_URL: base,
    RATIOS_INPI_BCE_URL: base,
    DGCCRF_URL: base,
    SOURCE_TIMEOUT_MS: '2000',
    TTL_REGISTRY_HOURS: '24',
  });
});
afterAll(async () => {
  await t?.close();
  await server?.close();
});

describe('GET /v1/companies', () => {
  it('Ganymède: ceased, with its radiation and filings from BODACC, each part with source and freshness', async () => {
    const res = await t.as('sales').get('/v1/companies/880878145').expect(200);
    expect(res.body.identity).toMatchObject({ name: 'GANYMEDE', status: 'ceased', radiatedOn: '2022-11-14' });
    expect(res.body.identity.freshness[0]).toMatchObject({ source: 'recherche-entreprises', stale: false, available: true });
    expect(res.body.legalEvents.items.map((e: { kind: string }) => e.kind)).toEqual(['radiation', 'depot_des_comptes', 'depot_des_comptes']);
    expect(res.body.financialStatements).toMatchObject({ items: [], latestComplete: null });
    expect(res.body.sanctions.freshness).toMatchObject({ source: 'dgccrf', available: true });
  });

  it('Danone: statements with the latest complete one picked out', async () => {
    const res = await t.as('credit_manager').get('/v1/companies/552032534').expect(200);
    expect(res.body.financialStatements.items).toHaveLength(10);
    expect(res.body.financialStatements.latestComplete).toMatchObject({ type: 'C', closingDate: '2023-12-31' });
  });

  it('reads within the TTL never call out; refresh=true does', async () => {
    await t.as('sales').get('/v1/companies/552032534').expect(200);
    const before = server.requests.length;
    await t.as('sales').get('/v1/companies/552032534').expect(200);
    expect(server.requests.length).toBe(before);
    await t.as('sales').get('/v1/companies/552032534?refresh=true').expect(200);
    expect(server.requests.length).toBeGreaterThan(before);
  });

  it('when the sources fail, the last good data is served flagged stale with its age', async () => {
    await t.as('sales').get('/v1/companies/880878145').expect(200);
    t.clock.advance(48 * 3_600_000);
    down = true;
    try {
      const res = await t.as('sales').get('/v1/companies/880878145').expect(200);
      expect(res.body.identity.status).toBe('ceased');
      expect(res.body.identity.freshness[0]).toMatchObject({ stale: true, error: expect.stringMatching(/unavailable/) });
      expect(res.body.identity.freshness[0].ageSeconds).toBeGreaterThanOrEqual(48 * 3600);
      // Never fetched, and the registry down: a 503 that says so, not an empty company.
      const none = await t.as('sales').get('/v1/companies/418166096');
      expect(none.status).toBe(503);
    } finally {
      down = false;
      t.clock.advance(-48 * 3_600_000);
    }
  }, 30_000);

  it('an unknown SIREN is a 404; an invalid one a 400 naming the field', async () => {
    // 418166096 is a valid SIREN the registry (as served here) does not know.
    const res = await t.as('sales').get('/v1/companies/418166096');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('company_not_found');
    const bad = await t.as('sales').get('/v1/companies/123456788').expect(400);
    expect(bad.body.error.details[0].field).toBe('params.siren');
  });

  it('searches by name', async () => {
    const res = await t.as('sales').get('/v1/companies/search?q=Ganymede').expect(200);
    expect(res.body).toMatchObject({ total: 116, totalPages: 12 });
  });
});
