import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainer, type Container } from '../../src/container.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { addDays } from '../../src/clock.js';
import { ADMIN_KEY, createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, setLimit, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES, runJob, waitFor } from '../setup/jobs.js';
import { startSmtp, type TestSmtp } from '../setup/smtp.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';

const flat = (s: string) => s.replace(/[\s\u00a0\u202f]+/g, ' ');

describe('collections: the default French plan walked day by day', () => {
  let t: TestApp;
  let smtp: TestSmtp;
  let customerId: string;
  const actionsByDay: Record<string, Array<{ kind: string; step: string; invoices: Array<[string, string | null]> }>> = {};

  const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
  const run = () => t.container.services.collections.dunning.run();
  const actions = async () =>
    (
      await t.container.database.pool.query<{ run_on: string; kind: string; step_key: string; invoices: Array<{ number: string; atStep: string | null }>; id: string; document_id: string | null; status: string; assignee: string | null }>(
        'SELECT id, run_on, kind, step_key, invoices, document_id, status, assignee FROM collection_actions WHERE customer_id = $1 ORDER BY run_on, seq',
        [customerId],
      )
    ).rows;

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({ ...COMPANY_ENV, SMTP_URL: smtp.url }, { now: '2026-02-01T08:00:00Z', jobsProcessEvery: 100, schedule: NO_SCHEDULES });
    ({ id: customerId } = await createCustomer(t, { name: 'Boulangerie Martin SARL' }));
    await setLimit(t, customerId, 100_000_000);
    const profile = await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, {
      language: 'fr',
      contacts: [{ name: 'Claire Martin', email: 'claire.martin@client.example', phone: '+33 4 72 00 00 00', role: 'billing' }],
      postalAddress: { lines: ['8 place Bellecour'], postalCode: '69002', city: 'Lyon' },
      owner: { name: 'Paul Vendeur', email: 'paul@durand.example' },
      escalationContact: { name: 'Marie Directrice' },
      collector: 'Camille',
    });
    expect(profile.status, JSON.stringify(profile.body)).toBe(200);
    for (const [number, issueDate, dueDate, amount] of [
      ['F-A', '2026-01-05', '2026-02-04', 100_000],
      ['F-B', '2026-01-05', '2026-02-04', 50_000],
      ['F-C', '2026-01-12', '2026-02-11', 200_000],
    ] as const) {
      const res = await t.as('credit_manager').post('/v1/invoices', { number, customerId, issueDate, dueDate, amount, currency: 'EUR' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }

    // Every day from 1 February to 25 March, the run twice (a re-run sends nothing more); on the
    // day of the formal notice two workers at once; a partial payment on F-C on 20 February.
    let second: Container | null = null;
    try {
      for (let day = '2026-02-01'; day <= '2026-03-25'; day = addDays(day, 1)) {
        at(day);
        if (day === '2026-02-20') {
          const paid = await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-0220', customerId, date: day, amount: 80_000, currency: 'EUR', allocations: [{ invoiceNumber: 'F-C', amount: 80_000 }] });
          expect(paid.status, JSON.stringify(paid.body)).toBe(200);
        }
        if (day === '2026-03-06') {
          second = await createContainer(loadConfig({ LOG_LEVEL: 'silent', VIGIE_ADMIN_KEY: ADMIN_KEY, NODE_ENV: 'test', ...COMPANY_ENV, SMTP_URL: smtp.url }), {
            logger: createLogger('silent'),
            collectDefaultMetrics: false,
            clock: t.clock,
            database: t.container.database,
            schedule: NO_SCHEDULES,
          });
          await Promise.all([run(), second.services.collections.dunning.run()]);
        }
        await run();
        await run();
        // The collector makes the first call and posts the first penalty letter the day they come up:
        // the formal notice's log lists what reached the debtor, not what waits.
        if (day === '2026-02-19' || day === '2026-02-24') {
          const todo = (await actions()).filter((a) => a.run_on === day && (a.kind === 'call' || a.kind === 'letter'));
          for (const a of todo) {
            const done = a.kind === 'call'
              ? await t.as('collector').post(`/v1/collections/actions/${a.id}/call-outcome`, { outcome: 'no_answer' })
              : await t.as('collector').post(`/v1/collections/actions/${a.id}/letter-sent`, { sentOn: day });
            expect(done.status, JSON.stringify(done.body)).toBe(200);
          }
        }
      }
    } finally {
      await second?.close();
    }
    for (const a of await actions()) {
      (actionsByDay[a.run_on] ??= []).push({ kind: a.kind, step: a.step_key, invoices: a.invoices.map((i) => [i.number, i.atStep]) });
    }
  }, 240_000);

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('takes every step in order, one action per customer and day, grouped at the highest step, re-anchored after a partial payment', () => {
    expect(actionsByDay).toEqual({
      '2026-02-01': [{ kind: 'email', step: 'pre_due', invoices: [['F-A', 'pre_due'], ['F-B', 'pre_due']] }],
      '2026-02-08': [{ kind: 'email', step: 'reminder_courteous', invoices: [['F-A', 'reminder_courteous'], ['F-B', 'reminder_courteous'], ['F-C', 'pre_due']] }],
      '2026-02-15': [{ kind: 'email', step: 'reminder_firm', invoices: [['F-A', 'reminder_firm'], ['F-B', 'reminder_firm'], ['F-C', 'reminder_courteous']] }],
      '2026-02-19': [{ kind: 'call', step: 'call', invoices: [['F-A', 'call'], ['F-B', 'call']] }],
      '2026-02-24': [{ kind: 'letter', step: 'penalty_letter', invoices: [['F-A', 'penalty_letter'], ['F-B', 'penalty_letter']] }],
      // F-C's firm reminder was due on 22 February; the payment of 20 February re-anchors it 7 days later.
      '2026-02-27': [{ kind: 'email', step: 'reminder_firm', invoices: [['F-C', 'reminder_firm']] }],
      '2026-03-03': [{ kind: 'call', step: 'call', invoices: [['F-C', 'call']] }],
      // The formal notice lists every overdue invoice; only F-A and F-B are at that step.
      '2026-03-06': [{ kind: 'letter', step: 'formal_notice', invoices: [['F-A', 'formal_notice'], ['F-B', 'formal_notice'], ['F-C', null]] }],
      '2026-03-08': [{ kind: 'letter', step: 'penalty_letter', invoices: [['F-C', 'penalty_letter']] }],
      // F-C reaches its formal notice on 18 March, but the notice of 6 March already names it: no second notice (issue 21).
      '2026-03-21': [{ kind: 'internal', step: 'legal_handover', invoices: [['F-A', 'legal_handover'], ['F-B', 'legal_handover']] }],
    });
  });

  it('the SMTP server received each e-mail once, in French, with the right amounts', () => {
    expect(smtp.messages.map((m) => m.subject)).toEqual([
      'Fournitures Durand SAS – échéance prochaine : factures F-A, F-B',
      'Fournitures Durand SAS – rappel : factures échues F-A, F-B, F-C',
      'Fournitures Durand SAS – second rappel : factures impayées F-A, F-B, F-C',
      'Fournitures Durand SAS – second rappel : facture impayée F-C',
    ]);
    expect(smtp.recipients.every((r) => r.length === 1 && r[0] === 'claire.martin@client.example')).toBe(true);
    const firm = flat(smtp.messages[2]!.text!);
    expect(firm).toContain('facture F-A du 5 janvier 2026, échue le 4 février 2026 (11 jours de retard) : 1 000,00 € restant dû');
    expect(firm).toContain('facture F-C du 12 janvier 2026, échue le 11 février 2026 (4 jours de retard) : 2 000,00 € restant dû');
    expect(firm).toContain('Total restant dû : 3 500,00 €');
    expect(firm).toContain('40,00 € par facture');
    expect(firm).toContain('FR76 3000 6000 0112 3456 7890 189');
    // After the partial payment, the reminder is on what is still open.
    expect(flat(smtp.messages[3]!.text!)).toContain('facture F-C du 12 janvier 2026, échue le 11 février 2026 (16 jours de retard) : 1 200,00 € restant dû');
    expect(smtp.messages[0]!.from!.text).toContain('relances@durand.example');
    expect(smtp.messages[0]!.replyTo!.text).toContain('compta@durand.example');
    expect(smtp.messages[1]!.html).toContain('<p>');
  });

  it('the mise en demeure PDF states every required element', async () => {
    const [notice] = (await actions()).filter((a) => a.step_key === 'formal_notice');
    const res = await binary(t.as('collector').get(`/v1/collections/documents/${notice!.document_id}`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.body as Buffer);
    for (const expected of [
      'Fournitures Durand SAS', // the creditor's letterhead
      '12 rue des Lilas', // the registered office, postcode and city
      '69003 Lyon',
      'SAS au capital de 50 000,00 € – RCS Lyon 552 100 554', // the mentions of R123-237 and R123-238
      'Claire Durand, Présidente', // the signatory
      'Boulangerie Martin SARL', // the debtor and its address
      '8 place Bellecour',
      '69002 Lyon',
      'Lyon, 6 mars 2026', // dated
      'Mise en demeure de payer',
      'mettons en demeure',
      'dans un délai de 8 jours à compter de l\'envoi du présent courrier', // the deadline runs from the sending
      // the amounts and their origin: each invoice, its dates, what is open, days late, penalties, indemnity
      'F-A 05/01/2026 04/02/2026 1 000,00 € 1 000,00 € 30 9,99 € 40,00 €',
      'F-B 05/01/2026 04/02/2026 500,00 € 500,00 € 30 4,99 € 40,00 €',
      'F-C 12/01/2026 11/02/2026 2 000,00 € 1 200,00 € 23 11,32 € 40,00 €',
      'Principal restant dû : 2 700,00 €',
      'Pénalités de retard (L441-10) : 26,30 €',
      'Indemnités forfaitaires (D441-5) : 120,00 €',
      'Total réclamé : 2 846,30 €',
      '12,15 %', // the rate
      'article D441-5',
      'injonction de payer', // the consequence
      'IBAN FR76 3000 6000 0112 3456 7890 189 – BIC AGRIFRPP', // payment details
      'Relances précédentes', // the dated log of earlier reminders
      '1 février 2026 – e-mail – Fournitures Durand SAS – échéance prochaine',
      '15 février 2026 – e-mail – Fournitures Durand SAS – second rappel',
      '19 février 2026 – appel – Appeler Boulangerie Martin SARL',
      '24 février 2026 – courrier – Relance – factures impayées et pénalités de retard',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('the formal notice raised an alert, and the letter is marked sent with its registered number', async () => {
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=formal_notice_due`);
    expect(alerts.body.items).toHaveLength(1);
    const [notice] = (await actions()).filter((a) => a.step_key === 'formal_notice');
    const bad = await t.as('collector').post(`/v1/collections/actions/${notice!.id}/letter-sent`, { sentOn: '2026-03-40' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.sentOn');
    const sent = await t.as('collector').post(`/v1/collections/actions/${notice!.id}/letter-sent`, { sentOn: '2026-03-06', registeredNumber: '1A 123 456 7890 1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', sentOn: '2026-03-06', registeredNumber: '1A 123 456 7890 1' });
    const again = await t.as('collector').post(`/v1/collections/actions/${notice!.id}/letter-sent`, { sentOn: '2026-03-06' });
    expect(again.status).toBe(409);
  });

  it("orders are blocked with reason collections from the formal notice; paying what reached it lifts that reason", async () => {
    const check = await t.as('order_system').post('/v1/order-checks', { orderId: unique('ORD'), customerId, amount: 1_000, currency: 'EUR' });
    expect(check.body.decision).toBe('blocked');
    const codes = check.body.reasons.map((r: { code: string }) => r.code);
    expect(codes).toContain('collections');
    const reason = check.body.reasons.find((r: { code: string }) => r.code === 'collections');
    expect(reason.message).toContain('formal_notice');
    expect(reason.invoices).toEqual(['F-A', 'F-B', 'F-C']);
    const pay = await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-0325', customerId, date: '2026-03-25', amount: 270_000, currency: 'EUR' });
    expect(pay.status, JSON.stringify(pay.body)).toBe(200);
    await waitFor(async () => {
      const c = await t.as('order_system').post('/v1/order-checks', { orderId: unique('ORD'), customerId, amount: 1_000, currency: 'EUR' });
      return !c.body.reasons.some((r: { code: string }) => r.code === 'collections') && c.body.decision === 'approved';
    }, 10_000, 'the collections block to lift');
  });

  it("the worklist has the day's calls, letters and escalations, by amount at risk; the timeline has everything", async () => {
    const list = await t.as('collector').get('/v1/collections/worklist?date=2026-03-25');
    expect(list.status).toBe(200);
    const types = list.body.items.map((i: { type: string }) => i.type);
    // The one formal notice was marked sent above: none is left to send.
    expect(types).toEqual(expect.arrayContaining(['call', 'letter_to_send', 'escalation']));
    expect(types).not.toContain('formal_notice_to_send');
    const priorities = list.body.items.map((i: { priority: number }) => i.priority);
    expect([...priorities].sort((a, b) => b - a)).toEqual(priorities);
    const camille = await t.as('collector').get('/v1/collections/worklist?date=2026-03-25&assignee=Camille');
    expect(camille.body.items.every((i: { assignee: string }) => i.assignee === 'Camille')).toBe(true);
    const manager = await t.as('collector').get('/v1/collections/worklist?date=2026-03-25&assignee=Marie%20Directrice');
    expect(manager.body.items.map((i: { type: string }) => i.type)).toEqual(['escalation']);

    const [call] = (await actions()).filter((a) => a.kind === 'call' && a.status === 'open');
    const done = await t.as('collector').post(`/v1/collections/actions/${call!.id}/call-outcome`, { outcome: 'reached_promise', notes: 'Paiement promis fin de semaine' });
    expect(done.status).toBe(200);

    const timeline = await t.as('collector').get(`/v1/customers/${customerId}/collections`);
    expect(timeline.status).toBe(200);
    const kinds = new Set(timeline.body.items.map((i: { type: string }) => i.type));
    for (const k of ['action.email', 'action.letter', 'action.call', 'action.internal', 'email', 'payment']) expect(kinds, k).toContain(k);
    const letter = timeline.body.items.find((i: { type: string }) => i.type === 'action.letter');
    expect(letter.link).toMatch(/^\/v1\/collections\/documents\//);
  });

  it('the daily job runs through Agenda and records its counts', async () => {
    at('2026-03-26');
    await t.container.startJobs();
    const runRecord = await runJob(t, 'collections');
    expect(runRecord.status).toBe('succeeded');
    // What the job recorded is what it did: the customers with open invoices due by then, the actions written that day.
    const { rows: [db] } = await t.container.database.pool.query<{ customers: number; actions: number }>(
      `SELECT (SELECT count(DISTINCT customer_id)::int FROM invoices WHERE open_amount > 0 AND due_date <= DATE '2026-03-26' + 3) AS customers,
              (SELECT count(*)::int FROM collection_actions WHERE run_on = DATE '2026-03-26') AS actions`,
    );
    expect(runRecord.counts).toMatchObject({ customers: db!.customers, actions: db!.actions, held: 0 });
  });

  it('a collector reads customers and the ledger and works collections, but sets no limit and edits no plan', async () => {
    expect((await t.as('collector').get(`/v1/customers/${customerId}`)).status).toBe(200);
    expect((await t.as('collector').get(`/v1/invoices?customerId=${customerId}`)).status).toBe(200);
    expect((await t.as('collector').put(`/v1/customers/${customerId}/credit-limit`, { amount: 1, currency: 'EUR', reason: 'x' })).status).toBe(403);
    expect((await t.as('collector').put('/v1/collections/plans/standard', { name: 'x', steps: [], reason: 'x' })).status).toBe(403);
    expect((await t.as('sales').get('/v1/collections/worklist')).status).toBe(403);
  });
});
