import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { axe as axeCheck, HAS_CHROMIUM, launchChromium, NO_CHROMIUM_NOTE, signIn as signInAs } from '../setup/browser.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { startSourcesServer } from '../setup/sources-server.js';
import { unique } from '../setup/ledger-helpers.js';

/*
 * The web application in Debian's headless Chromium (playwright-core through its executable path;
 * no browser download): sign in, the portfolio, the customer sheet with its charts drawn from the
 * recorded assessments, a limit set by a credit manager and not offered to sales; axe-core finds no
 * serious or critical violation on any page; no console error (a script blocked by the
 * Content-Security-Policy would be one). Screenshots go to test-artifacts/ (not committed).
 */
const PASSWORD = 'correct horse battery staple';
const DANONE = '552032534';

let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
let server: Server;
let base: string;
let browser: Browser;
let danone: string;
const consoleErrors: string[] = [];

const axe = axeCheck;
const signIn = (email: string, password = PASSWORD) => signInAs(browser, base, email, password, consoleErrors);

beforeAll(async () => {
  sources = await startSourcesServer();
  t = await createTestApp({ ...sources.env }, { now: '2026-12-07T09:00:00Z' });
  server = t.container.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  for (const [email, role] of [
    ['lea@client.example', 'credit_manager'],
    ['paul@client.example', 'sales'],
    ['camille@client.example', 'collector'],
    ['ada@client.example', 'admin'],
    ['max@client.example', 'sales'],
  ] as const) {
    await t.as('admin').post('/v1/users', { email, name: email.split('@')[0], role, password: PASSWORD }).expect(201);
  }
  const created = await t.as('credit_manager').post('/v1/customers', { externalId: unique('WEB'), siren: DANONE, name: 'Danone' });
  danone = created.body.id;
  await t.as('credit_manager').put(`/v1/customers/${danone}/credit-limit`, { amount: 5_000_000, currency: 'EUR', reason: 'test' }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: unique('W'), customerId: danone, issueDate: '2026-10-01', dueDate: '2026-10-31', amount: 1_234_56, currency: 'EUR' }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: unique('W'), customerId: danone, issueDate: '2026-11-20', dueDate: '2026-12-20', amount: 3_000_000, currency: 'EUR' }).expect(200);
  // Two recorded assessments (from the recorded registry and ratio payloads), a month apart.
  t.clock.set('2026-11-07T09:00:00Z');
  await t.as('credit_manager').post(`/v1/customers/${danone}/assessments`, {}).expect(201);
  t.clock.set('2026-12-07T09:00:00Z');
  await t.as('credit_manager').post(`/v1/customers/${danone}/assessments`, { refresh: true }).expect(201);
  for (let i = 0; i < 3; i++) {
    await t.as('credit_manager').post('/v1/customers', { externalId: unique('WEB'), siren: makeLuhn(700000000 + i * 11), name: `Boulangerie ${['Alpha', 'Bravo', 'Charlie'][i]}` }).expect(201);
  }
  if (!HAS_CHROMIUM) return;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
  await t?.close();
  await sources?.close();
});

/** A valid SIREN near n (Luhn check digit). */
function makeLuhn(n: number): string {
  const base = String(n).slice(0, 8);
  for (let d = 0; d <= 9; d++) {
    const s = base + d;
    let sum = 0;
    for (let i = 0; i < 9; i++) {
      let x = Number(s[8 - i]);
      if (i % 2 === 1) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    if (sum % 10 === 0) return s;
  }
  throw new Error('no check digit');
}

describe.skipIf(!HAS_CHROMIUM)(`the web application in Chromium${NO_CHROMIUM_NOTE}`, () => {
  it('a page asks to sign in first; the sign-in page is accessible; a wrong password says so', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/customers/${danone}`);
    expect(page.url()).toBe(`${base}/login?next=${encodeURIComponent(`/customers/${danone}`)}`);
    await axe(page, '01-sign-in');
    await page.getByLabel('Adresse e-mail').fill('lea@client.example');
    await page.getByLabel('Mot de passe').fill('wrong password!');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Adresse e-mail ou mot de passe incorrect');
    await context.close();
  });

  it('a credit manager sees the portfolio, searches it, opens a customer: amounts in French, both charts drawn', async () => {
    const page = await signIn('lea@client.example');
    await expect.poll(() => page.locator('tbody tr').count()).toBe(4);
    await axe(page, '02-portfolio');
    await page.getByLabel('Nom, SIREN ou référence').fill('dan');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    const row = page.locator('tbody tr').first();
    expect(await row.textContent()).toMatch(/31\s234,56\s€/); // the exposure, French format
    await row.getByRole('link', { name: 'Danone' }).click();
    await page.waitForURL(`${base}/customers/${danone}`);
    expect(await page.getByTestId('exposure').textContent()).toMatch(/31\s234,56\s€/);
    expect(await page.getByTestId('limit').textContent()).toMatch(/50\s000,00\s€/);
    // Identity and registry status as the recorded registry gave them at the assessments.
    const registry = (await page.getByTestId('registry').textContent())!;
    expect(registry).toContain('DANONE');
    expect(registry).toMatch(/Situation\s*active/);
    expect(registry).toContain('Registres lus le 07/12/2026');
    // Chart.js drew the aging (5 buckets) and the score history (the 2 recorded assessments).
    await expect.poll(() => page.getByTestId('aging-chart').getAttribute('data-rendered')).toBe('5');
    await expect.poll(() => page.getByTestId('score-chart').getAttribute('data-rendered')).toBe('2');
    const assessments = page.locator('table').filter({ hasText: 'Évaluations' }).locator('tbody tr');
    expect(await assessments.count()).toBe(2);
    // What changed at each assessment: the earlier one is the first; the later says by how much the score moved.
    expect(await assessments.nth(1).getByTestId('changes').textContent()).toContain('première évaluation');
    expect(await assessments.nth(0).getByTestId('changes').textContent()).toMatch(/(score|note [A-EX] → [A-EX], score) [+-]?\d+/);
    // The payment index at the last 12 month ends and today: the invoice due 31/10 unpaid since.
    await expect.poll(() => page.getByTestId('paydex-chart').getAttribute('data-rendered')).toBe('13');
    await page.getByText('Le détail, mois par mois').click();
    const paydexRows = page.locator('table', { hasText: 'paie à l’échéance' }).locator('tbody tr');
    expect(await paydexRows.count()).toBe(2); // 07/12/2026 and 30/11/2026; before, nothing was due
    expect(await paydexRows.nth(1).textContent()).toMatch(/30\/11\/2026\s*\d+\s*30\s*1/); // 30 days beyond terms on 30/11, one invoice
    expect(await page.getByText('07/12/2026').count()).toBeGreaterThan(0);
    await axe(page, '03-customer-sheet');

    await page.getByLabel('Nouvelle limite (€)').fill('25 000');
    await page.locator('#reason').fill('revue annuelle');
    await page.getByRole('button', { name: 'Enregistrer la limite' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Limite fixée à 25\s000,00\s€/);
    expect(await page.getByTestId('limit').textContent()).toMatch(/25\s000,00\s€/);
    const audit = await t.as('admin').get(`/v1/audit?entityType=customer&entityId=${danone}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'credit_limit.set', actor: 'lea@client.example', reason: 'revue annuelle' });
    expect(await page.locator('table', { hasText: 'Qui a changé quoi' }).textContent()).toContain('credit_limit.set');

    await page.locator('#block-reason').fill('litige qualité en cours');
    await page.getByRole('button', { name: 'Bloquer le client' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Client bloqué');
    expect((await t.as('credit_manager').get(`/v1/customers/${danone}`)).body.credit.manualBlock).toMatchObject({ reason: 'litige qualité en cours' });
    await page.locator('#block-reason').fill('litige réglé');
    await page.getByRole('button', { name: 'Débloquer le client' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Client débloqué');
    await page.getByRole('button', { name: 'Évaluer maintenant' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Évaluation enregistrée : note [A-EX], score/);
    await expect.poll(() => page.getByTestId('score-chart').getAttribute('data-rendered')).toBe('3');
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await page.waitForURL(/\/login$/);
    await page.context().close();
  });

  it('a credit manager creates a customer, sets its limit, sees its order blocked and accepts it with a reason', async () => {
    const page = await signIn('lea@client.example');
    await page.getByText('Nouveau client').click();
    await page.getByLabel('SIREN', { exact: true }).fill('12345');
    await page.getByLabel('Raison sociale').fill('Boulangerie Delta');
    await page.getByLabel('Code client (ERP)').fill('DELTA-1');
    await page.getByRole('button', { name: 'Créer le client' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('SIREN');
    // What was typed is kept.
    expect(await page.getByLabel('Raison sociale').inputValue()).toBe('Boulangerie Delta');
    await page.getByLabel('SIREN', { exact: true }).fill(makeLuhn(812345670));
    await page.getByRole('button', { name: 'Créer le client' }).click();
    await page.waitForURL(/\/customers\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    expect(await page.getByRole('heading', { name: 'Boulangerie Delta' }).count()).toBe(1);
    await page.getByLabel('Nouvelle limite (€)').fill('1 000');
    await page.locator('#reason').fill('ouverture de compte');
    await page.getByRole('button', { name: 'Enregistrer la limite' }).click();
    await expect.poll(() => page.getByTestId('limit').textContent()).toMatch(/1\s000,00\s€/);

    const orderId = unique('ORD');
    const check = await t.as('order_system').post('/v1/order-checks', { orderId, customerId: id, amount: 200_000, currency: 'EUR' });
    expect(check.body.decision).toBe('blocked');
    await page.getByRole('link', { name: 'Commandes' }).click();
    const row = page.locator('tbody tr', { hasText: orderId });
    expect(await row.textContent()).toMatch(/2\s000,00\s€/);
    expect(await row.textContent()).toContain('limite dépassée');
    await axe(page, '04-orders');
    await row.getByLabel(`Motif pour accepter la commande ${orderId}`).fill('client historique, accord du directeur');
    await row.getByRole('button', { name: 'Accepter' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Commande ${orderId} acceptée`);
    expect(await page.locator('tbody tr', { hasText: orderId }).count()).toBe(0);
    const after = await t.as('credit_manager').get(`/v1/order-checks/${orderId}`);
    expect(after.body).toMatchObject({ decision: 'approved', override: { by: 'lea@client.example', reason: 'client historique, accord du directeur' } });

    // A second order, accepted from the customer sheet.
    const second = unique('ORD');
    expect((await t.as('order_system').post('/v1/order-checks', { orderId: second, customerId: id, amount: 300_000, currency: 'EUR' })).body.decision).toBe('blocked');
    await page.goto(`${base}/customers/${id}`);
    const waiting = page.locator('tbody tr', { hasText: second });
    expect(await waiting.textContent()).toMatch(/3\s000,00\s€/);
    await waiting.getByLabel(`Motif d’acceptation de la commande ${second}`).fill('acompte reçu');
    await waiting.getByRole('button', { name: 'Accepter' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Commande ${second} acceptée`);
    expect(await page.locator('tbody tr', { hasText: second }).count()).toBe(0);
    expect((await t.as('credit_manager').get(`/v1/order-checks/${second}`)).body).toMatchObject({ decision: 'approved', override: { reason: 'acompte reçu' } });

    // A third, declined from the orders page: out of the queue, still blocked, with who and why.
    const third = unique('ORD');
    expect((await t.as('order_system').post('/v1/order-checks', { orderId: third, customerId: id, amount: 900_000, currency: 'EUR' })).body.decision).toBe('blocked');
    await page.getByRole('link', { name: 'Commandes' }).click();
    const thirdRow = page.locator('tbody tr', { hasText: third });
    await thirdRow.getByText('Refuser…').click();
    await thirdRow.getByLabel(`Motif pour refuser la commande ${third}`).fill('client en litige');
    // A decline is definitive: without the confirmation the browser does not send it.
    await thirdRow.getByRole('button', { name: 'Refuser' }).click();
    expect(await page.locator('tbody tr', { hasText: third }).count()).toBe(1);
    await thirdRow.getByLabel('Refus définitif : la commande sort de la file').check();
    await thirdRow.getByRole('button', { name: 'Refuser' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain(`Commande ${third} refusée`);
    expect(await page.locator('tbody tr', { hasText: third }).count()).toBe(0);
    expect((await t.as('credit_manager').get(`/v1/order-checks/${third}`)).body).toMatchObject({ decision: 'blocked', declined: { by: 'lea@client.example', reason: 'client en litige' } });
    await page.context().close();
  });

  it('a credit manager acknowledges an alert with a comment', async () => {
    await t.container.services.monitoring.exposureWatch.run();
    const page = await signIn('lea@client.example');
    await page.getByRole('link', { name: 'Alertes' }).click();
    await page.getByLabel('Type').selectOption('overdue');
    await page.getByLabel('Client (nom, SIREN ou code)').fill('zzz-nobody');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    expect(await page.locator('caption').textContent()).toBe('Aucune alerte');
    await page.getByLabel('Client (nom, SIREN ou code)').fill(DANONE);
    await page.getByRole('button', { name: 'Filtrer' }).click();
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    for (const text of await rows.allTextContents()) expect(text).toContain('Danone');
    const row = page.locator('tbody tr', { hasText: 'Danone' }).first();
    await axe(page, '05-alerts');
    await row.getByRole('textbox').fill('relance téléphonique faite');
    await row.getByRole('button', { name: 'Prendre en compte' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Alerte prise en compte');
    const alerts = await t.as('credit_manager').get(`/v1/alerts?customerId=${danone}&type=overdue`);
    expect(alerts.body.items[0]).toMatchObject({ status: 'acknowledged', comment: 'relance téléphonique faite' });
    await page.context().close();
  });

  it('sales check a prospect: search by name, then the report by SIREN from the recorded sources, printable', async () => {
    const page = await signIn('paul@client.example');
    await page.getByRole('link', { name: 'Contrôle prospect' }).click();
    await page.getByLabel('Nom, SIREN ou SIRET').fill('Ganymede');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await expect.poll(() => page.locator('caption').first().textContent()).toContain('116 entreprise(s) trouvée(s)');
    expect(await page.locator('tbody tr').count()).toBeGreaterThan(1);
    await axe(page, '06-prospect-search');
    await page.getByLabel('Nom, SIREN ou SIRET').fill('552 032 534');
    await page.getByRole('button', { name: 'Chercher' }).click();
    await page.waitForURL(`${base}/prospects/552032534`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain('DANONE');
    expect(await page.getByTestId('grade').textContent()).toMatch(/^[A-EX]$/);
    expect(await page.getByTestId('recommended-limit').textContent()).toMatch(/€$/);
    for (const heading of ['Base de la limite', 'Raisons', 'Annonces légales (BODACC)', 'Ratios financiers', 'Fraîcheur des sources']) {
      expect(await page.getByRole('heading', { name: heading }).count(), heading).toBe(1);
    }
    expect(await page.locator('table', { hasText: 'Comptes publiés' }).locator('tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('table', { hasText: 'D’où vient chaque donnée' }).textContent()).toContain('recherche-entreprises');
    expect(await page.getByRole('button', { name: 'Imprimer' }).count()).toBe(1);
    await axe(page, '07-prospect-report');
    await page.context().close();
  });

  it("a collector records the day's call from the worklist, and reads the KPIs with their charts", async () => {
    // A plan with a call the day after the due date, for a customer with an invoice due yesterday.
    await t.as('admin').put('/v1/collections/plans/quick', { name: 'Appel rapide', reason: 'test', steps: [{ key: 'call', offsetDays: 1, channel: 'call', template: 'call' }] }).expect(200);
    const c = await t.as('credit_manager').post('/v1/customers', { externalId: unique('WEB'), siren: makeLuhn(723456780), name: 'Épicerie Fine' });
    await t.as('collector').put(`/v1/customers/${c.body.id}/collections-profile`, { contacts: [{ name: 'Compta', phone: '+33 1 23 45 67 89' }], collector: 'camille@client.example', dunningPlanId: 'quick' }).expect(200);
    await t.as('credit_manager').post('/v1/invoices', { number: unique('W'), customerId: c.body.id, issueDate: '2026-11-06', dueDate: '2026-12-06', amount: 480_00, currency: 'EUR' }).expect(200);
    await t.container.services.collections.dunning.run();

    const page = await signIn('camille@client.example');
    await page.getByRole('link', { name: 'Recouvrement', exact: true }).click();
    const row = page.locator('tbody tr', { hasText: 'Épicerie Fine' });
    expect(await row.textContent()).toContain('Appel');
    expect(await row.textContent()).toMatch(/480,00\s€/);
    await axe(page, '08-worklist');
    await row.getByLabel('Résultat de l’appel').selectOption('reached_promise');
    await row.getByLabel('Notes de l’appel').fill('paiera vendredi');
    await row.getByRole('button', { name: 'Enregistrer l’appel' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Appel enregistré');
    const { rows } = await t.container.database.pool.query<{ status: string; outcome: string; notes: string; completed_by: string }>(
      "SELECT status, outcome, notes, completed_by FROM collection_actions WHERE customer_id = $1 AND kind = 'call'",
      [c.body.id],
    );
    expect(rows).toEqual([{ status: 'done', outcome: 'reached_promise', notes: 'paiera vendredi', completed_by: 'camille@client.example' }]);

    await page.goto(`${base}/customers/${c.body.id}`);
    const timeline = page.locator('table', { hasText: 'Relances, courriers' });
    expect(await timeline.textContent()).toContain('fait');
    expect(await page.getByRole('link', { name: 'Relevé de compte (PDF)' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Bloquer le client' }).count()).toBe(0);
    await axe(page, '08b-customer-collections');

    await page.getByRole('link', { name: 'Indicateurs' }).click();
    await expect.poll(() => page.getByTestId('dso-chart').getAttribute('data-rendered')).toBe('12');
    await expect.poll(() => page.getByTestId('rates-chart').getAttribute('data-rendered')).toBe('36');
    expect(await page.locator('tbody tr').count()).toBe(12);
    await axe(page, '09-kpis');
    expect(await page.getByRole('link', { name: 'Portefeuille' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Alertes' }).count()).toBe(0);
    await page.context().close();
  });

  it('an admin changes the credit policy, creates a user and an API key (each secret shown once), and revokes the key', async () => {
    const page = await signIn('ada@client.example');
    await page.getByRole('link', { name: 'Réglages' }).click();
    await axe(page, '10-settings');
    await page.getByLabel('Tolérance de retard (jours)').fill('5');
    await page.locator('#policy-reason').fill('tolérance commerciale');
    await page.getByRole('button', { name: 'Enregistrer la politique', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Politique de crédit enregistrée');
    expect((await t.as('credit_manager').get('/v1/policy')).body).toMatchObject({ overdueGraceDays: 5, reason: 'tolérance commerciale' });

    await page.locator('#user-email').fill('zoe@client.example');
    await page.locator('#user-name').fill('Zoé');
    await page.locator('#user-role').selectOption('collector');
    await page.getByRole('button', { name: 'Créer l’utilisateur' }).click();
    const password = (await page.getByTestId('secret').locator('code').textContent())!;
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await t.as('anonymous').post('/v1/sessions', { email: 'zoe@client.example', password })).status).toBe(201);

    await page.locator('#key-name').fill('ERP de test');
    await page.locator('#key-role').selectOption('order_system');
    await page.getByRole('button', { name: 'Créer la clé' }).click();
    const key = (await page.getByTestId('secret').locator('code').textContent())!;
    const probe = () => t.as('anonymous').get('/v1/order-checks/nothing-here').set('Authorization', `Bearer ${key}`);
    expect((await probe()).status).toBe(404);
    await page.getByRole('button', { name: 'Révoquer ERP de test' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Clé ERP de test révoquée');
    expect((await probe()).status).toBe(401);

    // The scoring policy: grade floors in fields, a new audited version; a bad document is refused naming its field.
    const before = (await t.as('admin').get('/v1/scoring-policy')).body;
    await page.locator('#floorA').fill('80');
    await page.locator('#scoring-reason').fill('note A plus exigeante');
    await page.getByRole('button', { name: 'Enregistrer la politique de notation' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(`Politique de notation enregistrée (version ${before.version + 1})`);
    const after = (await t.as('admin').get('/v1/scoring-policy')).body;
    expect(after.policy.gradeFloors).toEqual({ ...before.policy.gradeFloors, A: 80 });
    expect(after.policy.weights).toEqual(before.policy.weights);
    await page.getByText('Toute la politique de notation (JSON)').click();
    await page.locator('#scoring-json').fill(JSON.stringify({ ...after.policy, gradeFloors: { ...after.policy.gradeFloors, B: 140 } }));
    await page.locator('#scoring-json-reason').fill('essai');
    await page.getByRole('button', { name: 'Enregistrer le document' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('gradeFloors.B');
    expect((await t.as('admin').get('/v1/scoring-policy')).body.version).toBe(after.version);

    // Webhooks: subscribed with the types ticked (the signing secret shown once), then removed.
    await page.locator('#webhook-url').fill('https://93.184.216.34/vigie-alerts');
    await page.locator('#webhook-description').fill('outil de ticket');
    await page.getByLabel('overdue', { exact: true }).check();
    await page.getByLabel('limit_exceeded', { exact: true }).check();
    await page.getByRole('button', { name: 'Créer le webhook' }).click();
    expect(await page.getByTestId('secret').locator('code').textContent()).toMatch(/^whsec_/);
    const hooks = (await t.as('admin').get('/v1/webhooks')).body.items;
    expect(hooks).toEqual([expect.objectContaining({ url: 'https://93.184.216.34/vigie-alerts', description: 'outil de ticket', alertTypes: ['limit_exceeded', 'overdue'].sort() })]);
    await axe(page, '10b-settings-webhook');
    await page.getByRole('button', { name: 'Supprimer https://93.184.216.34/vigie-alerts' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Webhook supprimé');
    expect((await t.as('admin').get('/v1/webhooks')).body.items.map((h: { active: boolean }) => h.active)).toEqual([false]);
    expect(await page.getByRole('button', { name: /^Supprimer / }).count()).toBe(0);
    await page.context().close();

    const manager = await signIn('lea@client.example');
    expect(await manager.getByRole('link', { name: 'Réglages' }).count()).toBe(0);
    expect((await manager.goto(`${base}/settings`))?.status()).toBe(403);
    await manager.context().close();
  });

  it('the pages in English: the switch is kept by the browser, amounts and reasons follow', async () => {
    const page = await signIn('lea@client.example');
    await page.getByRole('button', { name: 'English' }).click();
    await page.waitForURL(`${base}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Customer portfolio');
    await page.getByLabel('Name, SIREN or reference').fill('dan');
    await page.getByRole('button', { name: 'Filter' }).click();
    expect(await page.locator('tbody tr').first().textContent()).toMatch(/€31,234\.56/);
    await axe(page, '12-portfolio-english');
    await page.getByRole('link', { name: 'Danone' }).click();
    expect(await page.getByRole('heading', { name: 'Credit position' }).count()).toBe(1);
    expect(await page.getByTestId('exposure').textContent()).toBe('€31,234.56');
    expect(await page.locator('table', { hasText: 'Assessments, latest first' }).textContent()).toContain('first assessment');
    await expect.poll(() => page.getByTestId('score-chart').getAttribute('data-rendered')).not.toBeNull();
    await axe(page, '13-customer-english');
    // Kept for the next page, and switched back.
    await page.getByRole('link', { name: 'Orders' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Orders to review');
    await page.getByRole('button', { name: 'Français' }).click();
    await page.waitForURL(`${base}/orders`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Commandes à examiner');
    await page.context().close();
  });

  it('a person changes their own password: the current one first, twice the new one, then other sessions end', async () => {
    const other = await signIn('max@client.example');
    const page = await signIn('max@client.example');
    await page.getByRole('link', { name: 'max (commercial)' }).click();
    await page.waitForURL(`${base}/account`);
    await axe(page, '14-account');
    const NEW = 'a much longer passphrase 2026';
    await page.getByLabel('Mot de passe actuel').fill('not my password at all');
    await page.getByLabel('Nouveau mot de passe (12 caractères au moins)').fill(NEW);
    await page.getByLabel('Nouveau mot de passe, une seconde fois').fill(NEW);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Mot de passe actuel incorrect');
    await page.getByLabel('Mot de passe actuel').fill(PASSWORD);
    await page.getByLabel('Nouveau mot de passe (12 caractères au moins)').fill(NEW);
    await page.getByLabel('Nouveau mot de passe, une seconde fois').fill(`${NEW}!`);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Les deux nouveaux mots de passe diffèrent');
    await page.getByLabel('Mot de passe actuel').fill(PASSWORD);
    await page.getByLabel('Nouveau mot de passe (12 caractères au moins)').fill(NEW);
    await page.getByLabel('Nouveau mot de passe, une seconde fois').fill(NEW);
    await page.getByRole('button', { name: 'Changer le mot de passe' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Mot de passe changé');
    // This session goes on; the other one ended; the old password no longer opens one.
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/`);
    await other.goto(`${base}/`);
    expect(other.url()).toContain('/login');
    expect((await t.as('anonymous').post('/v1/sessions', { email: 'max@client.example', password: PASSWORD })).status).toBe(401);
    const again = await signIn('max@client.example', NEW);
    await again.context().close();
    await other.context().close();
    await page.context().close();
    const audit = await t.as('admin').get('/v1/audit?entityType=user');
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('user.password_changed');
  });

  it('sales see the customer but no limit form, and no alerts or orders pages', async () => {
    const page = await signIn('paul@client.example');
    expect(await page.getByRole('link', { name: 'Alertes' }).count()).toBe(0);
    expect(await page.getByText('Nouveau client').count()).toBe(0);
    await page.goto(`${base}/customers/${danone}`);
    expect(await page.getByRole('heading', { name: 'Danone' }).count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Enregistrer la limite' }).count()).toBe(0);
    const refused = await page.goto(`${base}/alerts`);
    expect(refused?.status()).toBe(403);
    // A page with the navigation and a way back, not bare text.
    expect(await page.getByRole('heading', { name: 'Accès refusé' }).count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Retour au portefeuille' }).count()).toBe(1);
    expect(await page.locator('nav a').count()).toBeGreaterThan(0);
    await page.context().close();
  });

  it('no page logged a console error but the refusals asked for (a script refused by the Content-Security-Policy would be one)', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('pages without a browser', () => {
  it('a form posted without the CSRF token is refused; an idle session sends back to sign-in; assets are hashed, cached and compressed', async () => {
    const signedIn = await t.as('anonymous').post('/v1/sessions', { email: 'lea@client.example', password: PASSWORD });
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
    const refused = await t.as('anonymous').post(`/customers/${danone}/limit`).set('Cookie', cookie).type('form').send({ amount: '1', reason: 'x' });
    expect(refused.status).toBe(403);
    expect((await t.as('credit_manager').get(`/v1/customers/${danone}`)).body.credit.creditLimit.amount).not.toBe(100);
    const page = await t.as('anonymous').get('/').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.text).not.toMatch(/<script>(?!<\/script>)/);
    const script = /src="(\/assets\/chart\.umd\.min\.[0-9a-f]{12}\.js)"/.exec((await t.as('anonymous').get(`/customers/${danone}`).set('Cookie', cookie)).text)?.[1];
    expect(script).toBeDefined();
    const asset = await t.as('anonymous').get(script!).set('Accept-Encoding', 'gzip');
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-encoding']).toBe('gzip');
    t.clock.advance(31 * 60_000);
    const idle = await t.as('anonymous').get('/').set('Cookie', cookie);
    expect(idle.status).toBe(303);
    expect(idle.headers.location).toBe('/login?next=%2F');
  });
});
