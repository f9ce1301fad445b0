import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { calendar, createCustomer, unique } from '../setup/ledger-helpers.js';
import { testServerUrl } from '../setup/db-url.js';

/*
 * Many random ledgers, holds, limits, blocks, grades and policies: the order check, the customer
 * view and the exposure watch must agree on the exposure, the limit in force and the decision, and
 * all three must agree with the ledger as its read routes show it and with the rules as the
 * README states them.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { now: '2026-09-10T09:00:00Z' });
});
afterAll(async () => {
  await t?.close();
});

const BLOCKING = ['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit'];
const AUTO = ['legal_proceedings', 'overdue_invoices', 'over_limit'];

const caseArb = fc.record({
  defaultLimit: fc.constantFrom(0, 50_000, 500_000),
  graceDays: fc.constantFrom(0, 5, 15),
  limit: fc.option(fc.constantFrom(0, 100_000, 300_000, 1_000_000, 2_000_000), { nil: null, freq: 3 }),
  // Weighted towards the ordinary case, so that every decision is reached often.
  grade: fc.constantFrom(null, null, 'A', 'B', 'B', 'C', 'D', 'E', 'E', 'X'),
  manualBlock: fc.constantFrom(false, false, false, false, true),
  invoices: fc.array(fc.record({ amount: fc.integer({ min: 1, max: 200_000 }), dueIn: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -3, max: 45 }) }, { weight: 1, arbitrary: fc.integer({ min: -60, max: -4 }) }) }), { maxLength: 4 }),
  // Share of an invoice paid against it (0: none), and whether a payment arrives with nothing to allocate.
  payShares: fc.array(fc.constantFrom(0, 0.25, 0.5, 1), { maxLength: 5 }),
  creditNote: fc.option(fc.integer({ min: 1, max: 50_000 }), { nil: null }),
  unallocated: fc.option(fc.integer({ min: 1, max: 80_000 }), { nil: null }),
  holds: fc.array(fc.integer({ min: 1, max: 150_000 }), { maxLength: 3 }),
  amount: fc.integer({ min: 1, max: 600_000 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

async function build(c: Case) {
  const cm = t.as('credit_manager');
  const admin = t.as('admin');
  const { day } = calendar(t);
  expect((await admin.put('/v1/policy', { defaultCreditLimit: c.defaultLimit, overdueGraceDays: c.graceDays, holdTtlHours: 720, reason: 'generated case' })).status).toBe(200);
  const customer = await createCustomer(t);
  const id = customer.id;
  // Holds: each order approved, or overridden by a credit manager, so its hold counts whatever the state.
  for (const amount of c.holds) {
    const orderId = unique('H');
    const res = await t.as('order_system').post('/v1/order-checks', { orderId, customerId: id, amount, currency: 'EUR' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (res.body.decision !== 'approved') expect((await cm.post(`/v1/order-checks/${orderId}/override`, { reason: 'generated hold' })).status).toBe(200);
  }
  const numbers: string[] = [];
  for (const inv of c.invoices) {
    const number = unique('GI');
    numbers.push(number);
    const due = day(inv.dueIn);
    const issue = day(Math.min(inv.dueIn, 0) - 30);
    expect((await cm.post('/v1/invoices', { number, customerId: id, issueDate: issue, dueDate: due, amount: inv.amount, currency: 'EUR' })).status).toBe(200);
  }
  for (const [i, share] of c.payShares.entries()) {
    const inv = c.invoices[i];
    if (!inv || share === 0) continue;
    const amount = Math.max(1, Math.floor(inv.amount * share));
    const res = await cm.post('/v1/payments', { reference: unique('GP'), customerId: id, date: day(0), amount, currency: 'EUR', allocations: [{ invoiceNumber: numbers[i], amount }] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
  if (c.creditNote !== null) {
    expect((await cm.post('/v1/credit-notes', { number: unique('GC'), customerId: id, date: day(0), amount: c.creditNote, currency: 'EUR' })).status).toBe(200);
  }
  if (c.unallocated !== null) {
    expect((await cm.post('/v1/payments', { reference: unique('GU'), customerId: id, date: day(0), amount: c.unallocated, currency: 'EUR' })).status).toBe(200);
  }
  if (c.limit !== null) expect((await cm.put(`/v1/customers/${id}/credit-limit`, { amount: c.limit, currency: 'EUR', reason: 'generated' })).status).toBe(200);
  if (c.manualBlock) expect((await cm.post(`/v1/customers/${id}/block`, { reason: 'generated' })).status).toBe(200);
  if (c.grade) {
    // The grade as an assessment would set it (the scoring path itself is tested elsewhere).
    await t.container.database.pool.query('UPDATE credit_accounts SET risk_grade = $2, risk_grade_at = now() WHERE customer_id = $1', [id, c.grade]);
  }
  return { id, holdsTotal: c.holds.reduce((a, b) => a + b, 0) };
}

/** The ledger as its read routes show it: an independent path to the same figures. */
async function ledgerFigures(id: string) {
  const cm = t.as('credit_manager');
  const invoices = (await cm.get(`/v1/invoices?customerId=${id}&limit=500`)).body.items as Array<{ status: string; openAmount: number }>;
  const payments = (await cm.get(`/v1/payments?customerId=${id}&limit=500`)).body.items as Array<{ unapplied: number }>;
  const notes = (await cm.get(`/v1/credit-notes?customerId=${id}&limit=500`)).body.items as Array<{ unapplied: number }>;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  return {
    open: sum(invoices.filter((i) => i.status === 'open').map((i) => i.openAmount)),
    overdue: sum(invoices.filter((i) => i.status === 'overdue').map((i) => i.openAmount)),
    unapplied: sum([...payments, ...notes].map((p) => p.unapplied)),
  };
}

describe(`the order check, the customer view and the exposure watch agree (${testServerUrl() ? 'PostgreSQL server' : 'embedded database'})`, () => {
  it('on exposure, limit and decision, for generated ledgers, holds, limits, blocks, grades and policies', async () => {
    let cases = 0;
    const decisions: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        cases++;
        const { id, holdsTotal } = await build(c);

        // 1. The customer view, then 2. the order check.
        const view = (await t.as('credit_manager').get(`/v1/customers/${id}`)).body.credit;
        const check = await t.as('order_system').post('/v1/order-checks', { orderId: unique('GO'), customerId: id, amount: c.amount, currency: 'EUR' });
        expect(check.status, JSON.stringify(check.body)).toBe(200);
        const o = check.body;

        // The same exposure and limit on every path, and the same as the ledger's own figures.
        const ledger = await ledgerFigures(id);
        expect(view.exposure).toEqual({
          openReceivables: ledger.open,
          overdueReceivables: ledger.overdue,
          factoredReceivables: 0,
          activeHolds: holdsTotal,
          unappliedCredits: ledger.unapplied === 0 ? 0 : -ledger.unapplied,
          total: ledger.open + ledger.overdue + holdsTotal - ledger.unapplied,
        });
        expect(o.exposureComponents).toEqual({
          openReceivables: view.exposure.openReceivables,
          overdueReceivables: view.exposure.overdueReceivables,
          factoredReceivables: view.exposure.factoredReceivables,
          activeHolds: view.exposure.activeHolds,
          unappliedCredits: view.exposure.unappliedCredits,
        });
        expect(o.exposure).toBe(view.exposure.total);
        const limit = c.limit ?? c.defaultLimit;
        const source = c.limit === null ? 'policy_default' : 'explicit';
        expect(view.creditLimit).toMatchObject({ amount: limit, source });
        expect([o.creditLimit, o.creditLimitSource, o.available]).toEqual([limit, source, view.available]);
        expect(view.available).toBe(limit - view.exposure.total);

        // The rules as documented, from the case itself.
        const noLimit = source === 'policy_default' && limit === 0;
        const expected = [
          ...(c.grade === 'X' ? ['legal_proceedings'] : []),
          ...(c.manualBlock ? ['manual_block'] : []),
          ...(ledger.overdue > 0 ? ['overdue_invoices'] : []),
          ...(!noLimit && view.exposure.total + c.amount > limit ? ['over_limit'] : []),
          ...(c.grade === 'E' && source !== 'explicit' ? ['risk_grade'] : []),
          ...(noLimit ? ['no_limit'] : []),
        ];
        expect(o.reasons.map((r: { code: string }) => r.code)).toEqual(expected);
        const decision = expected.some((r) => BLOCKING.includes(r)) ? 'blocked' : expected.length > 0 ? 'review' : 'approved';
        expect(o.decision).toBe(decision);
        decisions[decision] = (decisions[decision] ?? 0) + 1;

        // The view's "new orders" are the same rules for an order of 0.
        const now = expected.filter((r) => r !== 'over_limit').concat(!noLimit && view.exposure.total > limit ? ['over_limit'] : []);
        expect([...view.newOrders.reasons].sort()).toEqual([...now].sort());

        // 3. The exposure watch (after the check: its hold, if any, counts for both) blocks on its own
        // reasons among what the view then says. (A customer newly overdue is re-scored by the watch,
        // which may move the grade: the view read after it is the one to agree with.)
        await t.container.services.monitoring.exposureWatch.run([id]);
        const watched = (await t.as('credit_manager').get(`/v1/customers/${id}`)).body.credit;
        expect(watched.exposure.total).toBe(view.exposure.total + (o.decision === 'approved' ? c.amount : 0));
        expect(watched.autoBlock?.reasons ?? []).toEqual(watched.newOrders.reasons.filter((r: string) => AUTO.includes(r)));
      }),
      { numRuns: 60, seed: 20261203, endOnFailure: true },
    );
    process.stdout.write(`credit-rules agreement: ${cases} generated cases; decisions ${JSON.stringify(decisions)}\n`);
    expect(Object.keys(decisions).sort()).toEqual(['approved', 'blocked', 'review']);
  }, 240_000);
});
