import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { startSmtp, type TestSmtp } from '../setup/smtp.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';

let t: TestApp;
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ ...COMPANY_ENV, SMTP_URL: smtp.url, SMTP_MAX_ATTEMPTS: '2', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }, { now: '2026-04-01T08:00:00Z', schedule: NO_SCHEDULES });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
const run = () => t.container.services.collections.dunning.run();

/** A customer with a billing e-mail and invoices due on the given days. */
async function customerWith(invoices: Array<{ dueDate: string; amount: number }>, profile: Record<string, unknown> = {}) {
  const { id } = await createCustomer(t);
  const p = await t.as('collector').put(`/v1/customers/${id}/collections-profile`, {
    contacts: [{ name: 'Compta', email: `compta-${id.slice(0, 8)}@client.example` }],
    ...profile,
  });
  expect(p.status, JSON.stringify(p.body)).toBe(200);
  const numbers: string[] = [];
  for (const inv of invoices) {
    const number = unique('F');
    const res = await t.as('credit_manager').post('/v1/invoices', { number, customerId: id, issueDate: addDays(inv.dueDate, -30), dueDate: inv.dueDate, amount: inv.amount, currency: 'EUR' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    numbers.push(number);
  }
  return { id, numbers };
}

async function stepsOf(customerId: string) {
  const { rows } = await t.container.database.pool.query<{ run_on: string; step_key: string; invoices: Array<{ number: string }> }>(
    'SELECT run_on, step_key, invoices FROM collection_actions WHERE customer_id = $1 ORDER BY run_on, seq',
    [customerId],
  );
  return rows.map((r) => `${r.run_on} ${r.step_key} ${r.invoices.map((i) => i.number).join(',')}`);
}

/** Runs every day from `from` to `to` included. */
async function walk(from: string, to: string, each?: (day: string) => Promise<void>) {
  for (let day = from; day <= to; day = addDays(day, 1)) {
    at(day);
    await each?.(day);
    await run();
  }
}

async function fingerprint() {
  const { rows } = await t.container.database.pool.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM payment_promises) || '/' || (SELECT count(*) FROM payment_plans) || '/' || (SELECT count(*) FROM payment_plan_installments)
            || '/' || (SELECT count(*) FROM collection_documents) || '/' || (SELECT count(*) FROM disputes) || '/' || (SELECT count(*) FROM collection_pauses)
            || '/' || (SELECT count(*) FROM audit_entries) AS n`,
  );
  return rows[0]!.n;
}

describe('promises to pay', () => {
  it('a promise pauses the plan; broken, it raises an alert and the plan resumes at the step it reached', async () => {
    const { id, numbers } = await customerWith([{ dueDate: '2026-04-10', amount: 300_000 }]);
    await walk('2026-04-10', '2026-04-14');
    expect(await stepsOf(id)).toEqual([`2026-04-14 reminder_courteous ${numbers[0]}`]);
    at('2026-04-15');
    const promise = await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 300_000, promisedOn: '2026-04-22', promisedBy: 'M. Client', channel: 'phone' });
    expect(promise.status, JSON.stringify(promise.body)).toBe(201);
    expect(promise.body).toMatchObject({ status: 'open', amount: 300_000, promisedOn: '2026-04-22', invoiceNumbers: numbers });
    // The firm reminder was due on 21 April: the promise holds it until the promised day has passed.
    await walk('2026-04-15', '2026-04-22');
    expect(await stepsOf(id)).toHaveLength(1);
    await walk('2026-04-23', '2026-04-23');
    expect((await t.as('collector').get(`/v1/collections/promises/${promise.body.id}`)).body.status).toBe('broken');
    expect(await stepsOf(id)).toEqual([`2026-04-14 reminder_courteous ${numbers[0]}`, `2026-04-23 reminder_firm ${numbers[0]}`]);
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=promise_broken`);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0].message).toContain('was not kept');
  });

  it('a promise paid is kept', async () => {
    const { id, numbers } = await customerWith([{ dueDate: '2026-04-10', amount: 100_000 }]);
    at('2026-04-23');
    const promise = await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 60_000, promisedOn: '2026-04-25', promisedBy: 'Mme Client', channel: 'email' });
    expect(promise.status).toBe(201);
    await t.as('credit_manager').post('/v1/payments', { reference: unique('PAY'), customerId: id, date: '2026-04-24', amount: 60_000, currency: 'EUR' });
    at('2026-04-24');
    await run();
    expect((await t.as('collector').get(`/v1/collections/promises/${promise.body.id}`)).body.status).toBe('kept');
  });
});

describe('orders and webhooks', () => {
  it('a promise in good standing lifts the collections block (policy); broken, the block returns; webhooks receive the alert', async () => {
    const hook = await t.as('admin').post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', alertTypes: ['promise_broken', 'formal_notice_due'] });
    expect(hook.status, JSON.stringify(hook.body)).toBe(201);
    const { id, numbers } = await customerWith([{ dueDate: '2026-03-01', amount: 20_000 }]);
    await t.as('credit_manager').put(`/v1/customers/${id}/credit-limit`, { amount: 10_000_000, currency: 'EUR', reason: 'test' });
    // Walked from the due date, the invoice reaches the formal notice on 31 March.
    await walk('2026-03-01', '2026-03-31');
    const reasons = async () => (await t.as('order_system').post('/v1/order-checks', { orderId: unique('ORD'), customerId: id, amount: 100, currency: 'EUR' })).body.reasons.map((r: { code: string }) => r.code);
    expect(await reasons()).toContain('collections');
    const promise = await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 20_000, promisedOn: '2026-04-03', promisedBy: 'DAF', channel: 'phone' });
    expect(promise.status).toBe(201);
    expect(await reasons()).not.toContain('collections');
    await walk('2026-04-04', '2026-04-04');
    expect(await reasons()).toContain('collections');
    const { rows } = await t.container.database.pool.query<{ event_type: string }>('SELECT event_type FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq', [hook.body.id]);
    expect(rows.map((r) => r.event_type)).toEqual(expect.arrayContaining(['formal_notice_due', 'promise_broken']));
    await t.as('admin').delete(`/v1/webhooks/${hook.body.id}`);
  });
});

describe('payment plans', () => {
  it('a late installment raises an alert; after the grace days the plan resumes on the whole remainder', async () => {
    const { id, numbers } = await customerWith([
      { dueDate: '2026-05-01', amount: 100_000 },
      { dueDate: '2026-05-03', amount: 50_000 },
    ]);
    await walk('2026-05-05', '2026-05-05');
    at('2026-05-06');
    const plan = await t.as('collector').post(`/v1/customers/${id}/payment-plans`, {
      invoiceNumbers: numbers,
      installments: [
        { dueOn: '2026-05-15', amount: 75_000 },
        { dueOn: '2026-06-15', amount: 75_000 },
      ],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    expect(plan.body.installments.map((i: { status: string }) => i.status)).toEqual(['pending', 'pending']);
    const agreement = await binary(t.as('collector').get(plan.body.agreement));
    const text = await pdfText(agreement.body as Buffer);
    expect(text).toContain("Protocole d'accord");
    expect(text).toContain('Échéance 1 : 15 mai 2026 – 750,00 €');
    expect(text).toContain('Échéance 2 : 15 juin 2026 – 750,00 €');
    expect(text).toContain(numbers[0]!);

    await walk('2026-05-06', '2026-05-16');
    expect(await stepsOf(id)).toHaveLength(1); // only the courteous reminder of 5 May
    const late = await t.as('collector').get(`/v1/collections/payment-plans/${plan.body.id}`);
    expect(late.body.installments.map((i: { status: string }) => i.status)).toEqual(['late', 'pending']);
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=installment_late`);
    expect(alerts.body.items).toHaveLength(1);
    const worklist = await t.as('collector').get('/v1/collections/worklist?date=2026-05-16');
    expect(worklist.body.items.some((i: { type: string; link: string }) => i.type === 'installment_due' && i.link.endsWith(plan.body.id))).toBe(true);

    // Grace is 7 days: defaulted on the 8th day after the installment date, and dunning resumes.
    await walk('2026-05-17', '2026-05-23');
    expect((await t.as('collector').get(`/v1/collections/payment-plans/${plan.body.id}`)).body.status).toBe('defaulted');
    const steps = await stepsOf(id);
    expect(steps).toEqual([`2026-05-05 reminder_courteous ${numbers[0]}`, `2026-05-23 reminder_firm ${numbers[0]},${numbers[1]}`]);
  });

  it('installments paid in time are marked paid and the plan completes', async () => {
    const { id, numbers } = await customerWith([{ dueDate: '2026-05-01', amount: 80_000 }]);
    at('2026-05-06');
    const plan = await t.as('collector').post(`/v1/customers/${id}/payment-plans`, { invoiceNumbers: numbers, installments: [{ dueOn: '2026-05-20', amount: 40_000 }, { dueOn: '2026-06-20', amount: 40_000 }] });
    expect(plan.status).toBe(201);
    await t.as('credit_manager').post('/v1/payments', { reference: unique('PAY'), customerId: id, date: '2026-05-19', amount: 40_000, currency: 'EUR' });
    await walk('2026-05-19', '2026-05-21');
    expect((await t.as('collector').get(`/v1/collections/payment-plans/${plan.body.id}`)).body.installments.map((i: { status: string }) => i.status)).toEqual(['paid', 'pending']);
    await t.as('credit_manager').post('/v1/payments', { reference: unique('PAY'), customerId: id, date: '2026-06-18', amount: 40_000, currency: 'EUR' });
    await walk('2026-06-19', '2026-06-19');
    expect((await t.as('collector').get(`/v1/collections/payment-plans/${plan.body.id}`)).body.status).toBe('completed');
    expect(await stepsOf(id)).toEqual([]);
  });
});

describe('disputes and pauses', () => {
  it('a disputed invoice leaves the plan until resolved; the others go on', async () => {
    const { id, numbers } = await customerWith([
      { dueDate: '2026-06-01', amount: 10_000 },
      { dueDate: '2026-06-01', amount: 20_000 },
    ]);
    at('2026-06-02');
    const dispute = await t.as('collector').post(`/v1/customers/${id}/disputes`, { invoiceNumber: numbers[1], category: 'quality', comment: 'Marchandise abîmée' });
    expect(dispute.status, JSON.stringify(dispute.body)).toBe(201);
    const twice = await t.as('collector').post(`/v1/customers/${id}/disputes`, { invoiceNumber: numbers[1], category: 'price' });
    expect(twice.status).toBe(409);
    expect((await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=dispute_opened`)).body.items).toHaveLength(1);
    await walk('2026-06-05', '2026-06-05');
    expect(await stepsOf(id)).toEqual([`2026-06-05 reminder_courteous ${numbers[0]}`]);
    // Still counted in exposure.
    const c = await t.as('credit_manager').get(`/v1/customers/${id}`);
    expect(c.body.credit.exposure.total).toBe(30_000);
    // Two people resolving it at once: one does, the other is told it already is (guarded by its status).
    const both = await Promise.all([
      t.as('collector').post(`/v1/collections/disputes/${dispute.body.id}/resolve`, { resolution: 'rejected', comment: 'Livraison conforme' }),
      t.as('credit_manager').post(`/v1/collections/disputes/${dispute.body.id}/resolve`, { resolution: 'withdrawn', comment: 'Retiré' }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(both.find((r) => r.status === 409)!.body.error.code).toBe('dispute_resolved');
    const audits = (await t.as('admin').get(`/v1/audit?entityType=dispute&entityId=${dispute.body.id}`)).body.items.filter((a: { action: string }) => a.action === 'dispute.resolved');
    expect(audits).toHaveLength(1);
    await walk('2026-06-06', '2026-06-06');
    expect(await stepsOf(id)).toEqual([`2026-06-05 reminder_courteous ${numbers[0]}`, `2026-06-06 reminder_courteous ${numbers[1]}`]);
  });

  it('a plan, a promise or a pause ended by two people at once ends once (guarded by its status)', async () => {
    const { id, numbers } = await customerWith([{ dueDate: '2026-07-01', amount: 60_000 }, { dueDate: '2026-07-01', amount: 10_000 }]);
    at('2026-07-03');
    const plan = await t.as('collector').post(`/v1/customers/${id}/payment-plans`, { invoiceNumbers: [numbers[0]], installments: [{ dueOn: '2026-07-20', amount: 60_000 }] });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    const promise = await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: [numbers[1]], amount: 10_000, promisedOn: '2026-07-10', promisedBy: 'M. Client', channel: 'phone' });
    expect(promise.status, JSON.stringify(promise.body)).toBe(201);
    const pause = await t.as('collector').post(`/v1/customers/${id}/collections/pauses`, { until: '2026-07-20', reason: 'reprise en cours' });
    expect(pause.status, JSON.stringify(pause.body)).toBe(201);
    for (const [path, body, code] of [
      [`/v1/collections/payment-plans/${plan.body.id}/cancel`, { reason: 'renégocié' }, 'payment_plan_not_active'],
      [`/v1/collections/promises/${promise.body.id}/cancel`, { reason: 'erreur' }, 'promise_not_open'],
      [`/v1/collections/pauses/${pause.body.id}/end`, undefined, 'pause_ended'],
    ] as const) {
      const both = await Promise.all([t.as('collector').post(path, body), t.as('credit_manager').post(path, body)]);
      expect(both.map((r) => r.status).sort(), path).toEqual([200, 409]);
      expect(both.find((r) => r.status === 409)!.body.error.code, path).toBe(code);
    }
  });

  it('a customer in collective proceedings or ceased (grade X) gets no reminder', async () => {
    const { id } = await customerWith([{ dueDate: '2026-06-01', amount: 10_000 }]);
    await t.container.database.pool.query("UPDATE credit_accounts SET risk_grade = 'X' WHERE customer_id = $1", [id]);
    await walk('2026-06-02', '2026-07-15');
    expect(await stepsOf(id)).toEqual([]);
  });

  it('a pause holds a customer until its date, and can end early', async () => {
    const { id } = await customerWith([{ dueDate: '2026-06-01', amount: 10_000 }]);
    at('2026-06-04');
    const pause = await t.as('collector').post(`/v1/customers/${id}/collections/pauses`, { until: '2026-06-20', reason: 'Rachat en cours, interlocuteur absent' });
    expect(pause.status, JSON.stringify(pause.body)).toBe(201);
    await walk('2026-06-04', '2026-06-10');
    expect(await stepsOf(id)).toEqual([]);
    expect((await t.as('collector').post(`/v1/collections/pauses/${pause.body.id}/end`)).status).toBe(200);
    await walk('2026-06-11', '2026-06-11');
    expect(await stepsOf(id)).toHaveLength(1);
  });
});

describe('bad input gets a 400 naming the field and writes nothing', () => {
  it.each<[string, (ids: { id: string; numbers: string[]; other: string }) => [string, unknown], string]>([
    ['an unknown invoice', ({ id }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: ['NOPE-1'], amount: 100, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.invoiceNumbers[0]'],
    ["another customer's invoice", ({ id, other }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: [other], amount: 100, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.invoiceNumbers[0]'],
    ['a date that does not exist', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 100, promisedOn: '2026-02-30', promisedBy: 'x', channel: 'phone' }], 'body.promisedOn'],
    ['a date in the past', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 100, promisedOn: '2026-06-30', promisedBy: 'x', channel: 'phone' }], 'body.promisedOn'],
    ['an amount of 0', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 0, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.amount'],
    ['a decimal amount', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 10.5, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.amount'],
    ['more than is open', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: numbers, amount: 999_999, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.amount'],
    ['an invoice listed twice', ({ id, numbers }) => [`/v1/customers/${id}/promises`, { invoiceNumbers: [numbers[0], numbers[0]], amount: 100, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' }], 'body.invoiceNumbers[1]'],
    ['installments that do not add up', ({ id, numbers }) => [`/v1/customers/${id}/payment-plans`, { invoiceNumbers: numbers, installments: [{ dueOn: '2026-07-10', amount: 100 }] }], 'body.installments'],
    ['installments out of order', ({ id, numbers }) => [`/v1/customers/${id}/payment-plans`, { invoiceNumbers: numbers, installments: [{ dueOn: '2026-08-10', amount: 25_000 }, { dueOn: '2026-07-10', amount: 25_000 }] }], 'body.installments[1].dueOn'],
    ['an installment of a negative amount', ({ id, numbers }) => [`/v1/customers/${id}/payment-plans`, { invoiceNumbers: numbers, installments: [{ dueOn: '2026-07-10', amount: -5 }] }], 'body.installments[0].amount'],
    ['an unknown dispute category', ({ id, numbers }) => [`/v1/customers/${id}/disputes`, { invoiceNumber: numbers[0], category: 'mood' }], 'body.category'],
    ['a pause in the past', ({ id }) => [`/v1/customers/${id}/collections/pauses`, { until: '2026-01-01', reason: 'x' }], 'body.until'],
    ['a contact e-mail that is not one', ({ id }) => [`/v1/customers/${id}/collections-profile`, { contacts: [{ name: 'A', email: 'not-an-email' }] }], 'body.contacts[0].email'],
    ['an unknown plan', ({ id }) => [`/v1/customers/${id}/collections-profile`, { dunningPlanId: 'nope' }], 'body.dunningPlanId'],
    ['a contract rate below the legal floor', ({ id }) => [`/v1/customers/${id}/collections-profile`, { contractPenaltyRatePercent: 5 }], 'body.contractPenaltyRatePercent'],
  ])('%s', async (_label, make, field) => {
    at('2026-07-01');
    const ctx = await customerWith([{ dueDate: '2026-06-01', amount: 50_000 }]);
    const other = await customerWith([{ dueDate: '2026-06-01', amount: 1_000 }]);
    const [path, body] = make({ ...ctx, other: other.numbers[0]! });
    const before = await fingerprint();
    const res = await t.as('collector')[path.endsWith('collections-profile') ? 'put' : 'post'](path, body);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    expect(await fingerprint()).toBe(before);
  });

  it('overlapping arrangements: an invoice under a promise cannot go into a payment plan', async () => {
    at('2026-07-01');
    const { id, numbers } = await customerWith([
      { dueDate: '2026-06-01', amount: 50_000 },
      { dueDate: '2026-06-02', amount: 50_000 },
    ]);
    expect((await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: [numbers[1]], amount: 50_000, promisedOn: '2026-07-10', promisedBy: 'x', channel: 'phone' })).status).toBe(201);
    const before = await fingerprint();
    const res = await t.as('collector').post(`/v1/customers/${id}/payment-plans`, { invoiceNumbers: numbers, installments: [{ dueOn: '2026-07-10', amount: 100_000 }] });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ field: 'body.invoiceNumbers[1]' });
    expect(res.body.error.code).toBe('overlapping_arrangement');
    expect(await fingerprint()).toBe(before);
  });
});

describe('the e-mail outbox', () => {
  it('a refused message is retried with backoff, then failed with an alert; a later retry sends it', async () => {
    const { id } = await customerWith([{ dueDate: '2026-07-01', amount: 10_000 }]);
    smtp.failNext(2, `compta-${id.slice(0, 8)}@client.example`);
    at('2026-07-05');
    const counts = await run();
    expect(counts.emailsRetried).toBe(1);
    expect(counts.emailsFailed).toBe(0);
    const [email] = (await t.as('collector').get(`/v1/collections/emails?customerId=${id}`)).body.items;
    expect(email).toMatchObject({ status: 'pending', attempts: 1 });
    expect(email.lastError).toContain('451');
    t.clock.set('2026-07-05T08:01:01Z');
    await t.container.services.collections.outbox.sendDue();
    const failed = (await t.as('collector').get(`/v1/collections/emails/${email.id}`)).body;
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect((await t.as('credit_manager').get(`/v1/alerts?customerId=${id}&type=email_failed`)).body.items).toHaveLength(1);
    expect((await t.as('collector').get(`/v1/collections/actions/${failed.actionId}`)).body.status).toBe('failed');
    const before = smtp.messages.length;
    expect((await t.as('collector').post(`/v1/collections/emails/${email.id}/retry`)).body.status).toBe('pending');
    await t.container.services.collections.outbox.sendDue();
    expect((await t.as('collector').get(`/v1/collections/emails/${email.id}`)).body.status).toBe('sent');
    expect(smtp.messages.length).toBe(before + 1);
  });

  it('without SMTP, e-mails wait as not_sent and download as .eml; without a contact, the e-mail fails and says so', async () => {
    const local = await createTestApp({ ...COMPANY_ENV }, { now: '2026-07-05T08:00:00Z', schedule: NO_SCHEDULES });
    try {
      const { id } = await createCustomer(local);
      await local.as('collector').put(`/v1/customers/${id}/collections-profile`, { language: 'en', contacts: [{ name: 'AP', email: 'ap@client.example' }] });
      await local.as('credit_manager').post('/v1/invoices', { number: 'EN-1', customerId: id, issueDate: '2026-06-01', dueDate: '2026-07-01', amount: 12_345, currency: 'EUR' });
      const { id: silent } = await createCustomer(local);
      await local.as('credit_manager').post('/v1/invoices', { number: 'NC-1', customerId: silent, issueDate: '2026-06-01', dueDate: '2026-07-01', amount: 500, currency: 'EUR' });
      await local.container.services.collections.dunning.run();
      const [email] = (await local.as('collector').get(`/v1/collections/emails?customerId=${id}`)).body.items;
      expect(email).toMatchObject({ status: 'not_sent', to: ['ap@client.example'], subject: 'Your company – reminder: overdue invoice EN-1'.replace('Your company', COMPANY_ENV.COMPANY_NAME) });
      const eml = await binary(local.as('collector').get(email.eml));
      expect(eml.status).toBe(200);
      expect(eml.headers['content-type']).toContain('message/rfc822');
      const raw = (eml.body as Buffer).toString('utf8');
      expect(raw).toContain('To: ap@client.example');
      expect(raw).toMatch(/Subject: /);
      expect(raw).toContain('Message-ID: <');
      const [none] = (await local.as('collector').get(`/v1/collections/emails?customerId=${silent}`)).body.items;
      expect(none).toMatchObject({ status: 'failed', to: [] });
      expect(none.lastError).toContain('no contact with an e-mail address');
      expect((await local.as('credit_manager').get(`/v1/alerts?customerId=${silent}&type=email_failed`)).body.items).toHaveLength(1);
    } finally {
      await local.close();
    }
  });
});

describe('plans and policy', () => {
  it('an admin writes a plan version (validated, audited); a policy assigns it by grade', async () => {
    const bad = await t.as('admin').put('/v1/collections/plans/tight', {
      name: 'Tight',
      reason: 'grades D/E',
      steps: [
        { key: 'first', offsetDays: 2, channel: 'email', template: 'courteous' },
        { key: 'second', offsetDays: 2, channel: 'call', template: 'call' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.steps[1].offsetDays');
    const unknownTemplate = await t.as('admin').put('/v1/collections/plans/tight', { name: 'Tight', reason: 'x', steps: [{ key: 'a', offsetDays: 1, channel: 'email', template: 'nope' }] });
    expect(unknownTemplate.body.error.details[0].field).toBe('body.steps[0].template');
    const ok = await t.as('admin').put('/v1/collections/plans/tight', {
      name: 'Tight',
      reason: 'grades D/E',
      steps: [
        { key: 'reminder', offsetDays: 1, channel: 'email', template: 'firm' },
        { key: 'call', offsetDays: 5, channel: 'call', template: 'call', conditions: { minOverdue: 1000 } },
        { key: 'formal_notice', offsetDays: 10, channel: 'letter', template: 'formal_notice', formalNotice: true },
      ],
    });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.version).toBe(1);
    const policy = await t.as('admin').put('/v1/collections/policy', {
      reason: 'tighter plan for D and E',
      policy: { defaultPlanId: 'standard', planByGrade: { D: 'tight', E: 'tight' }, blockOrdersFromStep: 'formal_notice', liftBlockInGoodStanding: true, installmentGraceDays: 7, formalNoticeDeadlineDays: 8 },
    });
    expect(policy.status, JSON.stringify(policy.body)).toBe(200);
    const unknown = await t.as('admin').put('/v1/collections/policy', { reason: 'x', policy: { ...policy.body.policy, planByGrade: { E: 'nope' } } });
    expect(unknown.body.error.details[0].field).toBe('body.policy.planByGrade.E');

    const { id, numbers } = await customerWith([{ dueDate: '2026-08-01', amount: 10_000 }]);
    await t.container.database.pool.query("UPDATE credit_accounts SET risk_grade = 'E' WHERE customer_id = $1", [id]);
    await walk('2026-08-02', '2026-08-11');
    expect(await stepsOf(id)).toEqual([`2026-08-02 reminder ${numbers[0]}`, `2026-08-06 call ${numbers[0]}`, `2026-08-11 formal_notice ${numbers[0]}`]);
    const audit = await t.as('admin').get('/v1/audit?entityType=dunning_plan');
    expect(audit.body.items.some((e: { action: string }) => e.action === 'dunning_plan.created')).toBe(true);
  });
});
