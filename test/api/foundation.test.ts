import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Express } from 'express';
import { createTestApp, ADMIN_KEY, type TestApp } from '../setup/test-app.js';
import { ROLES, type Role } from '../../src/api-keys/roles.js';
import supertest from 'supertest';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ BODY_LIMIT: '10kb' });
});
afterAll(async () => {
  await t?.close();
});

/** Every route express has registered under /v1, read from the router itself. */
/** Every route the app serves under /v1, walking the routers mounted on a prefix. */
function registeredV1Routes(app: Express): Array<{ method: string; path: string }> {
  type Layer = { rawPath?: string; handle: { stack?: Layer[] }; route?: { path: string; methods: Record<string, boolean> } };
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = prefix + (layer.route.path === '/' && prefix ? '' : layer.route.path);
        if (!path.startsWith('/v1')) continue;
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method, path });
      } else if (layer.handle.stack && typeof layer.rawPath === 'string' && layer.rawPath !== '/') {
        walk(layer.handle.stack, prefix + layer.rawPath);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return out;
}

const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name: string) => (name === 'siren' ? '552032534' : '00000000-0000-4000-8000-000000000000'));

describe('operations endpoints', () => {
  it('GET /healthz answers while the process is up', async () => {
    const res = await supertest(t.container.app).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz reports the database reachable and no pending migration', async () => {
    const res = await supertest(t.container.app).get('/readyz').expect(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.pendingMigrations).toEqual([]);
  });

  it('GET /metrics serves Prometheus text with request durations', async () => {
    await supertest(t.container.app).get('/healthz');
    const res = await supertest(t.container.app).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toContain('vigie_http_request_duration_seconds');
  });

  it('every response carries a request id, and an incoming X-Request-Id is kept', async () => {
    const res = await supertest(t.container.app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
  });
});

describe('HTTP errors', () => {
  it('an unknown route gets a JSON 404', async () => {
    const res = await supertest(t.container.app).get('/nowhere').expect(404);
    expect(res.body.error.code).toBe('route_not_found');
  });

  it('malformed JSON gets a 400 naming the body', async () => {
    const res = await t.as('credit_manager').post('/v1/customers').set('Content-Type', 'application/json').send('{"externalId": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json' });
    expect(res.body.error.message).toContain('body');
  });

  it('a body over the limit gets a 413 and writes nothing', async () => {
    const res = await t.as('credit_manager').post('/v1/customers', { externalId: 'big', siren: '552032534', name: 'x'.repeat(20_000) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const list = await t.as('credit_manager').get('/v1/customers?externalId=big');
    expect(list.body.items).toEqual([]);
  });

  it('a non-JSON content type on a JSON route is a 400, not a 500', async () => {
    const res = await t.as('credit_manager').post('/v1/customers').set('Content-Type', 'text/plain').send('hello');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });
});

describe('authentication and roles on every /v1 route', () => {
  const isPublic = (r: { method: string; path: string }) => t.container.routes.some((d) => d.public && d.method === r.method && d.path === r.path);
  /** Every route but signing in, the one callable without a key or a session. */
  const routes = () => registeredV1Routes(t.container.app).filter((r) => !isPublic(r));

  it('the router has /v1 routes and each is declared with its roles; only signing in is public', () => {
    const all = registeredV1Routes(t.container.app);
    expect(all.length).toBe(t.container.routes.length);
    const declared = new Set(t.container.routes.map((r) => `${r.method} ${r.path}`));
    for (const r of all) expect(declared.has(`${r.method} ${r.path}`)).toBe(true);
    expect(all.filter(isPublic).map((r) => `${r.method} ${r.path}`)).toEqual(['post /v1/sessions']);
  });

  it('refuses a missing key with 401 on every route', async () => {
    for (const r of routes()) {
      const res = await supertest(t.container.app)[r.method as 'get'](concrete(r.path));
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error.code).toBe('missing_api_key');
    }
  });

  it('refuses a wrong key with 401 on every route', async () => {
    for (const r of routes()) {
      const res = await supertest(t.container.app)[r.method as 'get'](concrete(r.path)).set('Authorization', 'Bearer vg_nope_wrong');
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
    }
  });

  it('refuses every role the route does not allow with 403, and lets allowed roles past auth', async () => {
    let checked = 0;
    for (const r of routes()) {
      const def = t.container.routes.find((d) => d.method === r.method && d.path === r.path)!;
      for (const role of ROLES) {
        const res = await t.as(role as Role)[r.method as 'get'](concrete(r.path));
        const allowed = role === 'admin' || (def.roles as readonly string[]).includes(role);
        if (allowed) expect([401, 403], `${role} ${r.method} ${r.path}`).not.toContain(res.status);
        else {
          expect(res.status, `${role} ${r.method} ${r.path}`).toBe(403);
          expect(res.body.error.code).toBe('role_not_allowed');
        }
        checked++;
      }
    }
    expect(checked).toBe(routes().length * ROLES.length);
  });

  it('accepts the bootstrap admin key from VIGIE_ADMIN_KEY', async () => {
    await supertest(t.container.app).get('/v1/api-keys').set('Authorization', `Bearer ${ADMIN_KEY}`).expect(200);
  });
});

describe('OpenAPI and docs', () => {
  it('/openapi.json is OpenAPI 3.1 and lists every registered route', async () => {
    const res = await supertest(t.container.app).get('/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const r of registeredV1Routes(t.container.app)) {
      const path = r.path.replace(/:(\w+)/g, '{$1}');
      expect(res.body.paths[path]?.[r.method], `${r.method} ${path}`).toBeDefined();
    }
    const create = res.body.paths['/v1/customers'].post;
    expect(create.requestBody.content['application/json'].schema.properties.siren).toBeDefined();
  });

  it('/docs renders Swagger UI from local assets pointed at /openapi.json', async () => {
    const page = await supertest(t.container.app).get('/docs').expect(200);
    expect(page.text).toContain('swagger-ui');
    const init = await supertest(t.container.app).get('/docs/init.js').expect(200);
    expect(init.text).toContain('/openapi.json');
    const bundle = await supertest(t.container.app).get('/docs/assets/swagger-ui-bundle.js').expect(200);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});

describe('API keys', () => {
  it('an admin creates a key (secret shown once), lists keys without secrets, and revokes it', async () => {
    const created = await t.as('admin').post('/v1/api-keys', { name: 'erp-prod', role: 'order_system' }).expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^vg_[0-9a-f]{8}_/);
    await supertest(t.container.app).get('/v1/customers').set('Authorization', `Bearer ${key}`).expect(403);

    const list = await t.as('admin').get('/v1/api-keys').expect(200);
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(list.body.items.map((k: { name: string }) => k.name)).toContain('erp-prod');

    await t.as('admin').delete(`/v1/api-keys/${created.body.apiKey.id}`).expect(200);
    const after = await supertest(t.container.app).get('/v1/customers').set('Authorization', `Bearer ${key}`);
    expect(after.status).toBe(401);
    const audit = await t.as('admin').get(`/v1/audit?entityType=api_key&entityId=${created.body.apiKey.id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['api_key.revoked', 'api_key.created']);
  });

  it('rejects an unknown role naming the field', async () => {
    const res = await t.as('admin').post('/v1/api-keys', { name: 'x', role: 'root' }).expect(400);
    expect(res.body.error.details[0].field).toBe('body.role');
  });
});
