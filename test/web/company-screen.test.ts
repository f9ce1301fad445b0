import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { axe, HAS_CHROMIUM, launchChromium, NO_CHROMIUM_NOTE, serveForBrowser, signIn } from '../setup/browser.js';
import { png } from '../setup/files.js';

/*
 * Settings › Company in Chromium: an admin sees what holds the debtor documents, fills the
 * identity (a wrong IBAN is refused in words, the typed values kept), sends a logo and the terms of
 * sale as files; the page works at a phone's width; other roles are refused.
 */
const PASSWORD = 'correct horse battery staple';
let t: TestApp;
let close: (() => Promise<void>) | undefined;
let base: string;
let browser: Browser;
let customerId: string;
const consoleErrors: string[] = [];
const files = mkdtempSync(path.join(tmpdir(), 'vigie-company-'));

beforeAll(async () => {
  t = await createTestApp({}, { now: '2026-12-08T09:00:00Z' });
  ({ base, close } = await serveForBrowser(t));
  await t.as('admin').post('/v1/users', { email: 'ada@client.example', name: 'Ada', role: 'admin', password: PASSWORD }).expect(201);
  await t.as('admin').post('/v1/users', { email: 'lea@client.example', name: 'Léa', role: 'credit_manager', password: PASSWORD }).expect(201);
  writeFileSync(path.join(files, 'logo.png'), png());
  writeFileSync(path.join(files, 'not-a-logo.png'), '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>');
  writeFileSync(path.join(files, 'cgv.pdf'), '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe.skipIf(!HAS_CHROMIUM)(`Settings › Company in Chromium${NO_CHROMIUM_NOTE}`, () => {
  it('while the identity is incomplete, the reminder waits and the customer sheet says why', async () => {
    const c = await t.as('credit_manager').post('/v1/customers', { externalId: 'WEB-HELD', siren: '552100554', name: 'Client Retenu' }).expect(201);
    customerId = c.body.id;
    await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contacts: [{ name: 'AP', email: 'ap@held.example' }] }).expect(200);
    await t.as('credit_manager').post('/v1/invoices', { number: 'WEB-H1', customerId, issueDate: '2026-11-01', dueDate: '2026-12-01', amount: 120_000, currency: 'EUR' }).expect(200);
    await t.container.services.collections.dunning.run();
    const page = await signIn(browser, base, 'ada@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/customers/${customerId}`);
    await expect.poll(() => page.getByRole('cell', { name: 'retenu : identité de la société à compléter' }).count()).toBe(1);
    // The statement goes to the customer: not before the identity is complete, and the page says what to complete.
    const refused = await page.request.get(`${base}${await page.getByRole('link', { name: 'Relevé de compte (PDF)' }).getAttribute('href')}`);
    expect(refused.status()).toBe(409);
    expect(await refused.text()).toContain('l’identité de la société doit d’abord être complète (la raison sociale, le siège social, le SIREN, l’IBAN), dans Réglages › Société');
    await page.goto(`${base}/alerts`);
    await expect.poll(() => page.getByText('identité de la société incomplète').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('an admin completes the identity, a logo and the terms of sale; what was missing is said until then', async () => {
    const page = await signIn(browser, base, 'ada@client.example', PASSWORD, consoleErrors);
    await page.getByRole('link', { name: 'Réglages' }).click();
    await page.getByRole('link', { name: /^Société/ }).click();
    await expect.poll(() => page.getByTestId('company-missing').textContent()).toContain('la raison sociale, le siège social, le SIREN, l’IBAN');
    await axe(page, 'company-01-empty');

    await page.getByLabel('Raison sociale').fill('Fournitures Durand');
    await page.getByLabel('Forme juridique').fill('SAS');
    await page.getByLabel('Capital social (€)').fill('50 000,00');
    await page.getByLabel('SIREN').fill('552 100 554');
    await page.getByLabel('Ville du RCS').fill('Lyon');
    await page.getByLabel('N° de TVA intracommunautaire').fill('FR96552100554');
    await page.getByLabel('Adresse (une ligne par ligne)').fill('12 rue des Lilas\nBâtiment B');
    await page.getByLabel('Code postal').fill('69003');
    await page.getByLabel('Ville', { exact: true }).fill('Lyon');
    await page.getByLabel('IBAN').fill('FR76 3000 6000 0112 3456 7890 188');
    await page.getByLabel('BIC').fill('AGRIFRPP');
    await page.getByLabel('Nom', { exact: true }).fill('Claire Durand');
    await page.getByLabel('Qualité').fill('Présidente');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Non enregistré : IBAN — numéro invalide (pays, longueur et clé de contrôle vérifiés).');
    expect(await page.getByLabel('Raison sociale').inputValue()).toBe('Fournitures Durand'); // what was typed is kept
    expect((await t.as('admin').get('/v1/company')).body.version).toBe(1);

    await page.getByLabel('IBAN').fill('FR76 3000 6000 0112 3456 7890 189');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Enregistré (version 2) : les courriers et e-mails aux débiteurs partent avec cet en-tête.');
    await expect.poll(() => page.getByTestId('company-ready').isVisible()).toBe(true);
    expect(await page.getByLabel('IBAN').inputValue()).toBe('FR76 3000 6000 0112 3456 7890 189');
    const stored = (await t.as('admin').get('/v1/company')).body;
    expect(stored).toMatchObject({ siren: '552100554', shareCapital: { amount: 5_000_000 }, registeredOffice: { lines: ['12 rue des Lilas', 'Bâtiment B'], postcode: '69003', city: 'Lyon' }, signatory: { name: 'Claire Durand', title: 'Présidente' }, createdBy: 'ada@client.example' });

    // Files: a PNG that is not one is refused; a real one is shown; the terms of sale can be read again.
    await page.getByLabel('Image PNG ou JPEG, 512 Ko au plus').setInputFiles(path.join(files, 'not-a-logo.png'));
    await page.getByRole('button', { name: 'Envoyer le logo' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Logo refusé : une image PNG ou JPEG de 512 Ko au plus.');
    await page.getByLabel('Image PNG ou JPEG, 512 Ko au plus').setInputFiles(path.join(files, 'logo.png'));
    await page.getByRole('button', { name: 'Envoyer le logo' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Logo enregistré.');
    await expect.poll(() => page.getByAltText('Logo de la société').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(2);
    await page.getByLabel('PDF, 5 Mo au plus').setInputFiles(path.join(files, 'cgv.pdf'));
    await page.getByRole('button', { name: 'Envoyer les conditions générales' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Conditions générales de vente enregistrées.');
    const terms = await page.request.get(`${base}${await page.getByRole('link', { name: 'Lire les conditions générales de vente' }).getAttribute('href')}`);
    expect(terms.headers()['content-type']).toBe('application/pdf');
    expect((await terms.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await axe(page, 'company-02-complete');
    const audit = (await t.as('admin').get('/v1/audit?entityType=company')).body.items;
    expect(audit.map((a: { reason: string }) => a.reason).slice(0, 3)).toEqual(['terms of sale changed', 'logo changed', 'company identity changed']);
    await page.context().close();
  });

  it("a customer's invoices page takes the copy of an invoice (a PDF), shows it again, refuses anything else", async () => {
    const page = await signIn(browser, base, 'ada@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/customers/${customerId}`);
    await page.getByRole('link', { name: 'Factures et leurs copies' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Factures de Client Retenu');
    await axe(page, 'invoices-01');
    await page.getByLabel('Copie de la facture WEB-H1').setInputFiles(path.join(files, 'logo.png'));
    await page.getByRole('button', { name: 'Joindre' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('Copie refusée : un PDF de 5 Mo au plus.');
    await page.getByLabel('Copie de la facture WEB-H1').setInputFiles(path.join(files, 'cgv.pdf'));
    await page.getByRole('button', { name: 'Joindre' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Copie de la facture WEB-H1 enregistrée.');
    const copy = await page.request.get(`${base}${await page.getByRole('link', { name: 'Voir la copie' }).getAttribute('href')}`);
    expect(copy.headers()['content-type']).toBe('application/pdf');
    expect((await t.as('collector').get('/v1/invoices/WEB-H1/copy')).status).toBe(200);
    await expect.poll(() => page.getByRole('button', { name: 'Remplacer' }).count()).toBe(1);
    await page.goto(`${base}/customers/${customerId}`);
    const statement = await page.request.get(`${base}${await page.getByRole('link', { name: 'Relevé de compte (PDF)' }).getAttribute('href')}`);
    expect(statement.status()).toBe(200);
    expect(statement.headers()['content-type']).toBe('application/pdf');
    await page.context().close();
  });

  it("a limit is typed in the customer's currency: 250 000 for a customer in yen is ¥250,000 (no cents)", async () => {
    const c = await t.as('credit_manager').post('/v1/customers', { externalId: 'WEB-JPY', siren: '552032534', name: 'Client Yen', currency: 'JPY' }).expect(201);
    const page = await signIn(browser, base, 'ada@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/customers/${c.body.id}`);
    const form = page.locator('form[action$="/limit"]');
    await form.getByLabel('Nouvelle limite (JPY)').fill('250 000');
    await form.getByLabel('Motif').fill('test');
    await form.getByRole('button', { name: 'Enregistrer la limite' }).click();
    await expect.poll(async () => (await t.as('credit_manager').get(`/v1/customers/${c.body.id}`)).body.credit.creditLimit?.amount).toBe(250_000);
    await expect.poll(() => page.getByTestId('limit').textContent()).toMatch(/250\s?000/);
    await page.locator('form[action$="/limit"]').getByLabel('Nouvelle limite (JPY)').fill('1,5');
    await page.locator('form[action$="/limit"]').getByLabel('Motif').fill('test');
    await page.locator('form[action$="/limit"]').getByRole('button', { name: 'Enregistrer la limite' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(1); // a yen has no decimals
    await page.context().close();
  });

  it('fits a phone (390 px: no sideways scrolling); a credit manager is refused the page', async () => {
    const phone = await signIn(browser, base, 'ada@client.example', PASSWORD, consoleErrors, { viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/settings/company`);
    expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await axe(phone, 'company-03-phone');
    await phone.goto(`${base}/customers/${customerId}/invoices`);
    expect(await phone.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await axe(phone, 'invoices-02-phone');
    await phone.context().close();
    const lea = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    const res = await lea.goto(`${base}/settings/company`);
    expect(res!.status()).toBe(403);
    expect(await lea.getByRole('heading', { level: 1 }).textContent()).toBe('Accès refusé');
    await lea.context().close();
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
