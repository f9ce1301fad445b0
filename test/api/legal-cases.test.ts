import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { ganymedeRecords, startSourcesServer } from '../setup/sources-server.js';
import { unique } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';
import { startSmtp, type TestSmtp } from '../setup/smtp.js';
import { toBuffer } from '../../src/collections/pdf.js';
import { unzip } from '../setup/zip.js';

/*
 * The injonction de payer, end to end: the standard plan walked to the formal notice, then a case
 * for the invoices whose notice went unanswered — the court of the debtor's registered office from
 * its RCS greffe (BODACC), the décompte, the documents — the litigation bundle streamed as a ZIP,
 * and the steps with the service and opposition deadlines and their alerts.
 */
const DANONE = '552032534';
let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let smtp: TestSmtp;
let t: TestApp;
let customerId: string;
let caseId: string;

const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
const runCollections = () => t.container.services.collections.dunning.run();
const open = (invoices: string[], extra: Record<string, unknown> = {}) => t.as('collector').post(`/v1/customers/${customerId}/legal-cases`, { invoices, ...extra });

beforeAll(async () => {
  sources = await startSourcesServer();
  // The debtor's filing of accounts on BODACC names its RCS greffe: Paris.
  sources.state.extraBodacc.set(DANONE, [{ ...ganymedeRecords()[2]!, id: 'C202507010001', registre: [DANONE], tribunal: 'GREFFE DU TRIBUNAL DE COMMERCE DE PARIS', dateparution: '2025-07-01' }]);
  smtp = await startSmtp();
  t = await createTestApp({ ...sources.env, ...COMPANY_ENV, SMTP_URL: smtp.url }, { now: '2026-01-20T08:00:00Z', schedule: NO_SCHEDULES });
  const created = await t.as('credit_manager').post('/v1/customers', { externalId: unique('LEG'), siren: DANONE, name: 'Danone' });
  customerId = created.body.id;
  await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contacts: [{ name: 'Compta', email: 'compta@danone.example' }], collector: 'Camille' }).expect(200);
  for (const [number, issueDate, dueDate, amount, orderId] of [
    ['F-1', '2026-01-05', '2026-02-04', 100_000, 'PO-77'],
    ['F-2', '2026-01-05', '2026-02-04', 50_000, null],
    ['F-3', '2026-02-20', '2026-03-22', 30_000, null],
  ] as const) {
    await t.as('credit_manager').post('/v1/invoices', { number, customerId, issueDate, dueDate, amount, currency: 'EUR', ...(orderId ? { orderId } : {}) }).expect(200);
  }
  // The company sheet was looked at: the registry and BODACC answers are stored.
  await t.as('sales').get(`/v1/companies/${DANONE}`).expect(200);
  for (let day = '2026-02-01'; day <= '2026-03-10'; day = addDays(day, 1)) {
    at(day);
    if (day === '2026-02-20') {
      await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-0220', customerId, date: day, amount: 20_000, currency: 'EUR', allocations: [{ invoiceNumber: 'F-1', amount: 20_000 }] }).expect(200);
    }
    await runCollections();
  }
  // The partial payment re-anchored F-1 a day later: F-2 reached the formal notice on 6 March (F-1 listed in it); F-1
  // reached its own on 7 March, but the notice of 6 March names it: no second notice.
  const { rows } = await t.container.database.pool.query<{ id: string }>('SELECT id FROM collection_actions WHERE customer_id = $1 AND formal_notice ORDER BY run_on', [customerId]);
  expect(rows).toHaveLength(1);
  await t.as('collector').post(`/v1/collections/actions/${rows[0]!.id}/letter-sent`, { sentOn: '2026-03-06', registeredNumber: '1A 123 456 7890 1' }).expect(200);
  // The copy of F-1 as the debtor received it; F-2 has none. The terms of sale of the company.
  const invoicePdf = await toBuffer((doc) => doc.text('FACTURE F-1 – Fournitures Durand SAS'), { title: 'Facture F-1', author: 'Fournitures Durand SAS' });
  await t.as('collector').put('/v1/invoices/F-1/copy').set('content-type', 'application/pdf').send(invoicePdf).expect(200);
  const terms = await toBuffer((doc) => doc.text('CONDITIONS GÉNÉRALES DE VENTE – pénalités de retard : trois fois le taux d’intérêt légal'), { title: 'CGV', author: 'Fournitures Durand SAS' });
  await t.as('admin').put('/v1/company/terms-of-sale').set('content-type', 'application/pdf').send(terms).expect(200);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await sources?.close();
  await smtp?.close();
});

describe('an injonction de payer', () => {
  it('is refused while the formal notice runs, and for invoices that are unknown, not due or listed twice; nothing is written', async () => {
    const pending = await open(['F-1', 'F-2']);
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('formal_notice_pending');
    expect(pending.body.error.message).toContain('2026-03-14');
    at('2026-03-16');
    for (const [invoices, field, code] of [
      [['F-1', 'NOPE'], 'body.invoices[1]', 'invoice_not_found'],
      [['F-1', 'F-3'], 'body.invoices[1]', 'invoice_not_due'],
      [['F-1', 'F-1'], 'body.invoices[1]', 'invalid_input'],
    ] as const) {
      const res = await open([...invoices]);
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error).toMatchObject({ code, details: [expect.objectContaining({ field })] });
    }
    expect((await t.as('sales').post(`/v1/customers/${customerId}/legal-cases`, { invoices: ['F-1'] })).status).toBe(403);
    expect((await t.as('collector').get(`/v1/legal-cases?customerId=${customerId}`)).body.items).toEqual([]);
  });

  it('opens with the court of the registered office and the décompte: principal, penalties, €40 indemnities, payments, fees', async () => {
    // Two people opening it at once: one case; the other is told which invoice is already claimed.
    const request = () => open(['F-1', 'F-2'], { fees: [{ label: 'Frais de greffe', amount: 3_547 }] });
    const both = await Promise.all([request(), request()]);
    const res = both.find((r) => r.status === 201) ?? both[0]!;
    expect(both.map((r) => r.status).sort(), JSON.stringify(both.map((r) => r.body))).toEqual([201, 409]);
    const refused = both.find((r) => r.status === 409)!;
    expect(refused.body.error.code).toBe('invoice_in_legal_case');
    expect(refused.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.invoices[0]', 'body.invoices[1]']);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    caseId = res.body.id;
    expect(res.body).toMatchObject({ status: 'prepared', tribunal: { name: 'Tribunal de commerce de Paris', source: 'BODACC (GREFFE DU TRIBUNAL DE COMMERCE DE PARIS)' } });
    // F-1: 15 days on 1 000 € (499) then 25 on 800 € (666); F-2: 40 days on 500 € (666); at 12.15 %.
    expect(res.body.claim.invoices.map((i: { number: string; open: number; daysLate: number; penalty: number; indemnity: number }) => [i.number, i.open, i.daysLate, i.penalty, i.indemnity])).toEqual([
      ['F-1', 80_000, 40, 1_165, 4_000],
      ['F-2', 50_000, 40, 666, 4_000],
    ]);
    expect(res.body.claim.totals).toEqual({ principal: 130_000, penalties: 1_831, indemnities: 8_000, fees: 3_547, total: 143_378 });
    expect(res.body.claim.payments).toEqual([{ kind: 'payment', reference: 'VIR-0220', date: '2026-02-20', amount: 20_000 }]);
  });

  it('the dossier PDF names the court, the parties, the décompte and each supporting document', async () => {
    const c = (await t.as('collector').get(`/v1/legal-cases/${caseId}`)).body;
    const pdf = await binary(t.as('collector').get(c.dossier));
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(pdf.body as Buffer);
    for (const expected of [
      'Requête en injonction de payer – DANONE',
      'Cerfa n° 12946',
      'Monsieur le Président Tribunal de commerce de Paris',
      'Tribunal de commerce de Paris, dans le ressort duquel le débiteur a son siège social (59-61 RUE LA FAYETTE 75009 PARIS)',
      'Fournitures Durand SAS', // the creditor
      'Forme juridique : société anonyme',
      'SIREN 552032534',
      'Décompte de la créance arrêté au 16 mars 2026',
      'F-1 05/01/2026 04/02/2026 1 000,00 € 800,00 € 40 11,65 € 40,00 €',
      'F-2 05/01/2026 04/02/2026 500,00 € 500,00 € 40 6,66 € 40,00 €',
      'Total réclamé : 1 398,31 €',
      'paiement VIR-0220 : 200,00 €',
      'Frais de greffe : 35,47 €',
      'Montant de la demande : 1 433,78 €',
      'Représenté par Claire Durand, Présidente', // the parties' legal representatives
      'Représentant légal : ANTOINE BERNARD DE SAINT AFFRIQUE, Directeur Général (registre du commerce et des sociétés)',
      // The numbered supporting documents, each of them in the bundle (below): only what reached the debtor.
      '1. Facture F-1 du 5 janvier 2026, échue le 4 février 2026 (bon de commande PO-77)',
      '2. Facture F-2 du 5 janvier 2026, échue le 4 février 2026',
      '3. Relance (e-mail) envoyée le 1 février 2026',
      '4. Relance (e-mail) envoyée le 8 février 2026',
      '5. Relance (e-mail) envoyée le 15 février 2026',
      '6. Mise en demeure du 6 mars 2026, envoyée le 6 mars 2026 en recommandé n° 1A 123 456 7890 1, délai expiré le 14 mars 2026 sans paiement',
      '7. Historique des relances, courriers et appels (tableau)',
      '8. Relevé de compte (décompte) au 16 mars 2026',
      '9. Conditions générales de vente (taux des pénalités, indemnité forfaitaire)',
      'article 1411',
      'article 1416',
      "article 1406 : la requête est portée devant la juridiction du lieu où demeure le débiteur",
      "le débiteur peut former opposition dans le mois qui suit la signification",
    ]) {
      expect(text, expected).toContain(expected);
    }
    // The penalty letters of 24 and 25 February were never recorded as sent: not cited.
    expect(text).not.toMatch(/10\. |Relance \(courrier\)/);
    // A French court document: no English sentence of the data's sources, no ISO date.
    expect(text).not.toMatch(/the court of|within one month|is void|the debtor may/);
    expect(text).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
  });

  it('the litigation bundle is a ZIP streamed in chunks: the dossier, then every document its list cites, under its number', async () => {
    const res = await binary(t.as('collector').get(`/v1/legal-cases/${caseId}/bundle`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
    const files = await unzip(res.body as Buffer);
    expect([...files.keys()]).toEqual([
      '00-requete-en-injonction-de-payer.pdf',
      'piece-01-facture-F-1.pdf',
      'piece-02-releve-de-la-facture-F-2.pdf',
      'piece-03-2026-02-01-e-mail.eml',
      'piece-04-2026-02-08-e-mail.eml',
      'piece-05-2026-02-15-e-mail.eml',
      'piece-06-2026-03-06-mise-en-demeure.pdf',
      'piece-07-historique-des-relances.csv',
      'piece-08-releve-de-compte-2026-03-16.pdf',
      'piece-09-conditions-generales-de-vente.pdf',
    ]);
    // The list printed in the dossier and the files: one file per number, no more, no fewer.
    const dossier = await pdfText(files.get('00-requete-en-injonction-de-payer.pdf')!);
    const listed = [...dossier.slice(dossier.indexOf('Bordereau des pièces justificatives')).matchAll(/(?:^| )(\d{1,2})\. (?=[A-Z])/g)].map((m) => Number(m[1]));
    expect(listed).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(dossier).toContain('Montant de la demande : 1 433,78 €');
    expect(await pdfText(files.get('piece-01-facture-F-1.pdf')!)).toContain('FACTURE F-1'); // the copy attached, as it is
    const extract = await pdfText(files.get('piece-02-releve-de-la-facture-F-2.pdf')!);
    for (const e of ['Relevé de la facture F-2 – extrait de la comptabilité du créancier', 'La copie de la facture n’est pas jointe', 'Montant : 500,00 €', 'Aucun', 'Reste dû 500,00 €']) expect(extract).toContain(e);
    const eml = files.get('piece-03-2026-02-01-e-mail.eml')!.toString('utf8');
    expect(eml).toContain('To: compta@danone.example');
    expect(eml).toMatch(/Subject: /);
    expect(await pdfText(files.get('piece-06-2026-03-06-mise-en-demeure.pdf')!)).toContain('Mise en demeure');
    expect(await pdfText(files.get('piece-09-conditions-generales-de-vente.pdf')!)).toContain('CONDITIONS GÉNÉRALES DE VENTE');
    const csv = files.get('piece-07-historique-des-relances.csv')!.toString('utf8');
    expect(csv.split('\n')[0]).toBe('date;kind;step;subject;status;formal_notice;deadline;sent_on;registered_number;invoices');
    expect(csv).toMatch(/2026-03-06;letter;formal_notice;[^\n]*;sent;yes;2026-03-14;2026-03-06;1A 123 456 7890 1;F-1 F-2/);
    // Only what reached the debtor: no letter left to send, no call not made.
    expect(csv).not.toMatch(/;(to_send|open|not_sent|failed|queued);/);
    expect((await t.as('sales').get(`/v1/legal-cases/${caseId}/bundle`)).status).toBe(403);
  });

  it('tracks the steps: served within 6 months of the order (alerts at 30 and 7 days, void after), enforceable after the opposition month', async () => {
    const step = (body: Record<string, unknown>) => t.as('collector').post(`/v1/legal-cases/${caseId}/steps`, body);
    expect((await step({ step: 'served', on: '2026-03-16' })).status).toBe(409);
    expect((await step({ step: 'filed', on: '2026-03-17' })).body.error.details[0].field).toBe('body.on');
    expect((await step({ step: 'filed', on: '2026-03-16' })).status).toBe(200);
    at('2026-03-20');
    const issued = await step({ step: 'order_issued', on: '2026-03-20', reference: 'IP 2026/123' });
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    // Six months from 20 March is Sunday 20 September: CPC 642 carries it to Monday 21 September.
    expect(issued.body).toMatchObject({ status: 'order_issued', orderReference: 'IP 2026/123', deadlines: { service: '2026-09-21', opposition: null } });

    const deadlineAlerts = async () =>
      (await t.as('credit_manager').get(`/v1/alerts?customerId=${customerId}&type=legal_case_deadline`)).body.items.map((a: { data: { reminder: number | string } }) => a.data.reminder).sort();
    at('2026-08-21');
    await runCollections();
    expect(await deadlineAlerts()).toEqual([]);
    at('2026-08-22');
    await runCollections();
    expect(await deadlineAlerts()).toEqual([30]);
    at('2026-09-14');
    await runCollections();
    await runCollections();
    expect(await deadlineAlerts()).toEqual([30, 7]);
    at('2026-09-25');
    const late = await step({ step: 'served', on: '2026-09-22' });
    expect(late.status).toBe(400);
    expect(late.body.error.code).toBe('order_void');
    const served = await step({ step: 'served', on: '2026-09-19', reference: 'acte SCP Huissiers' });
    expect(served.status, JSON.stringify(served.body)).toBe(200);
    expect(served.body.deadlines).toEqual({ service: '2026-09-21', opposition: '2026-10-19' });
    at('2026-10-19');
    await runCollections();
    expect((await t.as('collector').get(`/v1/legal-cases/${caseId}`)).body.status).toBe('served');
    at('2026-10-20');
    await runCollections();
    const after = (await t.as('collector').get(`/v1/legal-cases/${caseId}`)).body;
    expect(after.status).toBe('enforceable');
    expect(await deadlineAlerts()).toEqual([30, 7, 'enforceable']);
    expect((await step({ step: 'paid', on: '2026-10-20', note: 'paid to the commissaire de justice' })).body.status).toBe('paid');
    expect(after.steps.map((s: { step: string }) => s.step)).toEqual(['prepared', 'filed', 'order_issued', 'served', 'enforceable']);
  });

  it('CPC 642: an opposition month ending on a Saturday runs to the Monday; the order is enforceable from the Tuesday', async () => {
    const other = await t.as('credit_manager').post('/v1/customers', { externalId: unique('LEG2'), siren: DANONE, name: 'Danone bis' });
    expect(other.status).toBe(201);
    // A case walked straight to its service: served Wednesday 20 May 2026, one month → Saturday 20 June.
    const { rows } = await t.container.database.pool.query<{ id: string }>(
      `INSERT INTO legal_cases (customer_id, kind, invoice_ids, tribunal, tribunal_source, status, claim, fees, steps, document_id, created_by, order_issued_on, service_deadline, created_at, updated_at)
       SELECT $1, kind, '{}', tribunal, tribunal_source, 'order_issued', claim, fees, '[{"step":"prepared","on":"2026-05-01"},{"step":"order_issued","on":"2026-05-04"}]'::jsonb,
              document_id, created_by, '2026-05-04', '2026-11-04', now(), now()
         FROM legal_cases WHERE id = $2 RETURNING id`,
      [other.body.id, caseId],
    );
    const id = rows[0]!.id;
    at('2026-05-20');
    const served = await t.as('collector').post(`/v1/legal-cases/${id}/steps`, { step: 'served', on: '2026-05-20' });
    expect(served.status, JSON.stringify(served.body)).toBe(200);
    expect(served.body.deadlines.opposition).toBe('2026-06-22');
    for (const [day, status] of [['2026-06-21', 'served'], ['2026-06-22', 'served'], ['2026-06-23', 'enforceable']] as const) {
      at(day);
      await runCollections();
      expect((await t.as('collector').get(`/v1/legal-cases/${id}`)).body.status, day).toBe(status);
    }
  });

  it('is refused until the formal notice is recorded as sent, its deadline then runs from the sending; two people marking it sent at once: one does', async () => {
    const other = (await t.as('credit_manager').post('/v1/customers', { externalId: unique('LEG3'), siren: DANONE, name: 'Danone ter' })).body.id as string;
    const number = unique('G');
    await t.as('credit_manager').post('/v1/invoices', { number, customerId: other, issueDate: '2026-01-05', dueDate: '2026-02-04', amount: 100_000, currency: 'EUR' }).expect(200);
    // A formal notice drafted on 1 April 2026 with its 8-day deadline (as the plan writes it), waiting to be sent.
    const { rows } = await t.container.database.pool.query<{ id: string }>(
      `INSERT INTO collection_actions (customer_id, run_on, kind, step_key, step_index, plan_id, plan_version, template, subject, body, formal_notice, idempotency_key,
                                       invoices, total, currency, status, due_on, deadline_on, created_at, updated_at)
       SELECT $1, '2026-04-01', kind, step_key, step_index, plan_id, plan_version, template, subject, body, true, $2,
              jsonb_build_array(jsonb_build_object('number', $3::text)), 100000, currency, 'to_send', '2026-04-01', '2026-04-09', now(), now()
         FROM collection_actions WHERE customer_id = $4 AND formal_notice ORDER BY run_on LIMIT 1 RETURNING id`,
      [other, unique('notice'), number, customerId],
    );
    const notice = rows[0]!.id;
    const openOther = () => t.as('collector').post(`/v1/customers/${other}/legal-cases`, { invoices: [number], tribunal: 'Tribunal de commerce de Paris' });

    at('2026-04-20');
    const unsent = await openOther();
    expect(unsent.status, JSON.stringify(unsent.body)).toBe(409);
    expect(unsent.body.error).toMatchObject({ code: 'formal_notice_not_sent', details: [{ field: 'body.invoices[0]' }] });
    expect(unsent.body.error.message).toContain('2026-04-01');

    // Sent on 5 May (before the letter's date: refused); two people record it at once: one does.
    const send = (sentOn: string) => t.as('collector').post(`/v1/collections/actions/${notice}/letter-sent`, { sentOn, registeredNumber: '1A 999 000 1111 2' });
    expect((await send('2026-03-31')).body.error.details[0].field).toBe('body.sentOn');
    at('2026-05-05');
    const both = await Promise.all([send('2026-05-05'), send('2026-05-05')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    // The 8 days run from 5 May: until 13 May, not from the letter's 1 April date.
    const action = (await t.as('collector').get(`/v1/collections/actions/${notice}`)).body;
    expect(action).toMatchObject({ status: 'sent', sentOn: '2026-05-05' });
    at('2026-05-10');
    const early = await openOther();
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('formal_notice_pending');
    expect(early.body.error.message).toContain('2026-05-13');
    at('2026-05-13');
    expect((await openOther()).body.error.code).toBe('formal_notice_pending');
    at('2026-05-14');
    const opened = await openOther();
    expect(opened.status, JSON.stringify(opened.body).slice(0, 300)).toBe(201);
  });
});
