import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { collectiveRecord, startSourcesServer } from '../setup/sources-server.js';
import { credit, orderCheck, unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES, runJob } from '../setup/jobs.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';

/*
 * The insolvency playbook, end to end: a redressement judiciaire published on BODACC for a customer
 * stops its reminders (an e-mail not yet out is cancelled), marks it prepayment-only, splits
 * its claims at the judgment date, drafts the déclaration de créance with the deadline (publication
 * on 31 December + 2 months = 28 February, the month's last day), and raises reminders at 30, 15 and
 * 3 days before it; a conversion into liquidation updates the case.
 */
const DANONE = '552032534';
let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
let customerId: string;
let caseId: string;
/** A second customer whose liquidation judiciaire is published directly (Ganymède, in the recorded registry). */
let liquidated: string;
const GANYMEDE = '880878145';

const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
const runCollections = () => t.container.services.collections.dunning.run();
const judgmentRecord = (id: string, nature: string, date: string, publishedOn: string, text: string, siren = DANONE) => {
  const r = collectiveRecord(siren, id, nature, date, publishedOn);
  return { ...r, jugement: JSON.stringify({ type: 'initial', famille: "Jugement d'ouverture", nature, date, complementJugement: text }) };
};

beforeAll(async () => {
  sources = await startSourcesServer();
  t = await createTestApp({ ...sources.env, ...COMPANY_ENV, MONITORING_BODACC_FIRST_DAYS: '1' }, { now: '2026-12-29T08:00:00Z', schedule: NO_SCHEDULES });
  await t.container.startJobs();
  const created = await t.as('credit_manager').post('/v1/customers', { externalId: unique('INS'), siren: DANONE, name: 'Danone' });
  expect(created.status).toBe(201);
  customerId = created.body.id;
  await t.as('credit_manager').put(`/v1/customers/${customerId}/credit-limit`, { amount: 5_000_000, currency: 'EUR', reason: 'test' }).expect(200);
  await t
    .as('collector')
    .put(`/v1/customers/${customerId}/collections-profile`, {
      contacts: [{ name: 'Compta', email: 'compta@danone.example' }],
      postalAddress: { lines: ['17 boulevard Haussmann'], postalCode: '75009', city: 'Paris' },
      escalationContact: { name: 'Marie Directrice' },
    })
    .expect(200);
  for (const [number, issueDate, dueDate, amount] of [
    ['F-1', '2026-11-01', '2026-12-01', 120_000],
    ['F-2', '2026-12-05', '2027-01-04', 50_000],
  ] as const) {
    await t.as('credit_manager').post('/v1/invoices', { number, customerId, issueDate, dueDate, amount, currency: 'EUR' }).expect(200);
  }
  await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-1210', customerId, date: '2026-12-10', amount: 20_000, currency: 'EUR', allocations: [{ invoiceNumber: 'F-1', amount: 20_000 }] }).expect(200);
  const g = await t.as('credit_manager').post('/v1/customers', { externalId: unique('INS'), siren: GANYMEDE, name: 'Ganymède' });
  liquidated = g.body.id;
  await t.as('collector').put(`/v1/customers/${liquidated}/collections-profile`, { contacts: [{ name: 'Compta', email: 'compta@ganymede.example' }] }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: 'G-1', customerId: liquidated, issueDate: '2026-11-10', dueDate: '2026-12-10', amount: 40_000, currency: 'EUR' }).expect(200);
  // 29 December: F-1 is 28 days late; its first reminder waits in the outbox (no SMTP server here).
  await runCollections();
}, 60_000);

afterAll(async () => {
  await t?.close();
  await sources?.close();
});

describe('a collective proceeding opened for a customer', () => {
  it('BODACC publishes the redressement: a case with the deadline, the mandataire, prepayment only, the reminder cancelled, orders blocked', async () => {
    at('2026-12-31');
    // An invoice issued after the judgment: a claim born after it.
    await t.as('credit_manager').post('/v1/invoices', { number: 'F-3', customerId, issueDate: '2026-12-28', dueDate: '2027-01-27', amount: 30_000, currency: 'EUR' }).expect(200);
    sources.state.bodaccByDay.set('2026-12-31', [
      judgmentRecord(
        'A202612310043',
        "Jugement d'ouverture d'une procédure de liquidation judiciaire",
        '2026-12-29',
        '2026-12-31',
        'Jugement prononçant la liquidation judiciaire, désignant liquidateur Maître Anne Martin, 5 rue de la Paix 75002 Paris.',
        GANYMEDE,
      ),
      judgmentRecord(
        'A202612310042',
        "Jugement d'ouverture d'une procédure de redressement judiciaire",
        '2026-12-22',
        '2026-12-31',
        'Jugement prononçant l’ouverture d’une procédure de redressement judiciaire, date de cessation des paiements le 1 décembre 2026, désignant mandataire judiciaire SELARL MJ Alpes, 3 quai Perrière 38000 Grenoble. Les déclarations des créances sont à adresser au mandataire judiciaire.',
      ),
    ]);
    const run = await runJob(t, 'bodacc-delta');
    expect(run).toMatchObject({ status: 'succeeded', counts: { newEvents: 2, insolvencyCases: 2 } });

    const list = await t.as('collector').get(`/v1/insolvency-cases?customerId=${customerId}`);
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(1);
    const c = list.body.items[0];
    caseId = c.id;
    expect(c).toMatchObject({
      proceeding: 'redressement_judiciaire',
      judgment: { date: '2026-12-22' },
      announcement: { id: 'A202612310042', publishedOn: '2026-12-31' },
      mandataire: 'SELARL MJ Alpes, 3 quai Perrière 38000 Grenoble',
      deadline: '2027-02-28', // 31 December + 2 months: no 31 February, the month's last day
      daysLeft: 59,
      status: 'to_declare',
      retentionOfTitle: { invoices: [], claimDeadline: '2027-03-31' },
      reliefDeadline: '2027-06-30',
    });

    const detail = await credit(t, customerId);
    expect(detail.prepaymentOnly).toMatchObject({ since: '2026-12-22', caseId });
    expect(detail.riskGrade).toBe('X');
    const order = await orderCheck(t, customerId, 1_000);
    expect(order.body.decision).toBe('blocked');
    expect(order.body.reasons.map((r: { code: string }) => r.code)).toContain('legal_proceedings');

    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=insolvency_opened`);
    expect(alerts.body.items).toHaveLength(1);
    expect(alerts.body.items[0]).toMatchObject({ severity: 'critical', data: { deadline: '2027-02-28', caseId } });

    // The reminder of 29 December had not gone out (no SMTP server configured): it is cancelled, not sent.
    const { rows } = await t.container.database.pool.query<{ step_key: string; status: string; email: string }>(
      "SELECT a.step_key, a.status, e.status AS email FROM collection_actions a JOIN email_messages e ON e.action_id = a.id WHERE a.customer_id = $1 AND a.plan_id <> 'insolvency' ORDER BY a.seq",
      [customerId],
    );
    expect(rows).toEqual([{ step_key: 'reminder_courteous', status: 'cancelled', email: 'cancelled' }]);
  });

  it('a liquidation judiciaire published on 31 December: declare by 28 February to the liquidateur; no reminder goes to the company', async () => {
    const list = await t.as('collector').get(`/v1/insolvency-cases?customerId=${liquidated}`);
    expect(list.body.items).toEqual([
      expect.objectContaining({
        proceeding: 'liquidation_judiciaire',
        judgment: expect.objectContaining({ date: '2026-12-29' }),
        deadline: '2027-02-28',
        mandataire: 'Maître Anne Martin, 5 rue de la Paix 75002 Paris',
      }),
    ]);
    const claims = (await t.as('collector').get(`/v1/insolvency-cases/${list.body.items[0].id}`)).body.claims;
    // G-1, due 10 December: penalties from 11 to 28 December (18 days on 400 € at 12.15 %) = 2.40 €, and the €40.
    expect(claims.beforeJudgment.totals).toEqual({ principal: 40_000, penalties: 240, indemnities: 4_000, total: 44_240 });
    expect((await credit(t, liquidated)).prepaymentOnly).toMatchObject({ since: '2026-12-29' });
    await runCollections();
    const { rows } = await t.container.database.pool.query("SELECT step_key, status FROM collection_actions WHERE customer_id = $1 AND plan_id = 'standard' AND status <> 'cancelled'", [liquidated]);
    expect(rows).toEqual([]);
  });

  it('splits the claims at the judgment date: before it with penalties to the day before and the €40; after it apart', async () => {
    const res = await t.as('collector').get(`/v1/insolvency-cases/${caseId}`);
    expect(res.status).toBe(200);
    const before = res.body.claims.beforeJudgment;
    expect(before.penaltiesUntil).toBe('2026-12-21');
    expect(before.invoices.map((i: { number: string }) => i.number)).toEqual(['F-1', 'F-2']);
    const f1 = before.invoices[0];
    // 2 to 9 December on 1 200 € (8 days), 10 to 21 December on 1 000 € (12 days), at 12.15 %:
    // 120 000 × 0.1215 × 8 / 365 = 319.56 → 320; 100 000 × 0.1215 × 12 / 365 = 399.45 → 399 cents.
    expect(f1.penalty.periods.map((p: { from: string; to: string; days: number; base: number; amount: number }) => [p.from, p.to, p.days, p.base, p.amount])).toEqual([
      ['2026-12-02', '2026-12-09', 8, 120_000, 320],
      ['2026-12-10', '2026-12-21', 12, 100_000, 399],
    ]);
    expect(f1).toMatchObject({ open: 100_000, daysLate: 20, indemnity: { amount: 4_000 } });
    // F-2 was not yet due on the judgment day: principal only.
    expect(before.invoices[1]).toMatchObject({ open: 50_000, daysLate: 0, penalty: { total: 0 }, indemnity: { amount: 0 } });
    expect(before.totals).toEqual({ principal: 150_000, penalties: 719, indemnities: 4_000, total: 154_719 });
    expect(res.body.claims.afterJudgment).toMatchObject({ invoices: [{ number: 'F-3', open: 30_000 }], total: 30_000 });
  });

  it('the déclaration de créance PDF names the parties, the judgment, the deadline and each claim', async () => {
    const c = (await t.as('collector').get(`/v1/insolvency-cases/${caseId}`)).body;
    const pdf = await binary(t.as('collector').get(c.declaration));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    for (const expected of [
      'Déclaration de créance',
      'SELARL MJ Alpes, 3 quai Perrière 38000 Grenoble', // addressed to the mandataire
      'Fournitures Durand SAS', // the creditor
      '12 rue des Lilas', // the registered office, postcode and city
      '69003 Lyon',
      'SAS au capital de 50 000,00 € – RCS Lyon 552 100 554', // the mentions of R123-237 and R123-238
      'Claire Durand, Présidente', // the signatory
      'Danone', // the debtor
      'SIREN 552032534',
      'Redressement judiciaire ouverte par jugement du 22 décembre 2026',
      'Publication au BODACC le 31 décembre 2026, annonce A202612310042',
      'au plus tard le 28 février 2027',
      'arrêtées au 21 décembre 2026',
      'F-1 01/11/2026 01/12/2026 1 200,00 € 1 000,00 € 20 7,19 € 40,00 €',
      'F-2 05/12/2026 04/01/2027 500,00 € 500,00 € 0 0,00 € 0,00 €',
      'Total réclamé : 1 547,19 €',
      'Aucune clause de réserve de propriété',
      'F-3 – émise le 28 décembre 2026', // born after the judgment, listed apart
      'L622-17',
      'certifie sincère et véritable',
    ]) {
      expect(text, expected).toContain(expected);
    }
  });

  it('no reminder goes out any more; the worklist has the declaration task for the escalation contact', async () => {
    const counts = await runCollections();
    expect(counts.actions).toBe(0);
    const { rows } = await t.container.database.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM collection_actions WHERE customer_id = $1 AND plan_id <> 'insolvency' AND status <> 'cancelled'",
      [customerId],
    );
    expect(Number(rows[0]!.n)).toBe(0);
    const list = await t.as('collector').get('/v1/collections/worklist?assignee=Marie%20Directrice');
    expect(list.body.items).toEqual([expect.objectContaining({ type: 'claim_declaration', customer: expect.objectContaining({ id: customerId }), amountAtRisk: 154_719 })]);
  });

  it('reminds 30, 15 and 3 days before the deadline, once each', async () => {
    const deadlineAlerts = async () =>
      (await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=claim_deadline`)).body.items.map((a: { severity: string; data: { reminder: number; daysLeft: number } }) => [a.data.reminder, a.data.daysLeft, a.severity]);
    at('2027-01-28');
    await runCollections();
    expect(await deadlineAlerts()).toEqual([]);
    at('2027-01-29');
    await runCollections();
    await runCollections();
    expect(await deadlineAlerts()).toEqual([[30, 30, 'medium']]);
    at('2027-02-13');
    await runCollections();
    at('2027-02-25');
    await runCollections();
    await runCollections();
    expect((await deadlineAlerts()).sort()).toEqual([
      [15, 15, 'high'],
      [3, 3, 'critical'],
      [30, 30, 'medium'],
    ].sort());
  });

  it('a conversion into liquidation updates the case in progress (same deadline)', async () => {
    sources.state.bodaccByDay.set('2027-02-25', [
      judgmentRecord('A202702250007', 'Jugement de conversion en liquidation judiciaire', '2027-02-20', '2027-02-25', 'Jugement prononçant la conversion en liquidation judiciaire, désignant liquidateur SELARL MJ Alpes.'),
    ]);
    const run = await runJob(t, 'bodacc-delta');
    expect(run.status).toBe('succeeded');
    const list = await t.as('collector').get(`/v1/insolvency-cases?customerId=${customerId}`);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ id: caseId, proceeding: 'liquidation_judiciaire', deadline: '2027-02-28', history: [expect.objectContaining({ announcement: 'A202702250007', proceeding: 'liquidation_judiciaire' })] });
  });

  it('the declaration is drafted again for a creditor abroad (4 months) with retention of title; bad input changes nothing', async () => {
    const bad = await t.as('collector').post(`/v1/insolvency-cases/${caseId}/declaration`, { creditorAbroad: true, retentionOfTitle: ['F-1', 'NOPE'] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('body.retentionOfTitle[1]');
    expect((await t.as('collector').get(`/v1/insolvency-cases/${caseId}`)).body).toMatchObject({ creditorAbroad: false, deadline: '2027-02-28' });
    expect((await t.as('sales').post(`/v1/insolvency-cases/${caseId}/declaration`, { creditorAbroad: true })).status).toBe(403);

    const res = await t.as('collector').post(`/v1/insolvency-cases/${caseId}/declaration`, { creditorAbroad: true, retentionOfTitle: ['F-1'] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ creditorAbroad: true, deadline: '2027-04-30', retentionOfTitle: { invoices: ['F-1'] } });
    const text = await pdfText((await binary(t.as('collector').get(res.body.declaration))).body as Buffer);
    expect(text).toContain('au plus tard le 30 avril 2027');
    expect(text).toContain('4 mois');
    expect(text).toContain('Les marchandises des factures F-1 ont été vendues avec une clause de réserve de propriété');
  });

  it('recording the declaration stops the reminders and closes the task; a future date is refused', async () => {
    const future = await t.as('collector').post(`/v1/insolvency-cases/${caseId}/declared`, { declaredOn: '2027-03-10' });
    expect(future.status).toBe(400);
    expect(future.body.error.details[0].field).toBe('body.declaredOn');
    const res = await t.as('collector').post(`/v1/insolvency-cases/${caseId}/declared`, { declaredOn: '2027-02-25', reference: '1A 234 567 8901 2' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ status: 'declared', declared: { on: '2027-02-25', amount: 154_719, reference: '1A 234 567 8901 2' } });
    expect((await t.as('collector').post(`/v1/insolvency-cases/${caseId}/declared`, { declaredOn: '2027-02-25' })).status).toBe(409);
    const list = await t.as('collector').get('/v1/collections/worklist?assignee=Marie%20Directrice');
    expect(list.body.items).toEqual([]);
    // Prepayment only stays until a credit manager lifts it, with a reason.
    expect((await t.as('collector').post(`/v1/customers/${customerId}/prepayment-only/lift`, { reason: 'x' })).status).toBe(403);
    expect((await t.as('credit_manager').post(`/v1/customers/${customerId}/prepayment-only/lift`, { reason: 'plan de redressement adopted' })).status).toBe(200);
    expect((await credit(t, customerId)).prepaymentOnly).toBeNull();
    const timeline = await t.as('collector').get(`/v1/customers/${customerId}/collections`);
    expect(timeline.body.items.find((i: { type: string }) => i.type === 'insolvency_case')).toMatchObject({ id: caseId, status: 'declared', link: `/v1/insolvency-cases/${caseId}` });
  });
});
