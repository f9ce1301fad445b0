import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, credit, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { COMPANY_ENV } from '../setup/collections.js';

/*
 * Credit insurance and factoring in the one home of the credit rules: the exposure net of the
 * insured share beside the gross one, orders checked against either (policy), a cover reduced or
 * withdrawn alerting and lowering the limit (policy), the "declare to insurer" task before the claim
 * deadline, and invoices assigned to a factor shown apart and out of dunning.
 */
let t: TestApp;
let customerId: string;

const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
const runCollections = () => t.container.services.collections.dunning.run();
const order = (amount: number) => t.as('order_system').post('/v1/order-checks', { orderId: unique('ORD'), customerId, amount, currency: 'EUR' });
const cover = (changes: Record<string, unknown> = {}) =>
  t.as('credit_manager').put(`/v1/customers/${customerId}/credit-insurance`, {
    insurer: 'Allianz Trade',
    policyNumber: 'POL-77',
    coveragePercent: 90,
    insuredLimit: 5_000_000,
    currency: 'EUR',
    status: 'agreed',
    decidedOn: '2026-05-20',
    claimDeadlineDays: 60,
    claimNoticeDays: 15,
    reason: 'insurer decision',
    ...changes,
  });
async function setPolicy(changes: Record<string, unknown>) {
  const current = (await t.as('credit_manager').get('/v1/policy')).body;
  const res = await t.as('admin').put('/v1/policy', { defaultCreditLimit: current.defaultCreditLimit, overdueGraceDays: current.overdueGraceDays, holdTtlHours: current.holdTtlHours, reason: 'test', ...changes });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

beforeAll(async () => {
  t = await createTestApp({ ...COMPANY_ENV }, { now: '2026-06-01T08:00:00Z', schedule: NO_SCHEDULES });
  ({ id: customerId } = await createCustomer(t));
  await t.as('credit_manager').put(`/v1/customers/${customerId}/credit-limit`, { amount: 10_000_000, currency: 'EUR', reason: 'test' }).expect(200);
  await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contacts: [{ name: 'Compta', email: 'compta@client.example' }], collector: 'Camille' }).expect(200);
  for (const [number, issueDate, dueDate, amount] of [
    ['F-A', '2026-05-15', '2026-07-15', 6_000_000],
    ['F-B', '2026-05-20', '2026-06-19', 2_000_000],
    ['F-C', '2026-05-20', '2026-06-19', 1_000_000],
  ] as const) {
    await t.as('credit_manager').post('/v1/invoices', { number, customerId, issueDate, dueDate, amount, currency: 'EUR' }).expect(200);
  }
});
afterAll(async () => {
  await t?.close();
});

describe('credit insurance', () => {
  it('bad input names the field and writes nothing', async () => {
    for (const [changes, field] of [
      [{ coveragePercent: 120 }, 'body.coveragePercent'],
      [{ decidedOn: '2026-06-02' }, 'body.decidedOn'],
      [{ status: 'withdrawn' }, 'body.insuredLimit'],
      [{ currency: 'USD' }, 'body.currency'],
      [{ claimDeadlineDays: 0 }, 'body.claimDeadlineDays'],
    ] as const) {
      const res = await cover(changes);
      expect(res.status, JSON.stringify(changes)).toBe(400);
      expect(res.body.error.details[0].field).toBe(field);
    }
    expect((await t.as('credit_manager').get(`/v1/customers/${customerId}/credit-insurance`)).status).toBe(404);
    expect((await credit(t, customerId)).insurance).toBeNull();
    expect((await t.as('collector').put(`/v1/customers/${customerId}/credit-insurance`, {})).status).toBe(403);
  });

  it('the customer shows the net exposure beside the gross; orders use the gross until the policy says net', async () => {
    // Exposure 90 000 € (F-A 60 000, F-B 20 000, F-C 10 000); cover 90 % of up to 50 000 €.
    const res = await cover();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ insurer: 'Allianz Trade', coveragePercent: 90, insuredLimit: 5_000_000, status: 'agreed', limitLowered: null });
    const view = await credit(t, customerId);
    expect(view.exposure.total).toBe(9_000_000);
    expect(view.insurance).toEqual({ insuredLimit: 5_000_000, coveragePercent: 90, insuredShare: 4_500_000, netExposure: 4_500_000, availableNet: 5_500_000 });
    expect([view.basis, view.available]).toEqual(['gross', 1_000_000]);

    // 90 000 + 45 000 > 100 000: over the limit on the gross exposure.
    const gross = await order(4_500_000);
    expect(gross.body.decision).toBe('blocked');
    expect(gross.body.reasons.map((r: { code: string }) => r.code)).toEqual(['over_limit']);
    expect(gross.body.insurance).toMatchObject({ basis: 'gross', insuredShare: 4_500_000, netExposure: 4_500_000 });

    const policy = await setPolicy({ exposureBasis: 'net', limitFollowsCover: true });
    expect(policy).toMatchObject({ exposureBasis: 'net', limitFollowsCover: true });
    // Net: 135 000 less 90 % of 50 000 = 90 000 ≤ 100 000.
    const net = await order(4_500_000);
    expect(net.body.decision, JSON.stringify(net.body)).toBe('approved');
    expect(net.body.insurance).toMatchObject({ basis: 'net', netExposure: 4_500_000 });
    expect(net.body.available).toBe(5_500_000);
    // The hold counts: 135 000 gross, 90 000 net, 10 000 available on the net basis.
    const after = await credit(t, customerId);
    expect([after.exposure.total, after.insurance.netExposure, after.basis, after.available]).toEqual([13_500_000, 9_000_000, 'net', 1_000_000]);
    // 135 000 + 20 000 = 155 000, less 45 000 = 110 000 > 100 000.
    const more = await order(2_000_000);
    expect(more.body.decision).toBe('blocked');
    expect(more.body.reasons[0].message).toContain('exposure net of the insured share');
  });

  it('a cover reduced, then withdrawn: alerts, and the limit follows the insured limit down (policy), audited', async () => {
    const reduced = await cover({ status: 'reduced', insuredLimit: 2_000_000, decidedOn: '2026-06-01', reason: 'insurer letter of 1 June' });
    expect(reduced.status, JSON.stringify(reduced.body)).toBe(200);
    expect(reduced.body.limitLowered).toEqual({ from: 10_000_000, to: 2_000_000 });
    expect((await credit(t, customerId)).creditLimit).toMatchObject({ amount: 2_000_000, source: 'explicit' });
    const withdrawn = await cover({ status: 'withdrawn', insuredLimit: 0, decidedOn: '2026-06-01', reason: 'cover withdrawn' });
    expect(withdrawn.body.limitLowered).toEqual({ from: 2_000_000, to: 0 });
    expect(withdrawn.body.history.map((h: { status: string; insuredLimit: number }) => [h.status, h.insuredLimit])).toEqual([
      ['agreed', 5_000_000],
      ['reduced', 2_000_000],
      ['withdrawn', 0],
    ]);
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=cover_reduced`);
    expect(alerts.body.items.map((a: { severity: string; data: { to: number } }) => [a.severity, a.data.to]).sort()).toEqual([
      ['critical', 0],
      ['high', 2_000_000],
    ]);
    const audit = await t.as('admin').get(`/v1/audit?entityType=customer&entityId=${customerId}`);
    const limitChanges = audit.body.items.filter((e: { action: string }) => e.action === 'credit_limit.set');
    expect(limitChanges[0].reason).toContain('limitFollowsCover');
    const view = await credit(t, customerId);
    expect(view.insurance).toMatchObject({ insuredLimit: 0, insuredShare: 0 });
    expect((await order(1_000)).body.decision).toBe('blocked');
  });
});

describe('factoring', () => {
  it('an invoice assigned without recourse leaves the exposure; with recourse it stays, apart; both leave dunning', async () => {
    const bad = await t.as('credit_manager').post('/v1/invoices/F-B/factoring', { factor: 'BNP Factor', assignedOn: '2026-05-01', recourse: false });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.assignedOn');
    const before = await credit(t, customerId);
    const b = await t.as('credit_manager').post('/v1/invoices/F-B/factoring', { factor: 'BNP Factor', assignedOn: '2026-05-25', recourse: false });
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(b.body).toMatchObject({ factor: 'BNP Factor', assignedOn: '2026-05-25', recourse: false, open: 2_000_000 });
    expect((await t.as('credit_manager').post('/v1/invoices/F-B/factoring', { factor: 'X', assignedOn: '2026-05-25', recourse: true })).status).toBe(409);
    await t.as('credit_manager').post('/v1/invoices/F-C/factoring', { factor: 'BNP Factor', assignedOn: '2026-05-25', recourse: true }).expect(200);
    const view = await credit(t, customerId);
    expect(view.exposure).toMatchObject({ openReceivables: before.exposure.openReceivables - 3_000_000, factoredReceivables: 1_000_000, total: before.exposure.total - 2_000_000 });
    expect(view.factoredWithoutRecourse).toBe(2_000_000);
    expect((await t.as('collector').get('/v1/invoices/F-B')).body.factoring).toEqual({ factor: 'BNP Factor', assignedOn: '2026-05-25', recourse: false });

    // Five days after their due date, the factor collects them: no reminder from us.
    at('2026-06-24');
    await runCollections();
    const actions = async () =>
      (await t.container.database.pool.query<{ step_key: string; invoices: Array<{ number: string }> }>("SELECT step_key, invoices FROM collection_actions WHERE customer_id = $1 AND plan_id = 'standard' ORDER BY seq", [customerId])).rows.map(
        (r) => `${r.step_key} ${r.invoices.map((i) => i.number).join(',')}`,
      );
    expect(await actions()).toEqual([]);
    // Handed back, F-C is ours again: the next run reminds it.
    await t.as('credit_manager').post('/v1/invoices/F-C/factoring/end', { reason: 'recourse exercised by the factor' }).expect(200);
    at('2026-06-25');
    await runCollections();
    expect(await actions()).toEqual(['reminder_courteous F-C']);
  });
});

describe('the insurer claim deadline', () => {
  it('an unpaid invoice gets a "declare to insurer" task and alert when its claim deadline nears, once', async () => {
    const tasks = async () =>
      (await t.container.database.pool.query<{ subject: string; deadline_on: string; assignee: string }>("SELECT subject, deadline_on, assignee FROM collection_actions WHERE customer_id = $1 AND plan_id = 'credit_insurance' ORDER BY seq", [customerId])).rows;
    // F-C, due 19 June, handed back by the factor: its claim deadline is 18 August (60 days), the task comes 15 days before.
    at('2026-08-02');
    await runCollections();
    expect(await tasks()).toEqual([]);
    at('2026-08-03');
    await runCollections();
    await runCollections();
    expect(await tasks()).toEqual([{ subject: 'Declare invoice F-C to Allianz Trade by 2026-08-18', deadline_on: '2026-08-18', assignee: 'Camille' }]);
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=insurer_claim_due`);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0].data).toMatchObject({ invoice: 'F-C', deadline: '2026-08-18' });
    const list = await t.as('collector').get('/v1/collections/worklist?assignee=Camille&date=2026-08-03');
    expect(list.body.items.map((i: { type: string }) => i.type)).toContain('declare_to_insurer');
    // F-A (issued before the withdrawal, still covered) follows on 29 August; F-B is the factor's.
    at('2026-08-29');
    await runCollections();
    expect((await tasks()).map((r) => r.subject)).toEqual(['Declare invoice F-C to Allianz Trade by 2026-08-18', 'Declare invoice F-A to Allianz Trade by 2026-09-13']);
  });
});
