import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, invoice, orderCheck, pay, setLimit, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES, runJob, waitFor } from '../setup/jobs.js';

let t: TestApp;
const received: Array<{ event: string; orderCheck: { orderId: string; decision: string; holdId: string } }> = [];
let receiver: http.Server;
let receiverUrl: string;
beforeAll(async () => {
  t = await createTestApp({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }, { now: '2026-10-01T09:00:00Z', jobsProcessEvery: 100, schedule: NO_SCHEDULES });
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/orders`;
});
afterAll(async () => {
  receiver?.close();
  await t?.close();
});

describe('decisions that can be explained and re-checked', () => {
  it('a blocked answer says what would make it pass, and GET shows the snapshot it was decided on', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000, { reviewDate: '2027-01-31' });
    await t.container.database.pool.query("UPDATE credit_accounts SET risk_grade = 'D', risk_grade_at = '2026-09-01T00:00:00Z' WHERE customer_id = $1", [c.id]);
    await invoice(t, c.id, 95_000, { dueIn: 20 });
    const orderId = unique('SNAP');
    const res = await orderCheck(t, c.id, 10_000, orderId);
    expect(res.body).toMatchObject({
      decision: 'blocked',
      reasons: [{ code: 'over_limit', available: 5_000 }],
      toPass: { available: 5_000, prepaymentToCover: 5_000, overdueToPay: null, gradeCondition: 'deposit' },
    });
    const stored = await t.as('credit_manager').get(`/v1/order-checks/${orderId}`).expect(200);
    expect(stored.body.snapshot).toMatchObject({ limitSetBy: 'test-credit_manager', riskGrade: 'D', riskGradeAt: '2026-09-01T00:00:00.000Z', dataAgeDays: { riskGrade: 30, limit: 0 }, graceDays: 0 });
    expect(stored.body.exposureComponents).toMatchObject({ openReceivables: 95_000 });
  });

  it('re-checked after the limit is raised: approved, held, audited; retries answer the same', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    await invoice(t, c.id, 95_000, { dueIn: 20 });
    const orderId = unique('RE');
    expect((await orderCheck(t, c.id, 10_000, orderId)).body.decision).toBe('blocked');
    // Nothing changed yet: decided again, still blocked, no hold.
    const again = await t.as('order_system').post(`/v1/order-checks/${orderId}/recheck`, {}).expect(200);
    expect(again.body).toMatchObject({ recheck: 'rechecked', decision: 'blocked', holdId: null, rechecks: [{ previousDecision: 'blocked', decision: 'blocked' }] });

    await setLimit(t, c.id, 200_000);
    const now = await t.as('credit_manager').post(`/v1/order-checks/${orderId}/recheck`, { reason: 'limit raised after review' }).expect(200);
    expect(now.body).toMatchObject({ recheck: 'rechecked', decision: 'approved', holdStatus: 'active', holdAmount: 10_000, creditLimit: 200_000 });
    expect(now.body.rechecks).toHaveLength(2);
    expect(now.body.rechecks[1]).toMatchObject({ by: 'test-credit_manager', previousDecision: 'blocked', previousReasons: ['over_limit'], decision: 'approved', reasons: [] });
    const holdId = now.body.holdId as string;

    const retry = await t.as('order_system').post(`/v1/order-checks/${orderId}/recheck`, {}).expect(200);
    expect(retry.body).toMatchObject({ recheck: 'unchanged', decision: 'approved', holdId });
    const replay = await orderCheck(t, c.id, 10_000, orderId);
    expect(replay.body).toMatchObject({ decision: 'approved', holdId });
    expect((await t.as('credit_manager').get(`/v1/customers/${c.id}`)).body.credit.exposure.activeHolds).toBe(10_000);

    const audit = await t.as('credit_manager').get(`/v1/audit?entityType=order&entityId=${orderId}`).expect(200);
    const rechecks = audit.body.items.filter((e: { action: string }) => e.action === 'order.rechecked');
    expect(rechecks).toHaveLength(2);
    expect(rechecks.find((e: { newValue: { decision: string } }) => e.newValue.decision === 'approved')).toMatchObject({ actor: 'test-credit_manager', reason: 'limit raised after review', oldValue: { decision: 'blocked' } });
  });

  it('re-checked after the overdue invoice is paid', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 500_000);
    const late = await invoice(t, c.id, 20_000, { dueIn: -30 });
    const orderId = unique('PAY');
    const first = await orderCheck(t, c.id, 10_000, orderId);
    expect(first.body).toMatchObject({ decision: 'blocked', reasons: [{ code: 'overdue_invoices' }], toPass: { overdueToPay: 20_000, prepaymentToCover: null } });
    expect((await pay(t, c.id, 20_000, [{ invoiceNumber: late, amount: 20_000 }])).status).toBe(200);
    const re = await t.as('order_system').post(`/v1/order-checks/${orderId}/recheck`, {}).expect(200);
    expect(re.body).toMatchObject({ decision: 'approved', recheck: 'rechecked' });
    expect(re.body.toPass).toBeUndefined();
  });

  it('an order never checked is a 404; a sales key may not re-check', async () => {
    expect((await t.as('order_system').post('/v1/order-checks/NEVER-SEEN/recheck', {})).status).toBe(404);
    expect((await t.as('sales').post('/v1/order-checks/NEVER-SEEN/recheck', {})).status).toBe(403);
  });
});

describe('automatic re-check of waiting orders (policy autoRecheckOrders)', () => {
  it('off by default: raising the limit leaves the order in review', async () => {
    await t.container.startJobs();
    const c = await createCustomer(t); // no explicit limit, policy default 0: orders go to review
    const orderId = unique('OFF');
    expect((await orderCheck(t, c.id, 10_000, orderId)).body.decision).toBe('review');
    await setLimit(t, c.id, 50_000);
    await runJob(t, 'recheck-orders', { customerIds: [c.id] });
    expect((await t.as('order_system').get(`/v1/order-checks/${orderId}`)).body.decision).toBe('review');
  });

  it('on: a raised limit or a payment re-checks the order, which the order system learns by webhook', async () => {
    const policy = (await t.as('credit_manager').get('/v1/policy')).body;
    await t.as('admin').put('/v1/policy', { defaultCreditLimit: policy.defaultCreditLimit, overdueGraceDays: policy.overdueGraceDays, holdTtlHours: policy.holdTtlHours, autoRecheckOrders: true, reason: 'release waiting orders' }).expect(200);
    await t.as('admin').post('/v1/webhooks', { url: receiverUrl, alertTypes: ['order_check.approved'] }).expect(201);

    const c = await createCustomer(t);
    const orderId = unique('AUTO');
    expect((await orderCheck(t, c.id, 10_000, orderId)).body.decision).toBe('review');
    await setLimit(t, c.id, 50_000); // enqueues the re-check of this customer's waiting orders
    const approved = await waitFor(async () => {
      const res = await t.as('order_system').get(`/v1/order-checks/${orderId}`);
      return res.body.decision === 'approved' ? res.body : undefined;
    }, 20_000);
    expect(approved).toMatchObject({ holdStatus: 'active', rechecks: [{ by: 'auto-recheck', previousDecision: 'review', decision: 'approved' }] });

    await runJob(t, 'deliver-webhooks');
    const event = received.find((e) => e.orderCheck?.orderId === orderId);
    expect(event).toMatchObject({ event: 'order_check.approved', orderCheck: { decision: 'approved', holdId: approved.holdId } });

    // A blocked order (an overdue invoice) is released by the payment that settles it.
    const late = await createCustomer(t);
    await setLimit(t, late.id, 500_000);
    const number = await invoice(t, late.id, 30_000, { dueIn: -20 });
    const blockedId = unique('PAID');
    expect((await orderCheck(t, late.id, 10_000, blockedId)).body.decision).toBe('blocked');
    expect((await pay(t, late.id, 30_000, [{ invoiceNumber: number, amount: 30_000 }])).status).toBe(200);
    const released = await waitFor(async () => {
      const res = await t.as('order_system').get(`/v1/order-checks/${blockedId}`);
      return res.body.decision === 'approved' ? res.body : undefined;
    }, 20_000);
    expect(released.rechecks.at(-1)).toMatchObject({ by: 'auto-recheck', previousDecision: 'blocked', previousReasons: ['overdue_invoices'], decision: 'approved' });
  });

  it('a declined order stays out: neither the automatic re-check, a manual one nor an override changes it', async () => {
    const c = await createCustomer(t);
    const orderId = unique('DECL');
    expect((await orderCheck(t, c.id, 10_000, orderId)).body.decision).toBe('review');
    // Bad input and roles first: a 400 naming the field, a 403, a 404; nothing written.
    const noReason = await t.as('credit_manager').post(`/v1/order-checks/${orderId}/decline`, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.reason']);
    expect((await t.as('order_system').post(`/v1/order-checks/${orderId}/decline`, { reason: 'x' })).status).toBe(403);
    expect((await t.as('credit_manager').post('/v1/order-checks/never-seen/decline', { reason: 'x' })).status).toBe(404);
    expect((await t.as('credit_manager').get(`/v1/order-checks/${orderId}`)).body.declined).toBeUndefined();

    const declined = await t.as('credit_manager').post(`/v1/order-checks/${orderId}/decline`, { reason: 'customer under review by legal' });
    expect(declined.status).toBe(200);
    expect(declined.body).toMatchObject({ decision: 'review', holdStatus: 'none', declined: { reason: 'customer under review by legal' } });
    // Declining again answers the same.
    expect((await t.as('credit_manager').post(`/v1/order-checks/${orderId}/decline`, { reason: 'again' })).body.declined.reason).toBe('customer under review by legal');

    await setLimit(t, c.id, 50_000); // the policy re-checks waiting orders (on since the test above)
    await runJob(t, 'recheck-orders', { customerIds: [c.id] });
    const manual = await t.as('order_system').post(`/v1/order-checks/${orderId}/recheck`, {});
    expect(manual.body).toMatchObject({ recheck: 'unchanged', decision: 'review', holdStatus: 'none' });
    const override = await t.as('credit_manager').post(`/v1/order-checks/${orderId}/override`, { reason: 'changed my mind' });
    expect(override.status).toBe(409);
    expect(override.body.error.code).toBe('order_declined');
    const audit = await t.as('admin').get(`/v1/audit?entityType=order&entityId=${orderId}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(['order.declined']);

    // An approved order is not declined (its hold is released instead).
    const ok = unique('DECL-OK');
    expect((await orderCheck(t, c.id, 10_000, ok)).body.decision).toBe('approved');
    expect((await t.as('credit_manager').post(`/v1/order-checks/${ok}/decline`, { reason: 'x' })).status).toBe(409);
  });
});
