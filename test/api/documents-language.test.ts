import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { startSmtp, type TestSmtp } from '../setup/smtp.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';
import { unzip } from '../setup/zip.js';

/*
 * What a debtor or a court receives, in the debtor's language only (issue 21): every document Vigie
 * generates — the e-mails of the plan, the penalty letter, the formal notice, the account
 * statement, the payment-plan agreement, and (French, for a French court) the injonction dossier
 * with a statement of an invoice — for a French customer and an English one, extracted as text
 * (pdf.js; the e-mails as received by a real SMTP server) and read for what must never be there:
 * an API path, a code, an amount in minor units, an ISO date, the other language's sentences.
 */
let t: TestApp;
let smtp: TestSmtp;
const docs: Array<{ name: string; lang: 'fr' | 'en'; text: string }> = [];
const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);

async function customerIn(lang: 'fr' | 'en') {
  const { id } = await createCustomer(t);
  const address = lang === 'fr' ? { lines: ['8 place Bellecour'], postalCode: '69002', city: 'Lyon' } : { lines: ['1 Market Street'], postalCode: 'EC1A 1BB', city: 'London', country: 'GB' };
  await t.as('collector').put(`/v1/customers/${id}/collections-profile`, { language: lang, contacts: [{ name: 'AP', email: `ap-${lang}@client.example` }], postalAddress: address }).expect(200);
  for (const [n, amount] of [['1', 100_000], ['2', 50_000]] as const) {
    await t.as('credit_manager').post('/v1/invoices', { number: `${lang.toUpperCase()}-${n}`, customerId: id, issueDate: '2026-01-05', dueDate: '2026-02-04', amount, currency: 'EUR' }).expect(200);
  }
  await t.as('credit_manager').post('/v1/invoices', { number: `${lang.toUpperCase()}-3`, customerId: id, issueDate: '2026-03-01', dueDate: '2026-04-30', amount: 30_000, currency: 'EUR' }).expect(200);
  return id;
}

beforeAll(async () => {
  smtp = await startSmtp();
  t = await createTestApp({ ...COMPANY_ENV, SMTP_URL: smtp.url }, { now: '2026-01-20T08:00:00Z', schedule: NO_SCHEDULES });
  const ids = { fr: await customerIn('fr'), en: await customerIn('en') };
  for (let day = '2026-02-01'; day <= '2026-03-16'; day = addDays(day, 1)) {
    at(day);
    await t.container.services.collections.dunning.run();
    // Letters posted and calls made the day they come up, as a collector would.
    const { rows } = await t.container.database.pool.query<{ id: string; kind: string }>(
      "SELECT id, kind FROM collection_actions WHERE run_on = $1 AND kind IN ('letter', 'call') AND status IN ('to_send', 'open')",
      [day],
    );
    for (const a of rows) {
      if (a.kind === 'call') await t.as('collector').post(`/v1/collections/actions/${a.id}/call-outcome`, { outcome: 'no_answer' }).expect(200);
      else await t.as('collector').post(`/v1/collections/actions/${a.id}/letter-sent`, { sentOn: day, registeredNumber: '1A 222 333 4444 5' }).expect(200);
    }
  }
  for (const lang of ['fr', 'en'] as const) {
    const id = ids[lang];
    const { rows: letters } = await t.container.database.pool.query<{ step_key: string; document_id: string }>(
      "SELECT step_key, document_id FROM collection_actions WHERE customer_id = $1 AND kind = 'letter' ORDER BY run_on",
      [id],
    );
    expect(letters.map((l) => l.step_key)).toEqual(['penalty_letter', 'formal_notice']);
    for (const l of letters) docs.push({ name: `${lang} ${l.step_key}`, lang, text: await pdfText((await binary(t.as('collector').get(`/v1/collections/documents/${l.document_id}`))).body as Buffer) });
    docs.push({ name: `${lang} statement`, lang, text: await pdfText((await binary(t.as('collector').get(`/v1/customers/${id}/statement?format=pdf`))).body as Buffer) });
    const plan = await t.as('collector').post(`/v1/customers/${id}/payment-plans`, { invoiceNumbers: [`${lang.toUpperCase()}-3`], installments: [{ dueOn: '2026-04-15', amount: 15_000 }, { dueOn: '2026-05-15', amount: 15_000 }] });
    expect(plan.status, JSON.stringify(plan.body)).toBe(201);
    docs.push({ name: `${lang} payment-plan agreement`, lang, text: await pdfText((await binary(t.as('collector').get(plan.body.agreement))).body as Buffer) });
    for (const m of smtp.messages.filter((x) => x.to && JSON.stringify(x.to).includes(`ap-${lang}@`))) docs.push({ name: `${lang} e-mail «${m.subject}»`, lang, text: `${m.subject}\n${m.text}` });
  }
  // The injonction de payer, to a French court: the dossier and the statement of an invoice without its copy.
  const legal = await t.as('collector').post(`/v1/customers/${ids.fr}/legal-cases`, { invoices: ['FR-1', 'FR-2'], tribunal: 'Tribunal de commerce de Lyon' });
  expect(legal.status, JSON.stringify(legal.body)).toBe(201);
  const files = await unzip((await binary(t.as('collector').get(`/v1/legal-cases/${legal.body.id}/bundle`))).body as Buffer);
  for (const [name, content] of files) if (name.endsWith('.pdf')) docs.push({ name: `fr bundle ${name}`, lang: 'fr', text: await pdfText(content) });
}, 240_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

/** Words of the other language that no sentence of a document may carry (proper names and the French legal terms an English letter cites aside). */
const ENGLISH = /\b(the|and|of|invoice|invoices|payment|penalties|outstanding|dear|regards|please|amount|due on|days late)\b/i;
const FRENCH = /\b(facture|factures|échéance|échue|pénalités|relance|madame|monsieur|nous|vous|règlement|retard|montant|cordialement)\b/i;
/** French terms an English document cites on purpose (the law it applies), and proper names. */
const CITED_FRENCH = /mise en demeure|injonction de payer|tribunal de commerce|Code de commerce|Fournitures Durand SAS|Boulangerie|rue des Lilas|Lyon/g;

describe("every document a debtor or a court receives, in the debtor's language only", () => {
  it('covers the letters, the e-mails, the statement, the agreement and the court documents in both languages', () => {
    const names = docs.map((d) => d.name);
    for (const lang of ['fr', 'en']) {
      for (const kind of ['penalty_letter', 'formal_notice', 'statement', 'payment-plan agreement', 'e-mail']) expect(names.some((n) => n.startsWith(`${lang} ${kind}`)), `${lang} ${kind}`).toBe(true);
    }
    expect(names.filter((n) => n.startsWith('fr bundle')).length).toBeGreaterThanOrEqual(4);
    expect(names.some((n) => n.includes('releve-de-la-facture'))).toBe(true);
  });

  it('no API path, code, amount in minor units or ISO date in any of them', () => {
    for (const d of docs) {
      expect(d.text, d.name).not.toMatch(/\/v1\/|https?:\/\//);
      expect(d.text, d.name).not.toMatch(/\b[a-z]+_[a-z_]+\b/); // formal_notice, penalty_letter, not_sent…
      expect(d.text, d.name).not.toMatch(/\b(100000|50000|150000|30000|15000)\b/); // 1 000,00 € written as minor units
      expect(d.text, d.name).not.toMatch(/\b20\d\d-\d\d-\d\d\b/);
      expect(d.text, d.name).not.toMatch(/undefined|null|NaN|\[object/);
    }
  });

  it('a French document has no English sentence; an English one no French sentence beyond the legal terms it cites', () => {
    for (const d of docs) {
      if (d.lang === 'fr') expect(d.text.match(ENGLISH)?.[0], d.name).toBeUndefined();
      else expect(d.text.replace(CITED_FRENCH, '').match(FRENCH)?.[0], d.name).toBeUndefined();
    }
  });

  it('amounts and dates in the document’s own form', () => {
    const fr = docs.find((d) => d.name === 'fr formal_notice')!.text;
    expect(fr).toMatch(/1 000,00 €/);
    expect(fr).toMatch(/\d{1,2} (janvier|février|mars) 2026/);
    const en = docs.find((d) => d.name === 'en formal_notice')!.text;
    expect(en).toMatch(/€1,000\.00/);
    expect(en).toContain('Subject: '); // English punctuation: no space before the colon
    expect(en).toMatch(/(January|February|March) \d{1,2}, 2026|\d{1,2} (January|February|March) 2026/);
  });
});
