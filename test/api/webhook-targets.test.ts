import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { isInternalAddress } from '../../src/webhooks/webhook-target.js';
import { WebhooksService } from '../../src/webhooks/webhooks-service.js';
import { WebhooksStore } from '../../src/webhooks/webhooks-store.js';

let t: TestApp;
let received = 0;
let server: http.Server;
let port: number;
beforeAll(async () => {
  t = await createTestApp();
  server = http.createServer((_req, res) => {
    received++;
    res.writeHead(204).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

describe('webhook targets', () => {
  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost:9/',
    'http://[::1]/',
    'http://127.0.0.1:8080/hook',
    'http://10.1.2.3/hook',
    'http://192.168.1.10/hook',
    'http://172.20.0.5/hook',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd00:ec2::254]/',
    'http://0.0.0.0/',
  ])('refuses the internal target %s at creation, naming body.url', async (url) => {
    const res = await t.as('admin').post('/v1/webhooks', { url });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'webhook_target_forbidden', details: [{ field: 'body.url' }] });
    expect(res.body.error.message).toContain('WEBHOOK_ALLOW_PRIVATE_TARGETS');
  });

  // Every spelling of an internal address an attacker would try (OWASP SSRF cheat sheet, RFC 6890,
  // RFC 6052/6145, RFC 3056 6to4, RFC 4380 Teredo): refused at creation by the API.
  const INTERNAL_FORMS = [
    'http://127.0.0.1/', 'http://127.255.255.254/', 'http://2130706433/', 'http://0x7f000001/', 'http://0177.0.0.1/', 'http://0x7f.0.0.1/',
    'http://127.1/', 'http://017700000001/', 'http://[::1]/', 'http://[0:0:0:0:0:0:0:1]/', 'http://[::ffff:127.0.0.1]/', 'http://[::ffff:7f00:1]/',
    'http://[::127.0.0.1]/', 'http://[::7f00:1]/', 'http://[2002:7f00:1::]/', 'http://[2002:a00:1::1]/', 'http://[2001::1]/',
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/', 'http://[64:ff9b::7f00:1]/', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[64:ff9b:1::a00:1]/',
    'http://[::ffff:0:7f00:1]/', 'http://[fc00::1]/', 'http://[fd12:3456::1]/', 'http://[fec0::1]/', 'http://[fe80::1]/', 'http://[ff02::1]/',
    'http://[::]/', 'http://[2001:db8::1]/', 'http://[100::1]/', 'http://0.0.0.0/', 'http://0/', 'http://10.0.0.1/', 'http://012.0.0.1/',
    'http://172.16.0.1/', 'http://172.31.255.255/', 'http://192.168.0.1/', 'http://0xc0a80001/', 'http://169.254.169.254/', 'http://2852039166/',
    'http://100.64.0.1/', 'http://192.0.0.8/', 'http://192.0.2.1/', 'http://198.18.0.1/', 'http://198.51.100.7/', 'http://203.0.113.9/',
    'http://224.0.0.1/', 'http://239.255.255.250/', 'http://240.0.0.1/', 'http://255.255.255.255/', 'http://localhost/', 'http://[4000::1]/',
  ];
  it(`refuses all ${INTERNAL_FORMS.length} spellings of internal addresses, at creation and in the classifier`, async () => {
    expect(INTERNAL_FORMS.length).toBeGreaterThanOrEqual(40);
    const accepted: string[] = [];
    for (const url of INTERNAL_FORMS) {
      const res = await t.as('admin').post('/v1/webhooks', { url });
      if (res.status !== 400 || res.body.error.code !== 'webhook_target_forbidden') accepted.push(`${url} → ${res.status}`);
      const host = new URL(url).hostname;
      if (host !== 'localhost' && !isInternalAddress(host)) accepted.push(`${host} classified public`);
    }
    expect(accepted).toEqual([]);
  });

  it('accepts a public address', async () => {
    const res = await t.as('admin').post('/v1/webhooks', { url: 'https://93.184.215.14/hook' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    await t.as('admin').delete(`/v1/webhooks/${res.body.id}`).expect(204);
  });

  it('classifies addresses as a firewall would', () => {
    for (const a of ['8.8.8.8', '2a00:1450:4007:80e::200e', '93.184.215.14']) expect(isInternalAddress(a), a).toBe(false);
    for (const a of ['127.0.0.2', '::1', 'fe80::1', '100.64.0.1', '224.0.0.1', '::ffff:10.0.0.1', 'not-an-ip']) expect(isInternalAddress(a), a).toBe(true);
  });

  it('checks again at delivery: a target that now points inside is never called', async () => {
    // Created while internal targets were allowed (or while its name resolved to a public address)…
    const deps = { db: t.container.database.db, store: new WebhooksStore(t.container.database.db), audit: t.container.services.audit, clock: t.clock, logger: t.container.logger };
    const permissive = new WebhooksService({ ...deps, allowInternalTargets: true });
    const hook = { body: await permissive.create({ url: `http://localhost:${port}/hook`, alertTypes: ['limit_review_due'] }, { keyId: null, name: 'test', role: 'admin' }) };
    // …then delivered by a service that refuses internal targets.
    const { alerts } = t.container.services;
    await alerts.raise([{ type: 'limit_review_due', severity: 'low', customerId: null, dedupeKey: `rebind-${Date.now()}`, message: 'review', data: {} }]);
    const webhooks = new WebhooksService(deps);
    const counts = await webhooks.deliverDue();
    expect(counts.delivered).toBe(0);
    expect(received).toBe(0);
    const log = await t.as('admin').get(`/v1/webhooks/${hook.body.id}/deliveries`).expect(200);
    expect(log.body.items[0].lastError).toMatch(/internal address 127\.0\.0\.1|internal address ::1/);
  });

  it('checks IP-literal spellings again at delivery: a target created while allowed is never called once refused', async () => {
    const deps = { db: t.container.database.db, store: new WebhooksStore(t.container.database.db), audit: t.container.services.audit, clock: t.clock, logger: t.container.logger };
    const permissive = new WebhooksService({ ...deps, allowInternalTargets: true });
    const actor = { keyId: null, name: 'test', role: 'admin' } as const;
    const hooks = [];
    for (const host of ['[::ffff:127.0.0.1]', '2130706433', '127.1']) {
      hooks.push(await permissive.create({ url: `http://${host}:${port}/hook`, alertTypes: ['limit_review_due'] }, actor));
    }
    await t.container.services.alerts.raise([{ type: 'limit_review_due', severity: 'low', customerId: null, dedupeKey: `literal-${Date.now()}`, message: 'review', data: {} }]);
    const before = received;
    const counts = await new WebhooksService(deps).deliverDue();
    expect(counts.delivered).toBe(0);
    expect(received).toBe(before);
    for (const h of hooks) {
      const log = await t.as('admin').get(`/v1/webhooks/${h.id}/deliveries`).expect(200);
      expect(log.body.items[0].lastError, h.url).toMatch(/loopback, private/);
    }
  });
});
