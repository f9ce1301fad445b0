import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeSiren, type TestApp } from '../setup/test-app.js';
import { collectiveRecord, ganymedeRecords, startSourcesServer } from '../setup/sources-server.js';
import { calendar, credit, invoice, orderCheck, pay, setLimit, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES, runJob, waitFor } from '../setup/jobs.js';
import { verifySignature } from '../../src/webhooks/webhook-signature.js';

const DANONE = '552032534';

/** A webhook receiver on 127.0.0.1 that records each delivery; `failing` answers 503. */
async function startReceiver() {
  const received: Array<{ headers: http.IncomingHttpHeaders; body: string; at: Date }> = [];
  const state = { failing: false };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      if (state.failing) {
        res.writeHead(503).end();
        return;
      }
      received.push({ headers: req.headers, body, at: new Date() });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, state, close: () => new Promise<void>((r) => server.close(() => r())) };
}

let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let t: TestApp;
beforeAll(async () => {
  sources = await startSourcesServer();
  receiver = await startReceiver();
  t = await createTestApp({ ...sources.env, MONITORING_BODACC_FIRST_DAYS: '1', SOURCE_CIRCUIT_OPEN_MS: '300', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }, { now: '2026-11-23T09:00:00Z', jobsProcessEvery: 100, schedule: NO_SCHEDULES });
  await t.container.startJobs();
});
afterAll(async () => {
  await t?.close();
  await receiver?.close();
  await sources?.close();
});

describe('monitoring, end to end', () => {
  it('a liquidation judiciaire published on BODACC: one job run later the customer is X, alerted, the webhook delivered signed, and its next order is blocked', async () => {
    const { today } = calendar(t);
    const hook = await t.as('admin').post('/v1/webhooks', { url: receiver.url, alertTypes: ['legal_event', 'grade_downgrade', 'auto_blocked'] }).expect(201);
    expect(hook.body.secret).toMatch(/^whsec_/);

    const created = await t.as('credit_manager').post('/v1/customers', { externalId: unique('MON'), siren: DANONE, name: 'Danone' }).expect(201);
    const id = created.body.id as string;
    await setLimit(t, id, 5_000_000);
    await t.as('credit_manager').post(`/v1/customers/${id}/assessments`, {}).expect(201);
    const open = await orderCheck(t, id, 100_000);
    expect(open.body.decision).toBe('approved');

    // The day's announcements, for every company in France: another company's, and the customer's liquidation.
    sources.state.bodaccByDay.set(today(), [
      { ...ganymedeRecords()[0]!, id: 'B202611230001', dateparution: today() },
      collectiveRecord(DANONE, 'A202611230042', "Jugement d'ouverture d'une procédure de liquidation judiciaire", today(), today()),
    ]);
    const before = sources.requests.length;
    const run = await runJob(t, 'bodacc-delta');
    expect(run).toMatchObject({ status: 'succeeded', counts: { days: 2, newEvents: 1, alerts: 1, rescored: 1 } });
    // The whole portfolio for two days in two requests: one page a day, not one request per customer.
    expect(sources.requests.length - before).toBe(2);

    expect((await credit(t, id)).riskGrade).toBe('X');
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&status=open`).expect(200);
    const legal = alerts.body.items.find((a: { type: string }) => a.type === 'legal_event');
    expect(legal).toMatchObject({ severity: 'critical', evidence: { source: 'bodacc', id: 'A202611230042' }, data: { kind: 'liquidation_judiciaire', judgment: { nature: expect.stringMatching(/liquidation judiciaire/) } } });
    expect(alerts.body.items.map((a: { type: string }) => a.type)).toEqual(expect.arrayContaining(['legal_event', 'grade_downgrade', 'auto_blocked']));
    expect((await credit(t, id)).autoBlock).toMatchObject({ reasons: ['legal_proceedings'] });

    await runJob(t, 'deliver-webhooks');
    const legalDelivery = receiver.received.find((r) => JSON.parse(r.body).alert.type === 'legal_event');
    expect(legalDelivery).toBeDefined();
    expect(legalDelivery!.headers['vigie-event']).toBe('legal_event');
    expect(verifySignature(hook.body.secret, legalDelivery!.headers['vigie-signature'] as string, legalDelivery!.body, t.clock.now())).toBe(true);
    expect(verifySignature('whsec_wrong', legalDelivery!.headers['vigie-signature'] as string, legalDelivery!.body, t.clock.now())).toBe(false);
    expect(JSON.parse(legalDelivery!.body)).toMatchObject({ event: 'alert.legal_event', alert: { id: legal.id, customerId: id } });

    const next = await orderCheck(t, id, 10_000);
    expect(next.body.decision).toBe('blocked');
    expect(next.body.reasons.map((r: { code: string }) => r.code)).toContain('legal_proceedings');

    // A second run the same day finds the same announcement again and raises nothing new.
    const again = await runJob(t, 'bodacc-delta');
    expect(again.counts).toMatchObject({ days: 1, newEvents: 0, alerts: 0 });
    const after = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=legal_event`).expect(200);
    expect(after.body.items).toHaveLength(1);
  }, 60_000);
});

describe('exposure watch', () => {
  it('new invoices past the limit block automatically; payments bring it back under and unblock; the manual block is left as it was', async () => {
    const siren = makeSiren();
    const created = await t.as('credit_manager').post('/v1/customers', { externalId: unique('WATCH'), siren, name: 'Watched' }).expect(201);
    const id = created.body.id as string;
    await setLimit(t, id, 100_000);
    await t.as('credit_manager').post(`/v1/customers/${id}/block`, { reason: 'disputed delivery' }).expect(200);

    const runs = async () => (await t.container.database.pool.query("SELECT count(*)::int AS n FROM job_runs WHERE job_name = 'exposure-watch' AND status = 'succeeded'")).rows[0].n as number;
    const n0 = await runs();
    await invoice(t, id, 60_000, { number: unique('W1') });
    await invoice(t, id, 60_000, { number: unique('W2') });
    // The ledger write enqueued the watch for this customer: no schedule, no manual trigger.
    const blocked = await waitFor(async () => {
      const c = await credit(t, id);
      return c.autoBlock ? c : undefined;
    }, 20_000, 'the automatic block');
    expect(await runs()).toBeGreaterThan(n0);
    expect(blocked).toMatchObject({ blocked: true, autoBlock: { reasons: ['over_limit'] }, manualBlock: { reason: 'disputed delivery' } });
    const open = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&status=open`).expect(200);
    expect(open.body.items.map((a: { type: string }) => a.type).sort()).toEqual(['auto_blocked', 'limit_exceeded']);

    expect((await pay(t, id, 30_000)).status).toBe(200);
    const unblocked = await waitFor(async () => {
      const c = await credit(t, id);
      return c.autoBlock === null ? c : undefined;
    }, 20_000, 'the automatic unblock');
    expect(unblocked).toMatchObject({ blocked: true, manualBlock: { reason: 'disputed delivery' } });
    const all = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}`).expect(200);
    const byType = Object.fromEntries(all.body.items.map((a: { type: string; status: string }) => [a.type, a.status]));
    expect(byType).toEqual({ auto_blocked: 'resolved', limit_exceeded: 'resolved', auto_unblocked: 'open' });
    const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['customer.auto_blocked', 'customer.auto_unblocked', 'customer.blocked']));
  }, 60_000);

  it('an invoice overdue beyond the grace days blocks; the daily watch is idempotent', async () => {
    const id = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('OVD'), siren: makeSiren(), name: 'Late' }).expect(201)).body.id as string;
    await setLimit(t, id, 1_000_000);
    await invoice(t, id, 10_000, { dueIn: -20, issuedDaysAgo: 60 });
    await waitFor(async () => ((await credit(t, id)).autoBlock ? true : undefined), 20_000, 'the overdue block');
    const first = await runJob(t, 'exposure-watch');
    const second = await runJob(t, 'exposure-watch');
    expect(first.counts.blocked).toBe(0);
    expect(second.counts).toMatchObject({ blocked: 0, unblocked: 0 });
    const overdue = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=overdue`).expect(200);
    expect(overdue.body.items).toHaveLength(1);
    expect(overdue.body.items[0].occurrences).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('alerts', () => {
  it('limit review reminders; filters; acknowledge and resolve with a comment, audited; bad input names the field', async () => {
    const { day } = calendar(t);
    const id = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('REV'), siren: makeSiren(), name: 'Review' }).expect(201)).body.id as string;
    await setLimit(t, id, 50_000, { reviewDate: day(5) });
    const run = await runJob(t, 'limit-reviews');
    expect(run.counts.alerts).toBeGreaterThanOrEqual(1);
    expect((await runJob(t, 'limit-reviews')).counts.alerts).toBe(0);
    const list = await t.as('credit_manager').get(`/v1/alerts?type=limit_review_due&customerId=${id}&severity=medium`).expect(200);
    expect(list.body.items).toHaveLength(1);
    const alert = list.body.items[0];
    expect(alert).toMatchObject({ status: 'open', data: { reviewDate: day(5) } });

    const bad = await t.as('credit_manager').post(`/v1/alerts/${alert.id}/ack`, {}).expect(400);
    expect(bad.body.error.details[0].field).toBe('body.comment');
    await t.as('sales').post(`/v1/alerts/${alert.id}/ack`, { comment: 'x' }).expect(403);
    const acked = await t.as('credit_manager').post(`/v1/alerts/${alert.id}/ack`, { comment: 'review booked with the customer' }).expect(200);
    expect(acked.body).toMatchObject({ status: 'acknowledged', acknowledged: { by: 'test-credit_manager' }, comment: 'review booked with the customer' });
    const resolved = await t.as('credit_manager').post(`/v1/alerts/${alert.id}/ack`, { comment: 'limit renewed', resolve: true }).expect(200);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved: { by: 'test-credit_manager' } });
    await t.as('credit_manager').post(`/v1/alerts/${alert.id}/ack`, { comment: 'again' }).expect(409);
    const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${id}`).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['alert.acknowledged', 'alert.resolved']));
    await t.as('credit_manager').get('/v1/alerts?severity=urgent').expect(400);
  });
});

describe('webhooks', () => {
  it('a receiver that is down loses nothing: deliveries are retried with backoff and logged', async () => {
    const hook = await t.as('admin').post('/v1/webhooks', { url: receiver.url, alertTypes: ['limit_review_due'] }).expect(201);
    const { day } = calendar(t);
    const id = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('HOOK'), siren: makeSiren(), name: 'Hooked' }).expect(201)).body.id as string;
    receiver.state.failing = true;
    try {
      await setLimit(t, id, 50_000, { reviewDate: day(-1) });
      await runJob(t, 'limit-reviews');
      await runJob(t, 'deliver-webhooks');
      const log = await t.as('admin').get(`/v1/webhooks/${hook.body.id}/deliveries`).expect(200);
      expect(log.body.items).toHaveLength(1);
      expect(log.body.items[0]).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 503, lastError: 'HTTP 503' });
      // Not due again before its backoff
      await runJob(t, 'deliver-webhooks');
      expect((await t.as('admin').get(`/v1/webhooks/${hook.body.id}/deliveries`).expect(200)).body.items[0].attempts).toBe(1);
    } finally {
      receiver.state.failing = false;
    }
    t.clock.advance(61_000);
    await runJob(t, 'deliver-webhooks');
    const log = await t.as('admin').get(`/v1/webhooks/${hook.body.id}/deliveries`).expect(200);
    expect(log.body.items[0]).toMatchObject({ status: 'delivered', attempts: 2, lastStatus: 204 });
    const got = receiver.received.filter((r) => r.headers['vigie-delivery'] === log.body.items[0].id);
    expect(got).toHaveLength(1);
    expect(verifySignature(hook.body.secret, got[0]!.headers['vigie-signature'] as string, got[0]!.body, t.clock.now())).toBe(true);

    await t.as('credit_manager').post('/v1/webhooks', { url: receiver.url }).expect(403);
    const bad = await t.as('admin').post('/v1/webhooks', { url: 'ftp://example.org', alertTypes: ['nope'] }).expect(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.alertTypes[0]', 'body.url']);
    await t.as('admin').delete(`/v1/webhooks/${hook.body.id}`).expect(204);
    await t.as('admin').delete(`/v1/webhooks/${hook.body.id}`).expect(404);
  }, 60_000);
});

describe('source refresh and re-scoring', () => {
  it('refreshes stale registry and financial data, alerts on a DGCCRF sanction, flags a source that is down and clears it when it answers', async () => {
    // LEPEE VITRAGE is named in the recorded DGCCRF page.
    const sanctioned = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('DGCCRF'), siren: '313997603', name: 'Lepée Vitrage' }).expect(201)).body.id as string;
    const first = await runJob(t, 'refresh-sources');
    expect(first.status).toBe('succeeded');
    expect(first.counts.refreshed).toBeGreaterThanOrEqual(1);
    expect(first.counts.sanctionAlerts).toBe(1);
    const alert = (await t.as('credit_manager').get(`/v1/alerts?customerId=${sanctioned}&type=sanction_published`).expect(200)).body.items;
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({ severity: 'high', data: { date: '2019-08-01', amount: 500_000 }, evidence: { source: 'dgccrf' } });
    // Within the TTLs nothing is stale: the next run fetches nothing and raises nothing.
    const requests = sources.requests.length;
    const second = await runJob(t, 'refresh-sources');
    expect(second.counts).toMatchObject({ refreshed: 0, sanctionAlerts: 0 });
    expect(sources.requests.length).toBe(requests);

    t.clock.advance(400 * 86_400_000);
    sources.state.down = true;
    try {
      const down = await runJob(t, 'refresh-sources');
      expect(down.counts.failures).toBeGreaterThan(0);
      const stale = (await t.as('credit_manager').get('/v1/alerts?type=source_stale&status=open').expect(200)).body.items;
      expect(stale.map((a: { data: { source: string } }) => a.data.source)).toEqual(expect.arrayContaining(['recherche-entreprises', 'dgccrf']));
    } finally {
      sources.state.down = false;
    }
    // Once the circuit that paused the failing sources closes again, the next run reaches them.
    await new Promise((r) => setTimeout(r, 400));
    await runJob(t, 'refresh-sources');
    const after = (await t.as('credit_manager').get('/v1/alerts?type=source_stale').expect(200)).body.items;
    expect(after.map((a: { status: string; data: unknown }) => [a.status, a.data])).toEqual(after.map((a: { data: unknown }) => ['resolved', a.data]));
    t.clock.advance(-400 * 86_400_000);
  }, 60_000);

  it('the nightly re-score assesses every customer once, then skips those whose inputs did not change', async () => {
    const first = await runJob(t, 'rescore-portfolio');
    expect(first.status).toBe('succeeded');
    expect(first.counts.customers).toBeGreaterThan(3);
    const second = await runJob(t, 'rescore-portfolio');
    expect(second.counts).toMatchObject({ customers: first.counts.customers, assessed: 0, unchanged: first.counts.customers });
    // A ledger change is an input change. This invoice makes the customer overdue, so the exposure
    // watch that the ledger write enqueues re-scores it at once; the nightly run then finds it unchanged.
    const id = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('NIGHT'), siren: makeSiren(), name: 'Night' }).expect(201)).body.id as string;
    await runJob(t, 'rescore-portfolio');
    const assessments = async () => (await t.as('sales').get(`/v1/customers/${id}/assessments`).expect(200)).body.items as Array<{ reasons: Array<{ code: string }> }>;
    const before = (await assessments()).length;
    const number = await invoice(t, id, 10_000, { dueIn: -40, issuedDaysAgo: 80 });
    const rescored = await waitFor(async () => {
      const items = await assessments();
      return items.length > before && items;
    }, 20_000, 'the exposure watch to re-score the newly overdue customer');
    expect(rescored).toHaveLength(before + 1);
    expect(rescored[0]!.reasons.map((r) => r.code)).toContain('overdue_share_high');
    const third = await runJob(t, 'rescore-portfolio');
    expect(third.counts.assessed).toBe(0);
    // A part payment leaves the customer overdue (the watch does not re-score it): the nightly run
    // assesses that customer alone.
    expect((await pay(t, id, 4_000, [{ invoiceNumber: number, amount: 4_000 }])).status).toBe(200);
    const fourth = await runJob(t, 'rescore-portfolio');
    expect(fourth.counts.assessed).toBe(1);
    expect(await assessments()).toHaveLength(before + 2);
  }, 60_000);
});
