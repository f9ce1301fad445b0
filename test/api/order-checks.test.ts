import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { calendar, createCustomer, credit, invoice, orderCheck, pay, setLimit, unique } from '../setup/ledger-helpers.js';

let t: TestApp;
// The database decides and holds; decideOrder() explains. Any disagreement is logged as an error.
const errors: string[] = [];
const errorLog = new Writable({ write: (chunk, _enc, done) => (errors.push(String(chunk)), done()) });
beforeAll(async () => {
  t = await createTestApp({}, { logger: pino({ level: 'error' }, errorLog) });
});
afterAll(async () => {
  await t?.close();
  expect(errors.filter((e) => e.includes('order rule mismatch'))).toEqual([]);
});

const setGrade = (customerId: string, grade: string | null) =>
  t.container.database.pool.query('UPDATE credit_accounts SET risk_grade = $2 WHERE customer_id = $1', [customerId, grade]);
const codes = (res: { body: { reasons: Array<{ code: string }> } }) => res.body.reasons.map((r) => r.code);

async function withPolicy<T>(change: { defaultCreditLimit?: number; overdueGraceDays?: number; holdTtlHours?: number }, fn: () => Promise<T>): Promise<T> {
  const before = (await t.as('admin').get('/v1/policy')).body;
  const base = { defaultCreditLimit: before.defaultCreditLimit, overdueGraceDays: before.overdueGraceDays, holdTtlHours: before.holdTtlHours };
  await t.as('admin').put('/v1/policy', { ...base, ...change, reason: 'test' }).expect(200);
  try {
    return await fn();
  } finally {
    await t.as('admin').put('/v1/policy', { ...base, reason: 'restore' }).expect(200);
  }
}

describe('exposure (ACCEPTANCE 1–6)', () => {
  it('1. an invoice due 2 days ago is overdue with 0 grace days and open with 3', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    await invoice(t, c.id, 10_000, { dueIn: -2 });
    const strict = await orderCheck(t, c.id, 100);
    expect(strict.body.decision).toBe('blocked');
    expect(codes(strict)).toEqual(['overdue_invoices']);
    expect((await credit(t, c.id)).exposure).toMatchObject({ openReceivables: 0, overdueReceivables: 10_000 });
    await withPolicy({ overdueGraceDays: 3 }, async () => {
      expect((await credit(t, c.id)).exposure).toMatchObject({ openReceivables: 10_000, overdueReceivables: 0 });
      const lenient = await orderCheck(t, c.id, 100);
      expect(lenient.body.decision).toBe('approved');
      expect(codes(lenient)).toEqual([]);
    });
  });

  it('2. GET /v1/customers/{id} splits exposure into components whose sum is the total', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    await invoice(t, c.id, 30_000, { dueIn: 10 });
    await orderCheck(t, c.id, 5_000);
    await invoice(t, c.id, 7_000, { dueIn: -20 });
    const cr = await credit(t, c.id);
    expect(cr.exposure).toEqual({ openReceivables: 30_000, overdueReceivables: 7_000, factoredReceivables: 0, activeHolds: 5_000, unappliedCredits: 0, total: 42_000 });
    expect(cr.available).toBe(1_000_000 - 42_000);
    expect(cr.creditLimit).toMatchObject({ amount: 1_000_000, source: 'explicit' });
  });

  it('5. hold → invoice → payment moves the amount and never doubles it', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    const orderId = unique('ORD');
    const check = await orderCheck(t, c.id, 10_000, orderId);
    expect(check.body.decision).toBe('approved');
    expect((await credit(t, c.id)).exposure).toMatchObject({ activeHolds: 10_000, openReceivables: 0, total: 10_000 });
    const number = await invoice(t, c.id, 10_000, { orderId });
    expect((await credit(t, c.id)).exposure).toMatchObject({ activeHolds: 0, openReceivables: 10_000, total: 10_000 });
    expect((await t.as('order_system').get(`/v1/order-checks/${orderId}`)).body.holdStatus).toBe('consumed');
    // Re-sending the invoice does not consume anything twice.
    await invoice(t, c.id, 10_000, { orderId, number });
    expect((await credit(t, c.id)).exposure.total).toBe(10_000);
    await pay(t, c.id, 10_000, [{ invoiceNumber: number, amount: 10_000 }]);
    expect((await credit(t, c.id)).exposure).toMatchObject({ activeHolds: 0, openReceivables: 0, total: 0 });
  });

  it('6. an order of 100 invoiced for 60 keeps a hold of 40 until the rest is invoiced or released', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    const orderId = unique('ORD');
    await orderCheck(t, c.id, 10_000, orderId);
    await invoice(t, c.id, 6_000, { orderId });
    expect((await credit(t, c.id)).exposure).toMatchObject({ activeHolds: 4_000, openReceivables: 6_000, total: 10_000 });
    const state = await t.as('order_system').get(`/v1/order-checks/${orderId}`);
    expect(state.body).toMatchObject({ holdStatus: 'active', holdAmount: 4_000 });
    await t.as('order_system').post(`/v1/order-checks/${orderId}/release`, { reason: 'rest cancelled' }).expect(200);
    expect((await credit(t, c.id)).exposure).toMatchObject({ activeHolds: 0, total: 6_000 });
  });
});

describe('decisions (ACCEPTANCE 7–13)', () => {
  it('7. limit 1,000 with exposure 950: an order of 40 is approved, a following one of 20 blocked with the available 10', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    await invoice(t, c.id, 95_000);
    const first = await orderCheck(t, c.id, 4_000);
    expect(first.body).toMatchObject({ decision: 'approved', exposure: 95_000, available: 5_000 });
    expect(first.body.holdId).toEqual(expect.any(String));
    const second = await orderCheck(t, c.id, 2_000);
    expect(second.body).toMatchObject({ decision: 'blocked', available: 1_000, holdId: null, holdStatus: 'none' });
    expect(second.body.reasons).toEqual([expect.objectContaining({ code: 'over_limit', available: 1_000 })]);
    expect(second.body.reasons[0].message).toContain('€10.00');
  });

  it('8. within the limit but 200 overdue by 45 days (grace 15): not approved, overdue_invoices with the amount and oldest days', async () => {
    await withPolicy({ overdueGraceDays: 15 }, async () => {
      const c = await createCustomer(t);
      await setLimit(t, c.id, 1_000_000);
      await invoice(t, c.id, 30_000, { dueIn: 20 });
      await invoice(t, c.id, 20_000, { dueIn: -45, issuedDaysAgo: 75 });
      const res = await orderCheck(t, c.id, 1_000);
      expect(res.body.decision).not.toBe('approved');
      expect(res.body.reasons).toEqual([expect.objectContaining({ code: 'overdue_invoices', overdueAmount: 20_000, oldestOverdueDays: 45, graceDays: 15 })]);
      expect(res.body.reasons[0].message).toMatch(/€200\.00.*45 days/);
    });
  });

  it('9. when several rules fail, all reasons are listed in the documented order', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    await invoice(t, c.id, 20_000, { dueIn: -10 });
    await t.as('credit_manager').post(`/v1/customers/${c.id}/block`, { reason: 'disputed delivery' }).expect(200);
    await setGrade(c.id, 'X');
    const res = await orderCheck(t, c.id, 5_000);
    expect(res.body.decision).toBe('blocked');
    expect(codes(res)).toEqual(['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit']);
    expect(res.body.reasons[1].message).toContain('disputed delivery');
  });

  it('10. no limit gets the policy default; 0 sends to review with no_limit; an explicit 0 is prepayment only', async () => {
    const c = await createCustomer(t);
    const review = await orderCheck(t, c.id, 1_000);
    expect(review.body).toMatchObject({ decision: 'review', creditLimitSource: 'policy_default', holdId: null });
    expect(codes(review)).toEqual(['no_limit']);
    await withPolicy({ defaultCreditLimit: 50_000 }, async () => {
      const ok = await orderCheck(t, c.id, 1_000);
      expect(ok.body).toMatchObject({ decision: 'approved', creditLimit: 50_000, creditLimitSource: 'policy_default' });
      const over = await orderCheck(t, c.id, 60_000);
      expect(codes(over)).toEqual(['over_limit']);
      expect(over.body.reasons[0].message).toContain('policy default');
    });
    const prepay = await createCustomer(t);
    await setLimit(t, prepay.id, 0);
    const blocked = await orderCheck(t, prepay.id, 1_000);
    expect(blocked.body.decision).toBe('blocked');
    expect(codes(blocked)).toEqual(['over_limit']);
    expect(blocked.body.reasons[0].message).toContain('prepayment only');
    // Money paid in advance is room for a prepayment-only customer.
    await pay(t, prepay.id, 1_000);
    expect((await orderCheck(t, prepay.id, 1_000)).body.decision).toBe('approved');
  });

  it('11. a limit below current exposure is accepted with a warning, and new orders are then blocked', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    await invoice(t, c.id, 80_000);
    const res = await t.as('credit_manager').put(`/v1/customers/${c.id}/credit-limit`, { amount: 50_000, currency: 'EUR', reason: 'downgrade' }).expect(200);
    expect(res.body.warnings).toEqual([expect.objectContaining({ code: 'limit_below_exposure' })]);
    expect(res.body.available).toBe(-30_000);
    expect(codes(await orderCheck(t, c.id, 100))).toEqual(['over_limit']);
  });

  it('12. a credit manager overrides one blocked order: hold placed, audited with who and why; the next order is checked normally', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const orderId = unique('ORD');
    expect((await orderCheck(t, c.id, 15_000, orderId)).body.decision).toBe('blocked');
    await t.as('order_system').post(`/v1/order-checks/${orderId}/override`, { reason: 'x' }).expect(403);
    const res = await t.as('credit_manager').post(`/v1/order-checks/${orderId}/override`, { reason: 'long-standing customer, CEO agreed' }).expect(200);
    expect(res.body).toMatchObject({ decision: 'approved', holdStatus: 'active', holdAmount: 15_000 });
    expect(res.body.override).toMatchObject({ by: 'test-credit_manager', reason: 'long-standing customer, CEO agreed', originalDecision: 'blocked' });
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(15_000);
    const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${c.id}`).expect(200);
    const entry = audit.body.items.find((e: { action: string }) => e.action === 'order.overridden');
    expect(entry).toMatchObject({ actor: 'test-credit_manager', entityId: orderId, reason: 'long-standing customer, CEO agreed' });
    expect(entry.at).toEqual(expect.any(String));
    expect((await orderCheck(t, c.id, 100)).body.decision).toBe('blocked');
    await t.as('credit_manager').post(`/v1/order-checks/${orderId}/override`, { reason: 'again' }).expect(409);
    // A retry of the overridden order now answers approved, with the same hold.
    const retry = await orderCheck(t, c.id, 15_000, orderId);
    expect(retry.body).toMatchObject({ decision: 'approved', holdId: res.body.holdId });
  });

  it('13. the batch path checks and holds every order exactly like the single path', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const items = [6_000, 3_000, 2_000].map((amount) => ({ orderId: unique('B'), customerId: c.id, amount, currency: 'EUR' }));
    const res = await t.as('order_system').post('/v1/order-checks/batch', { items }).expect(200);
    expect(res.body.results.map((r: { decision: string }) => r.decision)).toEqual(['approved', 'approved', 'blocked']);
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(9_000);
    // Retried through the single path: the same answers.
    const retry = await t.as('order_system').post('/v1/order-checks', items[2]).expect(200);
    expect(retry.body.decision).toBe('blocked');
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });
});

describe('reason codes from the customer grade', () => {
  it('grade X blocks with legal_proceedings even with room under the limit', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    await setGrade(c.id, 'X');
    const res = await orderCheck(t, c.id, 100);
    expect(res.body.decision).toBe('blocked');
    expect(codes(res)).toEqual(['legal_proceedings']);
  });

  it('grade E sends to review with risk_grade unless a credit manager set an explicit limit', async () => {
    await withPolicy({ defaultCreditLimit: 100_000 }, async () => {
      const c = await createCustomer(t);
      await setGrade(c.id, 'E');
      const res = await orderCheck(t, c.id, 100);
      expect(res.body.decision).toBe('review');
      expect(codes(res)).toEqual(['risk_grade']);
      await setLimit(t, c.id, 100_000);
      expect((await orderCheck(t, c.id, 100)).body.decision).toBe('approved');
    });
  });

  it('manual_block blocks, and unblocking restores normal checks; both are audited', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 100_000);
    await t.as('credit_manager').post(`/v1/customers/${c.id}/block`, { reason: 'fraud suspicion' }).expect(200);
    await t.as('credit_manager').post(`/v1/customers/${c.id}/block`, { reason: 'again' }).expect(409);
    expect(codes(await orderCheck(t, c.id, 100))).toEqual(['manual_block']);
    expect((await credit(t, c.id))).toMatchObject({ blocked: true, manualBlock: { reason: 'fraud suspicion', by: 'test-credit_manager' } });
    await t.as('credit_manager').post(`/v1/customers/${c.id}/unblock`, { reason: 'cleared' }).expect(200);
    expect((await orderCheck(t, c.id, 100)).body.decision).toBe('approved');
    const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${c.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['customer.blocked', 'customer.unblocked']));
    await t.as('credit_manager').post(`/v1/customers/${c.id}/block`, {}).expect(400);
  });
});

describe('retries and holds (ACCEPTANCE 14–16)', () => {
  it('15. a retry returns the first decision and the same hold even after the limit changed; another amount is a 409', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const orderId = unique('ORD');
    const first = await orderCheck(t, c.id, 5_000, orderId);
    expect(first.body.decision).toBe('approved');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    await setLimit(t, c.id, 0);
    const retry = await orderCheck(t, c.id, 5_000, orderId);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toMatchObject({ decision: 'approved', holdId: first.body.holdId, checkedAt: first.body.checkedAt });
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(5_000);
    const conflict = await orderCheck(t, c.id, 6_000, orderId);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('order_id_conflict');
    const other = await createCustomer(t);
    expect((await orderCheck(t, other.id, 5_000, orderId)).status).toBe(409);
  });

  it('16. a hold past its time-to-live stops counting, is marked expired, and frees the room', async () => {
    await withPolicy({ holdTtlHours: 2 }, async () => {
      const c = await createCustomer(t);
      await setLimit(t, c.id, 10_000);
      const orderId = unique('ORD');
      await orderCheck(t, c.id, 8_000, orderId);
      expect((await orderCheck(t, c.id, 5_000)).body.decision).toBe('blocked');
      t.clock.advance(3 * 3_600_000);
      try {
        expect((await credit(t, c.id)).exposure.activeHolds).toBe(0);
        expect((await t.as('order_system').get(`/v1/order-checks/${orderId}`)).body.holdStatus).toBe('expired');
        expect(await t.container.services.orders.expireHolds()).toBeGreaterThanOrEqual(1);
        const { rows } = await t.container.database.pool.query('SELECT hold_status FROM order_checks WHERE order_id = $1', [orderId]);
        expect(rows[0].hold_status).toBe('expired');
        expect((await orderCheck(t, c.id, 5_000)).body.decision).toBe('approved');
        await t.as('order_system').post(`/v1/order-checks/${orderId}/release`).expect(409);
      } finally {
        t.clock.advance(-3 * 3_600_000);
      }
    });
  });

  it('release is idempotent and refused for an order that holds nothing', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const orderId = unique('ORD');
    await orderCheck(t, c.id, 1_000, orderId);
    await t.as('order_system').post(`/v1/order-checks/${orderId}/release`).expect(200);
    const again = await t.as('order_system').post(`/v1/order-checks/${orderId}/release`).expect(200);
    expect(again.body.holdStatus).toBe('released');
    const blockedId = unique('ORD');
    await orderCheck(t, c.id, 50_000, blockedId);
    expect((await t.as('order_system').post(`/v1/order-checks/${blockedId}/release`)).body.error.code).toBe('hold_not_active');
    await t.as('order_system').post('/v1/order-checks/never-seen/release').expect(404);
  });

  it('refuses bad order input naming the field', async () => {
    const c = await createCustomer(t);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ orderId: 'o', customerId: c.id, amount: 10.5, currency: 'EUR' }, 'body.amount'],
      [{ orderId: 'o', customerId: c.id, amount: 100, currency: 'USD' }, 'body.currency'],
      [{ orderId: 'o', amount: 100, currency: 'EUR' }, 'body.customerId'],
      [{ orderId: '', customerId: c.id, amount: 100, currency: 'EUR' }, 'body.orderId'],
      [{ orderId: 'o', customerExternalId: 'nobody', amount: 100, currency: 'EUR' }, 'body.customerExternalId'],
    ];
    for (const [body, field] of cases) {
      const res = await t.as('order_system').post('/v1/order-checks', body);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    const { rows } = await t.container.database.pool.query("SELECT count(*) FROM order_checks WHERE order_id = 'o'");
    expect(Number(rows[0].count)).toBe(0);
  });
});

describe('limits and audit (ACCEPTANCE 17–18)', () => {
  it('17. limit changes, blocks, overrides and policy changes each write one entry with actor, time, old and new values and reason; none can be edited', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000, { reason: 'opening' });
    await setLimit(t, c.id, 20_000, { reason: 'good payer' });
    const audit = await t.as('credit_manager').get(`/v1/audit?customerId=${c.id}`).expect(200);
    const limits = audit.body.items.filter((e: { action: string }) => e.action === 'credit_limit.set');
    expect(limits).toHaveLength(2);
    expect(limits[0]).toMatchObject({ actor: 'test-credit_manager', reason: 'good payer', oldValue: { amount: 10_000 }, newValue: { amount: 20_000 } });
    await withPolicy({ overdueGraceDays: 5 }, async () => {
      const p = await t.as('admin').get('/v1/audit?entityType=credit_policy').expect(200);
      expect(p.body.items[0]).toMatchObject({ action: 'policy.changed', actor: 'test-admin', newValue: { overdueGraceDays: 5 } });
    });
    await expect(t.container.database.pool.query('UPDATE audit_entries SET reason = $1', ['tampered'])).rejects.toThrow(/append-only/);
    await expect(t.container.database.pool.query('DELETE FROM audit_entries')).rejects.toThrow(/append-only/);
    const paths = t.container.routes.filter((r) => r.path.startsWith('/v1/audit')).map((r) => r.method);
    expect(paths).toEqual(['get']);
  });

  it('a limit in another currency than the customer is refused; the reason is required', async () => {
    const c = await createCustomer(t);
    const res = await t.as('credit_manager').put(`/v1/customers/${c.id}/credit-limit`, { amount: 100, currency: 'USD', reason: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe('body.currency');
    const noReason = await t.as('credit_manager').put(`/v1/customers/${c.id}/credit-limit`, { amount: 100, currency: 'EUR' });
    expect(noReason.body.error.details[0].field).toBe('body.reason');
    expect((await credit(t, c.id)).creditLimit.source).toBe('policy_default');
  });

  it('18. a limit whose review date is past is reported as due for review', async () => {
    const c = await createCustomer(t);
    const { day } = calendar(t);
    await setLimit(t, c.id, 10_000, { reviewDate: day(-1) });
    expect((await credit(t, c.id)).creditLimit).toMatchObject({ reviewDate: day(-1), reviewDue: true });
    await setLimit(t, c.id, 10_000, { reviewDate: day(30) });
    expect((await credit(t, c.id)).creditLimit.reviewDue).toBe(false);
  });

  it("a customer's currency cannot change once it has a ledger", async () => {
    const c = await createCustomer(t);
    await t.as('credit_manager').patch(`/v1/customers/${c.id}`, { currency: 'CHF' }).expect(200);
    await t.as('credit_manager').patch(`/v1/customers/${c.id}`, { currency: 'EUR' }).expect(200);
    await invoice(t, c.id, 100);
    const res = await t.as('credit_manager').patch(`/v1/customers/${c.id}`, { currency: 'CHF' }).expect(400);
    expect(res.body.error.code).toBe('currency_locked');
  });
});
