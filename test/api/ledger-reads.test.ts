import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, invoice, orderCheck, pay, setLimit, unique } from '../setup/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({}, { now: '2026-06-15T10:00:00Z' });
});
afterAll(async () => {
  await t?.close();
});

describe('the ledger can be read back', () => {
  it('lists invoices with allocations, days late, status and the order hold; payments and credit notes with what they settled', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    const orderId = unique('SO');
    expect((await orderCheck(t, c.id, 30_000, orderId)).body.decision).toBe('approved');
    const late = await invoice(t, c.id, 10_000, { dueIn: -10 });
    const current = await invoice(t, c.id, 20_000, { dueIn: 20, orderId });
    const paid = await invoice(t, c.id, 5_000, { dueIn: -40 });
    expect((await pay(t, c.id, 5_000, [{ invoiceNumber: paid, amount: 5_000 }], { reference: 'VIR-1', daysAgo: 35 })).status).toBe(200);
    expect((await pay(t, c.id, 4_000, [{ invoiceNumber: late, amount: 4_000 }], { reference: 'VIR-2' })).status).toBe(200);
    const cn = await t.as('credit_manager').post('/v1/credit-notes', { number: 'AV-1', customerId: c.id, date: '2026-06-14', amount: 1_000, currency: 'EUR', invoiceNumber: late });
    expect(cn.status, JSON.stringify(cn.body)).toBe(200);

    const all = await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}`);
    expect(all.status).toBe(200);
    expect(all.body.items.map((i: { number: string }) => i.number)).toEqual([paid, late, current]);
    const byNumber = Object.fromEntries(all.body.items.map((i: { number: string }) => [i.number, i]));
    expect(byNumber[late]).toMatchObject({ status: 'overdue', openAmount: 5_000, daysLate: 10 });
    expect(byNumber[late].allocations).toEqual([
      { kind: 'credit_note', reference: 'AV-1', date: '2026-06-14', amount: 1_000, automatic: false },
      { kind: 'payment', reference: 'VIR-2', date: '2026-06-15', amount: 4_000, automatic: false },
    ]);
    expect(byNumber[paid]).toMatchObject({ status: 'paid', openAmount: 0, daysLate: 5, settledOn: '2026-05-11' });
    expect(byNumber[current]).toMatchObject({ status: 'open', daysLate: 0, orderId, orderHold: { status: 'active', amount: 10_000 } }); // invoiced 20,000 of 30,000: the rest stays held

    const overdue = await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}&status=overdue`);
    expect(overdue.body.items.map((i: { number: string }) => i.number)).toEqual([late]);
    const open = await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}&status=open`);
    expect(open.body.items.map((i: { number: string }) => i.number)).toEqual([late, current]);

    const one = await t.as('credit_manager').get(`/v1/invoices/${encodeURIComponent(late)}`);
    expect(one.body).toEqual(byNumber[late]);
    expect((await t.as('credit_manager').get('/v1/invoices/NOPE-404')).status).toBe(404);

    const payments = await t.as('credit_manager').get(`/v1/payments?customerId=${c.id}`);
    expect(payments.body.items.map((p: { reference: string }) => p.reference)).toEqual(['VIR-1', 'VIR-2']);
    expect(payments.body.items[1]).toMatchObject({ amount: 4_000, unapplied: 0, allocations: [{ invoiceNumber: late, amount: 4_000 }] });
    const notes = await t.as('credit_manager').get(`/v1/credit-notes?customerId=${c.id}`);
    expect(notes.body.items).toHaveLength(1);
    expect(notes.body.items[0]).toMatchObject({ reference: 'AV-1', amount: 1_000, unapplied: 0 });
  });

  it('pages with a cursor and refuses one it did not issue', async () => {
    const c = await createCustomer(t);
    for (let i = 0; i < 5; i++) await invoice(t, c.id, 100 + i, { dueIn: i });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await t.as('credit_manager').get(`/v1/invoices?customerId=${c.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((i: { number: string }) => i.number));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    const bad = await t.as('credit_manager').get('/v1/invoices?cursor=bm9wZQ');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('query.cursor');
  });

  it('is for credit managers: an order system may not read it', async () => {
    expect((await t.as('order_system').get('/v1/invoices')).status).toBe(403);
  });
});
