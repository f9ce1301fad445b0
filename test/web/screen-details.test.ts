import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { axe, HAS_CHROMIUM, launchChromium, NO_CHROMIUM_NOTE, serveForBrowser, signIn } from '../setup/browser.js';

/*
 * Details a credit manager relies on (issue 22): the limit form starts from the limit in force (a
 * save that changes only the amount keeps the review date), the usage bar turns amber from 80 % and
 * red past the limit or on a zero limit, an alert acknowledged keeps the list's filters, and a SIREN
 * whose check digit fails is said in French.
 */
const PASSWORD = 'correct horse battery staple';
let t: TestApp;
let close: (() => Promise<void>) | undefined;
let base: string;
let browser: Browser;
const consoleErrors: string[] = [];
let near: string;
let zero: string;

beforeAll(async () => {
  t = await createTestApp({}, { now: '2026-12-08T09:00:00Z' });
  ({ base, close } = await serveForBrowser(t));
  await t.as('admin').post('/v1/users', { email: 'lea@client.example', name: 'Léa', role: 'credit_manager', password: PASSWORD }).expect(201);
  near = (await t.as('credit_manager').post('/v1/customers', { externalId: 'DET-NEAR', siren: '552100554', name: 'Client Presque' }).expect(201)).body.id;
  await t.as('credit_manager').put(`/v1/customers/${near}/credit-limit`, { amount: 1_000_000, currency: 'EUR', reason: 'ouverture', reviewDate: '2027-03-31' }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: 'DET-1', customerId: near, issueDate: '2026-12-01', dueDate: '2026-12-31', amount: 900_000, currency: 'EUR' }).expect(200);
  zero = (await t.as('credit_manager').post('/v1/customers', { externalId: 'DET-ZERO', siren: '552032534', name: 'Client Sans Limite' }).expect(201)).body.id;
  await t.as('credit_manager').post('/v1/invoices', { number: 'DET-2', customerId: zero, issueDate: '2026-12-01', dueDate: '2026-12-31', amount: 10_000, currency: 'EUR' }).expect(200);
  await t.container.services.alerts.raise([
    { type: 'limit_review_due', severity: 'low', customerId: near, dedupeKey: 'det:review', message: 'review', data: {} },
    { type: 'overdue', severity: 'medium', customerId: zero, dedupeKey: 'det:overdue', message: 'overdue', data: {} },
  ]);
  if (HAS_CHROMIUM) browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await close?.();
});

describe.skipIf(!HAS_CHROMIUM)(`screen details in Chromium${NO_CHROMIUM_NOTE}`, () => {
  it('the limit form starts from the limit in force; changing the amount keeps the review date', async () => {
    const page = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/customers/${near}`);
    const form = page.locator('form[action$="/limit"]');
    expect(await form.getByLabel('Nouvelle limite (€)').inputValue()).toBe('10000,00');
    expect(await form.getByLabel('Date de révision').inputValue()).toBe('2027-03-31');
    await form.getByLabel('Nouvelle limite (€)').fill('12 000');
    await form.getByLabel('Motif').fill('hausse');
    await form.getByRole('button', { name: 'Enregistrer la limite' }).click();
    await expect.poll(() => page.getByTestId('limit').textContent()).toMatch(/12\s000,00\s€/);
    const limit = (await t.as('credit_manager').get(`/v1/customers/${near}`)).body.credit.creditLimit;
    expect(limit).toMatchObject({ amount: 1_200_000, reviewDate: '2027-03-31' });
    await page.context().close();
  });

  it('the usage bar: amber from 80 %, red past the limit or on a zero limit', async () => {
    await t.as('credit_manager').put(`/v1/customers/${near}/credit-limit`, { amount: 1_000_000, currency: 'EUR', reason: 'retour', reviewDate: '2027-03-31' }).expect(200);
    const page = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    const bar = (name: string) => page.getByRole('row', { name: new RegExp(name) }).locator('.bar span');
    expect(await bar('Client Presque').getAttribute('class')).toBe('near'); // 9 000 € of 10 000 €
    expect(await bar('Client Sans Limite').getAttribute('class')).toBe('over'); // 100 € on no limit
    await axe(page, 'details-01-portfolio');
    await page.context().close();
  });

  it('an alert acknowledged keeps the filters the list had', async () => {
    const page = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/alerts?type=overdue`);
    await page.getByLabel(/Commentaire pour l’alerte/).first().fill('relancé');
    await page.getByRole('button', { name: 'Prendre en compte' }).first().click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('Alerte prise en compte.');
    expect(new URL(page.url()).searchParams.get('type')).toBe('overdue');
    expect(await page.getByLabel('Type').inputValue()).toBe('overdue');
    await page.context().close();
  });

  it("an e-mail reminder is one line of the customer's timeline, and no link opens raw data", async () => {
    await t.as('admin').put('/v1/company', {
      legalName: 'Fournitures Durand', siren: '552100554', registeredOffice: { lines: ['12 rue des Lilas'], postcode: '69003', city: 'Lyon' }, iban: 'FR7630006000011234567890189',
    }).expect(200);
    const id = (await t.as('credit_manager').post('/v1/customers', { externalId: 'DET-MAIL', siren: '542065479', name: 'Client Relancé' }).expect(201)).body.id;
    await t.as('collector').put(`/v1/customers/${id}/collections-profile`, { contacts: [{ name: 'AP', email: 'ap@relance.example' }] }).expect(200);
    await t.as('credit_manager').post('/v1/invoices', { number: 'DET-3', customerId: id, issueDate: '2026-11-04', dueDate: '2026-12-04', amount: 50_000, currency: 'EUR' }).expect(200);
    await t.container.services.collections.dunning.run();
    await t.as('collector').post(`/v1/customers/${id}/promises`, { invoiceNumbers: ['DET-3'], amount: 50_000, promisedOn: '2026-12-15', promisedBy: 'M. Client', channel: 'phone' }).expect(201);
    const page = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    await page.goto(`${base}/customers/${id}`);
    const timeline = page.locator('table', { hasText: 'Relances, courriers' });
    expect(await timeline.locator('tbody tr', { hasText: 'DET-3' }).filter({ hasText: 'non envoyé' }).count()).toBe(1);
    expect(await timeline.locator('a[href*="/promises/"], a[href*="/actions/"]').count()).toBe(0);
    expect(await timeline.locator('a[href$="/eml"]').count()).toBe(1);
    await page.context().close();
  });

  it('a SIREN whose check digit fails is said in French', async () => {
    const page = await signIn(browser, base, 'lea@client.example', PASSWORD, consoleErrors);
    const res = await page.goto(`${base}/prospects/552100555`);
    expect(res!.status()).toBe(400);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe('SIREN invalide : sa clé de contrôle ne correspond pas.');
    await page.context().close();
    expect(consoleErrors, consoleErrors.join('\n')).toEqual([]);
  });
});
