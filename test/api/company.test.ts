import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { startSmtp, type TestSmtp } from '../setup/smtp.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary } from '../setup/collections.js';
import { png } from '../setup/files.js';
import { loadConfig, ConfigError } from '../../src/config.js';

const COMPLETE = {
  legalName: 'Fournitures Durand',
  legalForm: 'SAS',
  shareCapital: { amount: 5_000_000, currency: 'EUR' },
  siren: '552 100 554',
  rcsCity: 'Lyon',
  vatNumber: 'FR 96 552100554',
  registeredOffice: { lines: ['12 rue des Lilas'], postcode: '69003', city: 'Lyon' },
  phone: '+33 4 72 00 00 00',
  email: 'compta@durand.example',
  iban: 'fr76 3000 6000 0112 3456 7890 189',
  bic: 'AGRIFRPP',
  signatory: { name: 'Claire Durand', title: 'Présidente' },
};

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startSmtp();
  // No COMPANY_* variable: the identity starts empty, as on a fresh installation.
  t = await createTestApp({ SMTP_URL: smtp.url }, { now: '2026-07-05T08:00:00Z', schedule: NO_SCHEDULES });
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe("the creditor's identity as data", () => {
  it('starts empty, saying what is missing before anything leaves for a debtor', async () => {
    const res = await t.as('collector').get('/v1/company');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: 1, legalName: null, iban: null, createdBy: 'configuration', missingForDebtors: ['legalName', 'registeredOffice', 'siren', 'iban'] });
  });

  it('refuses a wrong IBAN, a VAT number of another SIREN, a French postcode of 4 digits, naming each field — and writes nothing', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...COMPLETE, iban: 'FR76 3000 6000 0112 3456 7890 188' }, 'body.iban'],
      [{ ...COMPLETE, iban: 'FR76 3000 6000 0112 3456 7890' }, 'body.iban'],
      [{ ...COMPLETE, vatNumber: 'FR12552100554' }, 'body.vatNumber'],
      [{ ...COMPLETE, siren: '552100555' }, 'body.siren'],
      [{ ...COMPLETE, registeredOffice: { lines: ['1 rue X'], postcode: '6900', city: 'Lyon' } }, 'body.registeredOffice.postcode'],
      [{ ...COMPLETE, bic: 'AGRI' }, 'body.bic'],
      [{ ...COMPLETE, shareCapital: { amount: 1.5, currency: 'EUR' } }, 'body.shareCapital.amount'],
      [{ ...COMPLETE, unknown: 1 }, 'body'],
    ];
    for (const [body, field] of cases) {
      const res = await t.as('admin').put('/v1/company', body);
      expect(res.status, field).toBe(400);
      expect(JSON.stringify(res.body.error.details), field).toContain(field);
    }
    expect((await t.as('credit_manager').put('/v1/company', COMPLETE)).status).toBe(403);
    expect((await t.as('collector').get('/v1/company')).body.version).toBe(1);
  });

  it('holds letters and e-mails while incomplete: the run decides, the action waits, one admin alert says why; a statement is refused naming the fields', async () => {
    const { id } = await createCustomer(t);
    await t.as('collector').put(`/v1/customers/${id}/collections-profile`, { contacts: [{ name: 'Compta', email: 'compta@client.example' }] });
    await t.as('credit_manager').post('/v1/invoices', { number: 'H-1', customerId: id, issueDate: '2026-06-01', dueDate: '2026-07-01', amount: 120_000, currency: 'EUR' });

    const first = await t.container.services.collections.dunning.run();
    expect(first.held).toBe(1);
    expect(first.emails).toBe(0);
    t.clock.set('2026-07-06T08:00:00Z');
    await t.container.services.collections.dunning.run();
    const worklist = await t.as('collector').get(`/v1/customers/${id}/collections`);
    const held = worklist.body.items.filter((i: { status: string }) => i.status === 'held');
    expect(held).toHaveLength(1); // decided again each day, never piled up
    expect((await t.as('collector').get(`/v1/collections/emails?customerId=${id}`)).body.items).toHaveLength(0);
    expect(smtp.messages).toHaveLength(0);
    const alerts = (await t.as('admin').get('/v1/alerts?type=company_identity_incomplete')).body.items;
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ customerId: null, severity: 'high', status: 'open' });
    expect(alerts[0].data.missing).toEqual(['legalName', 'registeredOffice', 'siren', 'iban']);

    // H2 2026's late-payment rates are not in the shipped table: the admins are told, once per half-year.
    const rate = (await t.as('admin').get('/v1/alerts?type=late_payment_rate_missing')).body.items;
    expect(rate).toHaveLength(1);
    expect(rate[0]).toMatchObject({ customerId: null, status: 'open', data: { periodStart: '2026-07-01', used: '2026-01-01' } });

    const statement = await t.as('collector').get(`/v1/customers/${id}/statement?format=pdf`);
    expect(statement.status).toBe(409);
    expect(statement.body.error.code).toBe('company_identity_incomplete');
    expect(statement.body.error.details.map((d: { field: string }) => d.field)).toEqual(['legalName', 'registeredOffice', 'siren', 'iban']);

    // Complete: a new version, audited; the next run makes and sends what was held, with the letterhead.
    const done = await t.as('admin').put('/v1/company', { ...COMPLETE, reason: 'our details' });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ version: 2, siren: '552100554', iban: 'FR7630006000011234567890189', vatNumber: 'FR96552100554', missingForDebtors: [] });
    const audit = (await t.as('admin').get('/v1/audit?entityType=company')).body.items;
    expect(audit[0]).toMatchObject({ action: 'company.changed', reason: 'our details' });
    const after = await t.container.services.collections.dunning.run();
    expect(after.held).toBe(0);
    expect(after.emails).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toContain('Fournitures Durand');
    expect(mail.text).toContain('FR76 3000 6000 0112 3456 7890 189');
    expect(mail.text!.replace(/[\u00a0\u202f]/g, ' ')).toContain('SAS au capital de 50 000,00 € – RCS Lyon 552 100 554 – TVA intracommunautaire FR96552100554');
    expect((await t.as('admin').get('/v1/alerts?type=company_identity_incomplete')).body.items[0].status).toBe('resolved');
    const pdf = await binary(t.as('collector').get(`/v1/customers/${id}/statement?format=pdf`));
    expect(pdf.status).toBe(200);
    const text = await pdfText(pdf.body as Buffer);
    for (const expected of ['Fournitures Durand', '12 rue des Lilas', '69003 Lyon', 'SAS au capital de 50 000,00 € – RCS Lyon 552 100 554', '+33 4 72 00 00 00']) expect(text).toContain(expected);
  });

  it('keeps a logo (PNG or JPEG by its bytes, at most 512 KB) and the terms of sale (PDF, 5 MB); the letterhead prints the logo', async () => {
    const logo = png();
    const put = await t.as('admin').put('/v1/company/logo').set('content-type', 'image/png').send(logo);
    expect(put.status).toBe(200);
    expect(put.body.logo).toMatchObject({ contentType: 'image/png', bytes: logo.length });
    const got = await binary(t.as('collector').get('/v1/company/logo'));
    expect(Buffer.compare(got.body as Buffer, logo)).toBe(0);
    // Bytes that are not what they claim, a wrong type, too large: refused, nothing written.
    const version = put.body.version;
    const fake = await t.as('admin').put('/v1/company/logo').set('content-type', 'image/png').send(Buffer.from('<svg onload=alert(1)>'));
    expect(fake.status).toBe(400);
    expect(fake.body.error).toMatchObject({ code: 'unsupported_file' });
    expect((await t.as('admin').put('/v1/company/logo').set('content-type', 'image/gif').send(Buffer.from('GIF89a'))).status).toBe(400);
    const big = Buffer.concat([logo, Buffer.alloc(600 * 1024)]);
    expect((await t.as('admin').put('/v1/company/logo').set('content-type', 'image/png').send(big)).status).toBe(413);
    expect((await t.as('collector').put('/v1/company/logo').set('content-type', 'image/png').send(logo)).status).toBe(403);
    expect((await t.as('collector').get('/v1/company')).body.version).toBe(version);

    const { id } = await createCustomer(t);
    await t.as('credit_manager').post('/v1/invoices', { number: 'L-1', customerId: id, issueDate: '2026-05-01', dueDate: '2026-06-01', amount: 10_000, currency: 'EUR' });
    const pdf = await binary(t.as('collector').get(`/v1/customers/${id}/statement?format=pdf`));
    expect((pdf.body as Buffer).toString('latin1')).toMatch(/\/Subtype \/Image/);

    const terms = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
    const tos = await t.as('admin').put('/v1/company/terms-of-sale').set('content-type', 'application/pdf').send(terms);
    expect(tos.status).toBe(200);
    expect(tos.body.termsOfSale).toMatchObject({ contentType: 'application/pdf', bytes: terms.length });
    expect(tos.body.logo).toMatchObject({ contentType: 'image/png' }); // a file change keeps the other
    // A change of the fields keeps both files.
    const again = await t.as('admin').put('/v1/company', { ...COMPLETE, phone: '+33 4 72 11 11 11' });
    expect(again.body.logo).not.toBeNull();
    expect(again.body.termsOfSale).not.toBeNull();
    expect((await t.as('admin').delete('/v1/company/logo')).body.logo).toBeNull();
    expect((await t.as('admin').delete('/v1/company/logo')).status).toBe(404);
  });

  it('is seeded once from the environment, checked like the API: a wrong IBAN stops the start naming the variable', async () => {
    expect(() => loadConfig({ COMPANY_IBAN: 'FR76 0000' })).toThrow(ConfigError);
    try {
      loadConfig({ COMPANY_IBAN: 'FR76 0000', COMPANY_POSTCODE: '690' });
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(/COMPANY_IBAN: not a valid IBAN/);
      expect((err as ConfigError).problems.join('\n')).toMatch(/COMPANY_ADDRESS, COMPANY_POSTCODE, COMPANY_CITY/);
    }
  });
});
