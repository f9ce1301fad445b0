import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { calendar, createCustomer, credit, invoice, orderCheck, pay, setLimit } from '../setup/ledger-helpers.js';

/*
 * The portfolio page sorts by exposure and by oldest overdue invoice from portfolio_positions,
 * kept from the one position function as invoices, payments and credits move (triggers note the
 * customers written to; a page refreshes their keys before reading; the key is the ledger
 * exposure: the position without order holds, which the page adds back). Here: every kind
 * of write, then each customer's key against its live position, the page's order (a customer
 * whose exposure is an order hold alone sorts first), and the whole-portfolio exposure watch
 * repairing a key knocked out of line.
 */
let t: TestApp;
const PASSWORD = 'portfolio sort password';
let cookie = '';

beforeAll(async () => {
  t = await createTestApp();
  const res = await t.as('admin').post('/v1/users', { email: 'sort@client.example', name: 'Sort', role: 'credit_manager', password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const signedIn = await t.as('anonymous').post('/v1/sessions', { email: 'sort@client.example', password: PASSWORD });
  expect(signedIn.status).toBe(201);
  cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_session='))!.split(';')[0]!;
});
afterAll(async () => {
  await t?.close();
});

/** The keys as a page reads them: the customers written to since the last page refreshed first. */
const keys = async () => {
  await t.container.services.credit.refreshStalePortfolioPositions();
  const { rows } = await t.container.database.pool.query<{ customer_id: string; exposure: string; oldest_open_due: string | null }>(
    "SELECT customer_id, ledger_exposure::text AS exposure, to_char(oldest_open_due, 'YYYY-MM-DD') AS oldest_open_due FROM portfolio_positions",
  );
  return new Map(rows.map((r) => [r.customer_id, { exposure: Number(r.exposure), oldest: r.oldest_open_due }]));
};
const page = async (query: string) => {
  const res = await t.as('anonymous').get(`/${query}`).set('Cookie', cookie);
  expect(res.status).toBe(200);
  const $ = cheerio.load(res.text);
  return $('tbody tr').map((_i, tr) => $(tr).find('a').first().text().trim()).get();
};

describe('the portfolio sort keys', () => {
  it('follow invoices, payments and unapplied credits; the page sorts by them, holds included', async () => {
    const { day } = calendar(t);
    const a = await createCustomer(t, { name: 'Sort Alpha' });
    const b = await createCustomer(t, { name: 'Sort Bravo' });
    const c = await createCustomer(t, { name: 'Sort Charlie' });
    const d = await createCustomer(t, { name: 'Sort Delta' });
    // A new customer has a key of 0 once a page has read the keys.
    expect((await keys()).get(d.id)).toEqual({ exposure: 0, oldest: null });

    await invoice(t, a.id, 300_000, { dueIn: 20, number: 'SORT-A1' });
    await invoice(t, b.id, 500_000, { dueIn: -40, issuedDaysAgo: 70, number: 'SORT-B1' });
    await invoice(t, b.id, 100_000, { dueIn: 10, number: 'SORT-B2' });
    await invoice(t, c.id, 200_000, { dueIn: -10, issuedDaysAgo: 40, number: 'SORT-C1' });
    // A partial payment on B, an unapplied payment on C, a hold on D.
    expect((await pay(t, b.id, 450_000, [{ invoiceNumber: 'SORT-B1', amount: 450_000 }])).status).toBe(200);
    expect((await pay(t, c.id, 50_000)).status).toBe(200);
    await setLimit(t, d.id, 1_000_000);
    const held = await orderCheck(t, d.id, 400_000, 'SORT-ORDER-D');
    expect(held.body.decision).toBe('approved');

    const k = await keys();
    for (const x of [a, b, c, d]) {
      const live = await credit(t, x.id);
      expect(k.get(x.id)!.exposure, x.externalId).toBe(live.exposure.total - live.exposure.activeHolds);
    }
    expect(k.get(a.id)).toEqual({ exposure: 300_000, oldest: day(20) });
    expect(k.get(b.id)).toEqual({ exposure: 150_000, oldest: day(-40) });
    expect(k.get(c.id)).toEqual({ exposure: 150_000, oldest: day(-10) });
    expect(k.get(d.id)).toEqual({ exposure: 0, oldest: null });
    expect((await credit(t, d.id)).exposure.total).toBe(400_000);

    const mine = (names: string[]) => names.filter((n) => n.startsWith('Sort '));
    expect(mine(await page('?sort=exposure&q=Sort'))).toEqual(['Sort Delta', 'Sort Alpha', ...[b, c].sort((x, y) => (x.id < y.id ? -1 : 1)).map((x) => (x === b ? 'Sort Bravo' : 'Sort Charlie'))]);
    // Oldest open invoice first (the most days late), customers with nothing open last.
    expect(mine(await page('?sort=overdue&q=Sort'))).toEqual(['Sort Bravo', 'Sort Charlie', 'Sort Alpha', 'Sort Delta']);
    expect(mine(await page('?status=overdue&q=Sort'))).toEqual(['Sort Bravo', 'Sort Charlie']);

    // The hold released (D's exposure is 0 again) and B's overdue invoice paid (its key moves).
    expect((await t.as('order_system').post('/v1/order-checks/SORT-ORDER-D/release', { reason: 'cancelled' })).status).toBe(200);
    expect((await pay(t, b.id, 50_000, [{ invoiceNumber: 'SORT-B1', amount: 50_000 }])).status).toBe(200);
    const after = await keys();
    expect(after.get(b.id)).toEqual({ exposure: 100_000, oldest: day(10) });
    expect(mine(await page('?sort=exposure&q=Sort'))).toEqual(['Sort Alpha', 'Sort Charlie', 'Sort Bravo', 'Sort Delta']);
    expect(mine(await page('?sort=overdue&q=Sort'))).toEqual(['Sort Charlie', 'Sort Bravo', 'Sort Alpha', 'Sort Delta']);
  });

  it('filters by owner: the salesperson owning the account (name or e-mail) or its collector, shown on the row', async () => {
    const f = await createCustomer(t, { name: 'Owner Foxtrot' });
    const g = await createCustomer(t, { name: 'Owner Golf' });
    await createCustomer(t, { name: 'Owner Hotel' });
    await t.as('collector').put(`/v1/customers/${f.id}/collections-profile`, { owner: { name: 'Hugo Martin', email: 'hugo.martin@client.example' } }).expect(200);
    await t.as('collector').put(`/v1/customers/${g.id}/collections-profile`, { collector: 'camille@client.example' }).expect(200);
    const owned = (names: string[]) => names.filter((n) => n.startsWith('Owner '));
    expect(owned(await page('?owner=hugo'))).toEqual(['Owner Foxtrot']);
    expect(owned(await page('?owner=hugo.martin%40client'))).toEqual(['Owner Foxtrot']);
    expect(owned(await page('?owner=camille&sort=exposure'))).toEqual(['Owner Golf']);
    expect(owned(await page('?owner=nobody'))).toEqual([]);
    expect(owned(await page('?q=Owner'))).toEqual(['Owner Foxtrot', 'Owner Golf', 'Owner Hotel']);
    const res = await t.as('anonymous').get('/?q=Owner+Foxtrot').set('Cookie', cookie);
    expect(res.text).toContain('Hugo Martin');
  });

  it('the whole-portfolio exposure watch puts a key knocked out of line back', async () => {
    const e = await createCustomer(t, { name: 'Sort Echo' });
    await invoice(t, e.id, 70_000, { dueIn: 5 });
    await t.container.database.pool.query('UPDATE portfolio_positions SET ledger_exposure = 1, oldest_open_due = NULL WHERE customer_id = $1', [e.id]);
    const counts = await t.container.services.monitoring.exposureWatch.run();
    expect(counts.resorted).toBe(1);
    expect((await keys()).get(e.id)).toEqual({ exposure: 70_000, oldest: calendar(t).day(5) });
    expect((await t.container.services.monitoring.exposureWatch.run()).resorted).toBe(0);
  });
});
