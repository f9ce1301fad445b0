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
});
