import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { startSourcesServer } from '../setup/sources-server.js';

let server: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
beforeAll(async () => {
  // Every source answers from its real recordings, over HTTP on 127.0.0.1.
  server = await startSourcesServer();
  t = await createTestApp({ ...server.env, TTL_REGISTRY_HOURS: '24' });
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
    server.state.down = true;
    try {
      const res = await t.as('sales').get('/v1/companies/880878145').expect(200);
      expect(res.body.identity.status).toBe('ceased');
      expect(res.body.identity.freshness[0]).toMatchObject({ stale: true, error: expect.stringMatching(/unavailable/) });
      expect(res.body.identity.freshness[0].ageSeconds).toBeGreaterThanOrEqual(48 * 3600);
      // Never fetched, and the registry down: a 503 that says so, not an empty company.
      const none = await t.as('sales').get('/v1/companies/418166096');
      expect(none.status).toBe(503);
    } finally {
      server.state.down = false;
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
