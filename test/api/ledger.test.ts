import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { calendar, createCustomer, credit, invoice, pay, unique } from '../setup/ledger-helpers.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const rows = async (sql: string, params: unknown[] = []) => (await t.container.database.pool.query(sql, params)).rows;
const countOf = async (table: string, customerId: string) => Number((await rows(`SELECT count(*) FROM ${table} WHERE customer_id = $1`, [customerId]))[0].count);

describe('invoices', () => {
  it('records one invoice or a batch, and re-sending a number updates it instead of duplicating it', async () => {
    const c = await createCustomer(t);
    const { day } = calendar(t);
    const items = [1, 2, 3].map((i) => ({ number: `B-${c.externalId}-${i}`, customerExternalId: c.externalId, issueDate: day(-5), dueDate: day(25), amount: 1000 * i, currency: 'EUR' }));
    const first = await t.as('credit_manager').post('/v1/invoices', items).expect(200);
    expect(first.body.invoices).toEqual({ created: 3, updated: 0, unchanged: 0 });
    const again = await t.as('credit_manager').post('/v1/invoices', [items[0], { ...items[1], amount: 2500 }, items[2]]).expect(200);
    expect(again.body.invoices).toEqual({ created: 0, updated: 1, unchanged: 2 });
    expect(await countOf('invoices', c.id)).toBe(3);
    expect((await credit(t, c.id)).exposure.openReceivables).toBe(1000 + 2500 + 3000);
  });

  it.each([
    ['a due date before the issue date', { dueDate: '2026-01-01', issueDate: '2026-02-01' }, 'body.dueDate'],
    ['a currency that differs from the customer', { currency: 'USD' }, 'body.currency'],
    ['an unknown currency', { currency: 'EUX' }, 'body.currency'],
    ['a decimal amount', { amount: 10.5 }, 'body.amount'],
    ['a negative amount', { amount: -100 }, 'body.amount'],
    ['an unknown customer', { customerExternalId: 'nobody-knows' }, 'body.customerExternalId'],
    ['an invalid date', { dueDate: '2026-02-30' }, 'body.dueDate'],
  ])('refuses %s with a 400 naming %s', async (_label, patch, field) => {
    const c = await createCustomer(t);
    const res = await t.as('credit_manager').post('/v1/invoices', {
      number: unique('BAD'),
      customerExternalId: c.externalId,
      issueDate: '2026-01-01',
      dueDate: '2026-01-31',
      amount: 1000,
      currency: 'EUR',
      ...patch,
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await countOf('invoices', c.id)).toBe(0);
  });

  it('a batch with one bad item writes nothing, and the error names the item', async () => {
    const c = await createCustomer(t);
    const good = { number: unique('OK'), customerId: c.id, issueDate: '2026-01-01', dueDate: '2026-01-31', amount: 1000, currency: 'EUR' };
    const res = await t.as('credit_manager').post('/v1/invoices', [good, { ...good, number: unique('KO'), currency: 'GBP' }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('currency_mismatch');
    expect(res.body.error.details[0].field).toBe('body[1].currency');
    expect(await countOf('invoices', c.id)).toBe(0);
  });

  it('refuses the same number twice in one batch', async () => {
    const c = await createCustomer(t);
    const doc = { number: unique('TWICE'), customerId: c.id, issueDate: '2026-01-01', dueDate: '2026-01-31', amount: 1000, currency: 'EUR' };
    const res = await t.as('credit_manager').post('/v1/invoices', [doc, doc]).expect(400);
    expect(res.body.error.code).toBe('duplicate_document');
    expect(res.body.error.message).toContain('body[1].number');
  });

  it('refuses the same number twice in a large import, far apart (keys past 20,000 kept in the transaction), naming both lines; nothing written', async () => {
    const c = await createCustomer(t);
    const prefix = unique('BIGDUP');
    const lines = ['number;customer_id;issue_date;due_date;amount;currency'];
    for (let i = 0; i < 26_000; i++) lines.push(`${prefix}-${i};${c.id};2026-01-01;2026-01-31;10,00;EUR`);
    lines.push(`${prefix}-7;${c.id};2026-01-01;2026-01-31;10,00;EUR`);
    const res = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${lines.join('\n')}\n`);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(400);
    expect(res.body.error.code).toBe('duplicate_document');
    expect(res.body.error.message).toBe(`line 26002, number: ${prefix}-7 appears twice in this batch (also at line 9, number)`);
    expect(await countOf('invoices', c.id)).toBe(0);
    // The same file without the repeated line lands whole.
    const ok = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(`${lines.slice(0, -1).join('\n')}\n`);
    expect(ok.status).toBe(200);
    expect(ok.body.invoices.created).toBe(26_000);
  }, 60_000);

  it("refuses an invoice number that belongs to another customer, and the new invoices of the same batch are not written", async () => {
    const a = await createCustomer(t);
    const b = await createCustomer(t);
    const taken = { number: unique('TAKEN'), customerId: a.id, issueDate: '2026-01-01', dueDate: '2026-01-31', amount: 1000, currency: 'EUR' };
    await t.as('credit_manager').post('/v1/invoices', taken).expect(200);
    const fresh = { ...taken, number: unique('FRESH'), customerId: b.id };
    const res = await t.as('credit_manager').post('/v1/invoices', [fresh, { ...taken, customerId: b.id }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('document_customer_mismatch');
    expect(res.body.error.details[0].field).toBe('body[1].number');
    expect(await countOf('invoices', b.id)).toBe(0);
    expect((await rows('SELECT customer_id FROM invoices WHERE number = $1', [taken.number]))[0].customer_id).toBe(a.id);
  });

  it('refuses to lower an invoice below what payments already settled, and keeps the rest of the batch out', async () => {
    const c = await createCustomer(t);
    const { day } = calendar(t);
    const number = await invoice(t, c.id, 50_000);
    await pay(t, c.id, 30_000);
    const fresh = { number: unique('FRESH'), customerId: c.id, issueDate: day(-1), dueDate: day(29), amount: 1000, currency: 'EUR' };
    const res = await t.as('credit_manager').post('/v1/invoices', [fresh, { ...fresh, number, amount: 20_000 }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('over_allocation');
    expect(res.body.error.message).toContain('30000');
    expect(await countOf('invoices', c.id)).toBe(1);
    expect((await rows('SELECT amount, open_amount FROM invoices WHERE number = $1', [number]))[0]).toEqual({ amount: 50_000, open_amount: 20_000 });
  });

  it('refuses a batch of more than 10,000 items', async () => {
    const doc = { number: 'X', customerExternalId: 'x', issueDate: '2026-01-01', dueDate: '2026-01-31', amount: 1, currency: 'EUR' };
    const res = await t.as('credit_manager').post('/v1/invoices', Array.from({ length: 10_001 }, (_, i) => ({ ...doc, number: `N${i}` }))).expect(400);
    expect(res.body.error.message).toMatch(/10000|10,000/);
  });
});

describe('payments and credit notes', () => {
  it('an unallocated payment lowers open receivables, applied to the oldest invoice first (acceptance 3)', async () => {
    const c = await createCustomer(t);
    const older = await invoice(t, c.id, 20_000, { dueIn: 5 });
    const newer = await invoice(t, c.id, 50_000, { dueIn: 20 });
    expect((await credit(t, c.id)).exposure.openReceivables).toBe(70_000);
    const res = await pay(t, c.id, 30_000);
    expect(res.status).toBe(200);
    expect(res.body.autoAllocated).toBe(2);
    expect((await credit(t, c.id)).exposure.openReceivables).toBe(40_000);
    const open = await rows('SELECT number, open_amount FROM invoices WHERE customer_id = $1 ORDER BY due_date', [c.id]);
    expect(open).toEqual([
      { number: older, open_amount: 0 },
      { number: newer, open_amount: 40_000 },
    ]);
  });

  it('a payment larger than all that is open stays as an unapplied credit that lowers exposure', async () => {
    const c = await createCustomer(t);
    await invoice(t, c.id, 10_000);
    await pay(t, c.id, 25_000);
    const cr = await credit(t, c.id);
    expect(cr.exposure).toMatchObject({ openReceivables: 0, unappliedCredits: -15_000, total: -15_000 });
    // The next invoice uses the credit first.
    await invoice(t, c.id, 20_000);
    expect((await credit(t, c.id)).exposure).toMatchObject({ openReceivables: 5_000, unappliedCredits: 0, total: 5_000 });
  });

  it('a credit note of 50 against a 500 invoice leaves 450 open (acceptance 4)', async () => {
    const c = await createCustomer(t);
    const number = await invoice(t, c.id, 50_000);
    const res = await t.as('credit_manager').post('/v1/credit-notes', { number: unique('CN'), customerId: c.id, date: calendar(t).today(), amount: 5_000, currency: 'EUR', invoiceNumber: number });
    expect(res.status).toBe(200);
    expect(res.body.creditNotes.created).toBe(1);
    expect((await rows('SELECT open_amount FROM invoices WHERE number = $1', [number]))[0].open_amount).toBe(45_000);
    expect((await credit(t, c.id)).exposure.openReceivables).toBe(45_000);
  });

  it('an allocation larger than what is open is refused and nothing from the batch is written', async () => {
    const c = await createCustomer(t);
    const a = await invoice(t, c.id, 10_000);
    const b = await invoice(t, c.id, 10_000);
    const { today } = calendar(t);
    const res = await t.as('credit_manager').post('/v1/payments', [
      { reference: unique('P'), customerId: c.id, date: today(), amount: 5_000, currency: 'EUR', allocations: [{ invoiceNumber: a, amount: 5_000 }] },
      { reference: unique('P'), customerId: c.id, date: today(), amount: 20_000, currency: 'EUR', allocations: [{ invoiceNumber: b, amount: 10_000 }, { invoiceNumber: a, amount: 6_000 }] },
    ]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('over_allocation');
    expect(res.body.error.details[0].field).toBe('body[1].allocations[1].amount');
    expect(await countOf('credits', c.id)).toBe(0);
    expect((await credit(t, c.id)).exposure.openReceivables).toBe(20_000);
  });

  it('a payment in another currency is refused and writes nothing', async () => {
    const c = await createCustomer(t);
    await invoice(t, c.id, 10_000);
    const res = await t.as('credit_manager').post('/v1/payments', { reference: unique('P'), customerId: c.id, date: '2026-01-01', amount: 100, currency: 'USD' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('currency_mismatch');
    expect(await countOf('credits', c.id)).toBe(0);
  });

  it('re-sending a payment with other allocations replaces them instead of adding', async () => {
    const c = await createCustomer(t);
    const a = await invoice(t, c.id, 10_000, { dueIn: 1 });
    const b = await invoice(t, c.id, 10_000, { dueIn: 2 });
    const reference = unique('P');
    await pay(t, c.id, 4_000, [{ invoiceNumber: a, amount: 4_000 }], { reference });
    await pay(t, c.id, 4_000, [{ invoiceNumber: b, amount: 4_000 }], { reference });
    const open = await rows('SELECT number, open_amount FROM invoices WHERE customer_id = $1 ORDER BY number', [c.id]);
    expect(Object.fromEntries(open.map((r) => [r.number, r.open_amount]))).toEqual({ [a]: 10_000, [b]: 6_000 });
    expect(await countOf('credits', c.id)).toBe(1);
  });

  it('an invoice cannot be reduced below what has been paid on it', async () => {
    const c = await createCustomer(t);
    const number = await invoice(t, c.id, 10_000);
    await pay(t, c.id, 8_000, [{ invoiceNumber: number, amount: 8_000 }]);
    const { day } = calendar(t);
    const res = await t.as('credit_manager').post('/v1/invoices', { number, customerId: c.id, issueDate: day(-30), dueDate: day(30), amount: 5_000, currency: 'EUR' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('over_allocation');
  });
});

describe('receivables figures', () => {
  it('shows aging buckets, overdue amount and oldest days, and payment behaviour', async () => {
    const c = await createCustomer(t);
    await invoice(t, c.id, 1_000, { dueIn: 10 });
    await invoice(t, c.id, 2_000, { dueIn: -10, issuedDaysAgo: 40 });
    await invoice(t, c.id, 3_000, { dueIn: -45, issuedDaysAgo: 75 });
    await invoice(t, c.id, 4_000, { dueIn: -75, issuedDaysAgo: 105 });
    await invoice(t, c.id, 5_000, { dueIn: -100, issuedDaysAgo: 130 });
    // Paid 10 days late: due 40 days ago, paid 30 days ago.
    const paid = await invoice(t, c.id, 10_000, { dueIn: -40, issuedDaysAgo: 70 });
    await pay(t, c.id, 10_000, [{ invoiceNumber: paid, amount: 10_000 }], { daysAgo: 30 });
    const cr = await credit(t, c.id);
    expect(cr.aging).toEqual({ notDue: 1_000, days1to30: 2_000, days31to60: 3_000, days61to90: 4_000, over90: 5_000 });
    expect(cr.overdue).toEqual({ amount: 14_000, oldestDays: 100, graceDays: 0 });
    expect(cr.exposure).toMatchObject({ openReceivables: 1_000, overdueReceivables: 14_000, activeHolds: 0, total: 15_000 });
    // (10000·10 + 2000·10 + 3000·45 + 4000·75 + 5000·100) / 24000 = 43.96 days
    expect(cr.paymentBehaviour.daysBeyondTerms).toBeCloseTo(44, 0);
    expect(cr.paymentBehaviour.paydex).toBe(45);
  });

  it('a customer that pays on terms has a Paydex of 80', async () => {
    const c = await createCustomer(t);
    const number = await invoice(t, c.id, 10_000, { dueIn: -10, issuedDaysAgo: 40 });
    await pay(t, c.id, 10_000, [{ invoiceNumber: number, amount: 10_000 }], { daysAgo: 10 });
    expect((await credit(t, c.id)).paymentBehaviour).toMatchObject({ daysBeyondTerms: 0, paydex: 80 });
  });
});

describe('CSV import', () => {
  const post = (csv: string) => t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'text/csv').send(csv);

  it('imports invoices, credit notes and payments with ; and French decimal commas', async () => {
    const c = await createCustomer(t);
    const x = c.externalId;
    const csv = [
      'type;number;customer_external_id;issue_date;due_date;date;amount;currency;applies_to',
      `invoice;CSV-${x}-1;${x};01/03/2026;31/03/2026;;1 234,56;EUR;`,
      `invoice;CSV-${x}-2;${x};2026-03-05;2026-04-04;;100;EUR;`,
      `credit_note;AV-${x}-1;${x};;;2026-03-10;34,56;EUR;CSV-${x}-1`,
      `payment;VIR-${x}-1;${x};;;2026-03-20;200,00;EUR;CSV-${x}-1`,
    ].join('\n');
    const res = await post(csv);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ invoices: { created: 2 }, creditNotes: { created: 1 }, payments: { created: 1 } });
    const open = await rows('SELECT number, open_amount FROM invoices WHERE customer_id = $1 ORDER BY number', [c.id]);
    expect(open).toEqual([
      { number: `CSV-${x}-1`, open_amount: 123_456 - 3_456 - 20_000 },
      { number: `CSV-${x}-2`, open_amount: 10_000 },
    ]);
    // Importing the same file again changes nothing.
    const again = await post(csv);
    expect(again.body.invoices).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect(await countOf('invoices', c.id)).toBe(2);
  });

  it('accepts , as separator with quoted decimal commas', async () => {
    const c = await createCustomer(t);
    const csv = `number,customer_external_id,issue_date,due_date,amount,currency\nCOMMA-${c.externalId},${c.externalId},2026-03-01,2026-03-31,"99,90",EUR\n`;
    const res = await post(csv);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await rows('SELECT amount FROM invoices WHERE customer_id = $1', [c.id]))[0].amount).toBe(9_990);
  });

  it.each([
    ['a bad date', (x: string) => `I-${x}-2;${x};2026-13-01;2026-03-31;10;EUR`, 3, 'issue_date'],
    ['a bad amount', (x: string) => `I-${x}-2;${x};2026-03-01;2026-03-31;12.345;EUR`, 3, 'amount'],
    ['an unknown customer', (x: string) => `I-${x}-2;ghost-${x};2026-03-01;2026-03-31;10;EUR`, 3, 'customerExternalId'],
    ['a foreign currency', (x: string) => `I-${x}-2;${x};2026-03-01;2026-03-31;10;USD`, 3, 'currency'],
    ['a due date before the issue date', (x: string) => `I-${x}-2;${x};2026-03-31;2026-03-01;10;EUR`, 3, 'due_date'],
  ])('rejects the whole import on %s, naming the line', async (_label, badLine, line, field) => {
    const c = await createCustomer(t);
    const x = c.externalId;
    const csv = ['number;customer_external_id;issue_date;due_date;amount;currency', `I-${x}-1;${x};2026-03-01;2026-03-31;10;EUR`, badLine(x), `I-${x}-3;${x};2026-03-01;2026-03-31;10;EUR`].join('\n');
    const res = await post(csv);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(`line ${line}`);
    expect(res.body.error.message).toContain(field);
    expect(await countOf('invoices', c.id)).toBe(0);
  });

  it('rejects an unknown column, an empty file and a non-CSV content type', async () => {
    expect((await post('number;customer;amount;currency\n')).body.error.message).toContain('unknown column "customer"');
    expect((await post('')).status).toBe(400);
    const res = await t.as('credit_manager').post('/v1/imports/ledger').set('Content-Type', 'application/json').send({ a: 1 });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsupported_media_type');
  });

  it('an import past a thousand lines lands whole (several chunks, one transaction)', async () => {
    const c = await createCustomer(t);
    const x = c.externalId;
    const lines = ['number;customer_external_id;issue_date;due_date;amount;currency'];
    for (let i = 0; i < 12_000; i++) lines.push(`BIG-${x}-${i};${x};2026-03-01;2026-03-31;1;EUR`);
    const ok = await post(lines.join('\n'));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.invoices.created).toBe(12_000);
    // A bad line in the last chunk undoes the earlier chunks too.
    const c2 = await createCustomer(t);
    const bad = lines.map((l, i) => (i === 0 ? l : l.replaceAll(x, c2.externalId).replace('BIG-', 'BIG2-')));
    bad.push(`LAST-${c2.externalId};${c2.externalId};2026-03-01;not-a-date;1;EUR`);
    const res = await post(bad.join('\n'));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('line 12002');
    expect(await countOf('invoices', c2.id)).toBe(0);
  }, 60_000);
});
