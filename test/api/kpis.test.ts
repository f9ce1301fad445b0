import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { COMPANY_ENV } from '../setup/collections.js';

/**
 * A small ledger whose KPIs are worked out by hand (March 2026):
 *
 * C1 (grade A, owner Paul): A1 100 000 issued 15 Jan, due 14 Feb, reminded 5 Mar, paid 10 Mar
 *   (54 days from issue, 24 beyond terms, 5 days after the reminder); A2 60 000 issued 5 Mar, due 4 Apr.
 * C2 (grade D, owner Léa): D1 80 000 issued 1 Feb, due 3 Mar, 30 000 paid 20 Mar; D2 40 000 issued
 *   1 Nov 2025, due 1 Dec 2025, never paid; D3 20 000 issued 15 Mar, due 14 Apr, credit note 5 000.
 * Promises: C1 on A1 kept (paid before the date), C2 on D2 broken.
 */
let t: TestApp;
const ids: Record<string, string> = {};
const at = (day: string) => t.clock.set(`${day}T09:00:00Z`);

beforeAll(async () => {
  t = await createTestApp({ ...COMPANY_ENV }, { now: '2026-03-05T09:00:00Z', schedule: NO_SCHEDULES });
  for (const [name, grade, owner] of [['C1', 'A', 'Paul'], ['C2', 'D', 'Léa']] as const) {
    ids[name] = (await createCustomer(t)).id;
    await t.container.database.pool.query('UPDATE credit_accounts SET risk_grade = $2 WHERE customer_id = $1', [ids[name], grade]);
    const p = await t.as('collector').put(`/v1/customers/${ids[name]}/collections-profile`, { owner: { name: owner } });
    expect(p.status).toBe(200);
  }
  const inv = async (number: string, customer: string, issueDate: string, dueDate: string, amount: number) => {
    const res = await t.as('credit_manager').post('/v1/invoices', { number, customerId: ids[customer], issueDate, dueDate, amount, currency: 'EUR' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  };
  await inv('K-A1', 'C1', '2026-01-15', '2026-02-14', 100_000);
  await inv('K-D1', 'C2', '2026-02-01', '2026-03-03', 80_000);
  await inv('K-D2', 'C2', '2025-11-01', '2025-12-01', 40_000);
  await t.container.services.collections.dunning.run(); // 5 March: A1 and D2 reminded
  expect((await t.as('collector').post(`/v1/customers/${ids.C1}/promises`, { invoiceNumbers: ['K-A1'], amount: 100_000, promisedOn: '2026-03-15', promisedBy: 'x', channel: 'phone' })).status).toBe(201);
  expect((await t.as('collector').post(`/v1/customers/${ids.C2}/promises`, { invoiceNumbers: ['K-D2'], amount: 40_000, promisedOn: '2026-03-12', promisedBy: 'y', channel: 'phone' })).status).toBe(201);
  at('2026-03-10');
  expect((await t.as('credit_manager').post('/v1/payments', { reference: 'K-P1', customerId: ids.C1, date: '2026-03-10', amount: 100_000, currency: 'EUR', allocations: [{ invoiceNumber: 'K-A1', amount: 100_000 }] })).status).toBe(200);
  at('2026-03-13');
  await t.container.services.collections.negotiation.review('2026-03-13');
  at('2026-03-20');
  expect((await t.as('credit_manager').post('/v1/payments', { reference: 'K-P2', customerId: ids.C2, date: '2026-03-20', amount: 30_000, currency: 'EUR', allocations: [{ invoiceNumber: 'K-D1', amount: 30_000 }] })).status).toBe(200);
  at('2026-03-25');
  await inv('K-A2', 'C1', '2026-03-05', '2026-04-04', 60_000);
  await inv('K-D3', 'C2', '2026-03-15', '2026-04-14', 20_000);
  expect((await t.as('credit_manager').post('/v1/credit-notes', { number: 'K-AV1', customerId: ids.C2, date: '2026-03-25', amount: 5_000, currency: 'EUR', invoiceNumber: 'K-D3' })).status).toBe(200);
  at('2026-04-01');
});
afterAll(() => t?.close());

describe('KPIs on a hand-computed ledger', () => {
  it('by grade, March 2026', async () => {
    const res = await t.as('credit_manager').get('/v1/kpis?from=2026-03-01&to=2026-03-31&groupBy=grade');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [a, d] = res.body.buckets;
    expect(a).toMatchObject({
      group: 'A',
      sales: 60_000,
      receivables: 60_000,
      dso: { simple: 31, countBack: 31 }, // 60 000 / 60 000 × 31 days; all of it is March's sales
      averagePaymentDelay: { invoices: 1, daysFromIssue: 54, daysBeyondTerms: 24 },
      overdueRate: 0,
      unpaidRate: null, // nothing of C1's fell due in March
      recoveryRate: 1, // A1: 100 000 overdue on 1 March, 100 000 collected
      shareOver90Days: 0,
      promises: { kept: 1, broken: 0, keptRate: 1 },
      daysToCollectByStep: { reminder_courteous: { invoices: 1, averageDays: 5 } },
      atRiskByGrade: { A: 60_000 },
    });
    expect(d).toMatchObject({
      group: 'D',
      sales: 20_000,
      receivables: 105_000, // D1 50 000 + D2 40 000 + D3 15 000
      // simple: 105 000 / 20 000 × 31 = 162.75; count-back: March 31 days (20 000), February 28 (80 000), January 31 (0),
      // December 31 (0), then 5 000 of November's 40 000 × 30 days = 3.75 → 124.75
      dso: { simple: 162.8, countBack: 124.8 },
      averagePaymentDelay: { invoices: 0, daysFromIssue: null, daysBeyondTerms: null },
      overdueRate: 0.8571, // 90 000 / 105 000
      unpaidRate: 0.625, // D1: 80 000 fell due in March, 50 000 unpaid
      recoveryRate: 0.25, // 30 000 collected on 120 000 that went (or were) overdue; the credit note is not collected cash
      shareOver90Days: 0.381, // D2, due 1 Dec: 40 000 / 105 000
      promises: { kept: 0, broken: 1, keptRate: 0 },
      atRiskByGrade: { D: 105_000 },
    });
  });

  it('by month and by owner; as CSV', async () => {
    const res = await t.as('collector').get('/v1/kpis?from=2026-02-01&to=2026-03-31&groupBy=month');
    expect(res.body.buckets.map((b: { group: string; receivables: number; sales: number }) => [b.group, b.receivables, b.sales])).toEqual([
      ['2026-02', 220_000, 80_000],
      ['2026-03', 165_000, 80_000],
    ]);
    const owners = await t.as('collector').get('/v1/kpis?from=2026-03-01&to=2026-03-31&groupBy=owner');
    expect(owners.body.buckets.map((b: { group: string }) => b.group)).toEqual(['Léa', 'Paul']);
    const csv = await t.as('credit_manager').get('/v1/kpis?from=2026-03-01&to=2026-03-31&groupBy=grade&format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toContain('group,from,to,currency,sales,receivables,dso_count_back,dso_simple');
    expect(lines[1]).toMatch(/^A,2026-03-01,2026-03-31,EUR,60000,60000,31,31,/);
    expect(lines).toHaveLength(3);
  });

  it('the 13-week cash forecast from behaviour, promises and installments', async () => {
    const promise = await t.as('collector').post(`/v1/customers/${ids.C2}/promises`, { invoiceNumbers: ['K-D1'], amount: 20_000, promisedOn: '2026-04-10', promisedBy: 'z', channel: 'email' });
    expect(promise.status).toBe(201);
    const res = await t.as('credit_manager').get('/v1/kpis/cash-forecast');
    expect(res.status).toBe(200);
    const weeks = res.body.weeks;
    expect(weeks).toHaveLength(13);
    // C2 has no payment history: its invoices are expected on their due dates, the past ones in the first week.
    expect(weeks[0]).toMatchObject({ weekStart: '2026-04-01', fromInvoices: 70_000, fromPromises: 0 }); // D1's 30 000 beyond the promise, D2 40 000
    expect(weeks[1]).toMatchObject({ fromInvoices: 15_000, fromPromises: 20_000 }); // D3 due 14 Apr; the promise of 10 Apr
    // C1 paid 24 days beyond terms: A2, due 4 Apr, is expected on 28 Apr.
    expect(weeks[3]).toMatchObject({ weekStart: '2026-04-22', fromInvoices: 60_000 });
    expect(res.body).toMatchObject({ total: 165_000, expectedBeforeTodayInFirstWeek: 70_000, afterHorizon: 0, disputed: 0 });
  });

  it('bad windows are a 400 naming the field', async () => {
    const backwards = await t.as('credit_manager').get('/v1/kpis?from=2026-03-31&to=2026-03-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.details[0].field).toBe('query.to');
    const group = await t.as('credit_manager').get('/v1/kpis?from=2026-03-01&to=2026-03-31&groupBy=planet');
    expect(group.body.error.details[0].field).toBe('query.groupBy');
    expect((await t.as('sales').get('/v1/kpis?from=2026-03-01&to=2026-03-31')).status).toBe(403);
  });
});
