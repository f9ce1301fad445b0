import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { makeSiren } from '../setup/test-app.js';
import { readFileSync } from 'node:fs';
import { testServerUrl } from '../setup/db-url.js';

const HEADER = 'JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise';
/** One FEC line: journal, entry, date, account, aux, piece, label, debit, credit, letter, letter date. */
const l = (j: string, n: string, d: string, acc: string, aux: string, piece: string, label: string, debit: string, credit: string, let_ = '', dlet = '') =>
  [j, j === 'AN' ? 'A nouveaux' : j === 'VE' ? 'Ventes' : 'Banque', n, d, acc, acc.startsWith('411') ? 'Clients' : 'Autre', aux, aux ? `Client ${aux} Crèmerie` : '', piece, d, label, debit, credit, let_, dlet, d, '', ''].join('\t');

/**
 * A real-shaped FEC: an opening balance (à-nouveaux), invoices with VAT, a payment lettering the
 * opening balance, a credit note and a payment partly lettering an invoice (the letter does not
 * net to zero), an invoice still open with an accented label, and a customer whose auxiliary
 * account is mapped. Expected balances: CDUPONT 800.00, CMARTIN 0.00.
 */
const FEC = [
  HEADER,
  l('AN', '1', '20250101', '411000', 'CDUPONT', 'AN2025', 'A nouveau', '1200,00', '', 'AA', '20250215'),
  l('AN', '1', '20250101', '890000', '', 'AN2025', 'A nouveau', '', '1200,00'),
  l('VE', '1', '20250110', '411000', 'CDUPONT', 'FA-001', 'Facture FA-001', '2400,00', '', 'AB', '20250310'),
  l('VE', '1', '20250110', '706000', '', 'FA-001', 'Facture FA-001', '', '2000,00'),
  l('VE', '1', '20250110', '445710', '', 'FA-001', 'Facture FA-001', '', '400,00'),
  l('VE', '2', '20250120', '411000', 'CMARTIN', 'FA-002', 'Facture FA-002', '600,00', '', 'AC', '20250220'),
  l('VE', '2', '20250120', '706000', '', 'FA-002', 'Facture FA-002', '', '500,00'),
  l('VE', '2', '20250120', '445710', '', 'FA-002', 'Facture FA-002', '', '100,00'),
  l('BQ', '1', '20250215', '512000', '', 'VIR-01', 'Virement Dupont', '1200,00', ''),
  l('BQ', '1', '20250215', '411000', 'CDUPONT', 'VIR-01', 'Virement Dupont', '', '1200,00', 'AA', '20250215'),
  l('BQ', '2', '20250220', '512000', '', 'VIR-02', 'Virement Martin', '600,00', ''),
  l('BQ', '2', '20250220', '411000', 'CMARTIN', 'VIR-02', 'Virement Martin', '', '600,00', 'AC', '20250220'),
  l('VE', '3', '20250301', '411000', 'CDUPONT', 'AV-001', 'Avoir AV-001', '', '400,00', 'AB', '20250310'),
  l('VE', '3', '20250301', '709000', '', 'AV-001', 'Avoir AV-001', '333,33', ''),
  l('VE', '3', '20250301', '445710', '', 'AV-001', 'Avoir AV-001', '66,67', ''),
  l('BQ', '3', '20250310', '512000', '', 'VIR-03', 'Virement Dupont partiel', '1500,00', ''),
  l('BQ', '3', '20250310', '411000', 'CDUPONT', 'VIR-03', 'Virement Dupont partiel', '', '1500,00', 'AB', '20250310'),
  l('VE', '4', '20250315', '411000', 'CDUPONT', 'FA-003', 'Prestation été', '300,00', ''),
  l('VE', '4', '20250315', '706000', '', 'FA-003', 'Prestation été', '', '250,00'),
  l('VE', '4', '20250315', '445710', '', 'FA-003', 'Prestation été', '', '50,00'),
].join('\r\n') + '\r\n';

let t: TestApp;
let dupont: string;
let martin: string;
const post = (body: Buffer | string, query = '?asOf=2025-03-31') =>
  t.as('credit_manager').post(`/v1/imports/fec${query}`).set('Content-Type', 'text/plain').send(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
const fingerprint = async () =>
  (await t.container.database.pool.query<{ f: string }>("SELECT (SELECT count(*) FROM invoices) || '/' || (SELECT count(*) FROM credits) || '/' || (SELECT count(*) FROM allocations) AS f")).rows[0]!.f;

beforeAll(async () => {
  t = await createTestApp({}, { now: '2025-04-01T09:00:00Z' });
  const c = async (externalId: string) => (await t.as('credit_manager').post('/v1/customers', { externalId, siren: makeSiren(), name: externalId })).body.id as string;
  dupont = await c('CDUPONT');
  martin = await c('M-001');
});
afterAll(() => t?.close());

describe('FEC import', () => {
  it('lists unknown accounts and writes nothing; a mapping resolves them', async () => {
    const before = await fingerprint();
    const res = await post(Buffer.from(FEC, 'latin1'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unknown_accounts');
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: 'CompAuxNum', line: 7 })]);
    expect(res.body.error.details[0].message).toContain('CMARTIN');
    expect(await fingerprint()).toBe(before);
    const map = await t.as('credit_manager').put('/v1/imports/fec/mappings/CMARTIN', { customerId: martin });
    expect(map.status).toBe(200);
  });

  it('imports an ISO 8859-15 file: opening balance, lettering, partial lettering, credit note; reconciles to the cent', async () => {
    const res = await post(Buffer.from(FEC, 'latin1'));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({
      encoding: 'ISO-8859-15',
      lines: 20,
      customerLines: 8,
      documents: { invoices: 4, payments: 3, creditNotes: 1 },
      dueDatesEstimated: 4,
      lettering: { groups: 3, partialGroups: 1 },
      written: { invoices: { created: 4 }, payments: { created: 3 }, creditNotes: { created: 1 } },
    });
    expect(res.body.reconciliation.matches).toBe(true);
    expect(res.body.reconciliation.customers).toEqual(
      expect.arrayContaining([
        { account: 'CDUPONT', customerId: dupont, fecBalance: 80_000, vigieBalance: 80_000, difference: 0 },
        { account: 'CMARTIN', customerId: martin, fecBalance: 0, vigieBalance: 0, difference: 0 },
      ]),
    );
    const fa1 = (await t.as('credit_manager').get('/v1/invoices/FA-001')).body;
    expect(fa1).toMatchObject({ amount: 240_000, openAmount: 50_000, dueDate: '2025-02-09', dueDateEstimated: true });
    expect(fa1.allocations.map((a: { reference: string; amount: number }) => [a.reference, a.amount])).toEqual([
      ['FEC-AV-VE-3-1', 40_000],
      ['FEC-BQ-3-1', 150_000],
    ]);
    expect((await t.as('credit_manager').get('/v1/invoices/AN-CDUPONT-AN2025')).body).toMatchObject({ openAmount: 0, status: 'paid' });
    expect((await t.as('credit_manager').get('/v1/invoices/FA-003')).body).toMatchObject({ openAmount: 30_000, dueDate: '2025-04-14' });
  });

  it('judges the encoding on the whole file: an ISO 8859-15 export whose first accented letter comes 300 KB in (past the first chunk read)', async () => {
    const filler: string[] = [];
    for (let i = 1; filler.join('\n').length < 300_000; i++) {
      filler.push(l('OD', String(i), '20250105', '601000', '', `OD-${i}`, 'Achat fournitures', '10,00', ''));
      filler.push(l('OD', String(i), '20250105', '401000', '', `OD-${i}`, 'Achat fournitures', '', '10,00'));
    }
    const late = [l('OD', '99999', '20250106', '606000', '', 'OD-X', 'Crèmerie épicée', '5,00', ''), l('OD', '99999', '20250106', '401000', '', 'OD-X', 'Crèmerie épicée', '', '5,00')];
    const [header, ...rest] = FEC.split('\n').filter((x) => x !== '');
    const file = Buffer.from([header, ...filler, ...rest, ...late].join('\n') + '\n', 'latin1');
    expect(file.findIndex((b) => b >= 0x80)).toBeGreaterThan(300_000);
    const res = await post(file);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.encoding).toBe('ISO-8859-15');
    expect(res.body.reconciliation.matches).toBe(true);
  });

  it('an export with EcritureNum 0 on every line (some tools): entries told apart by journal, date and piece; a re-import finds them again', async () => {
    const aux = `CZ${Date.now().toString(36).toUpperCase()}`;
    await t.as('credit_manager').post('/v1/customers', { externalId: aux, siren: makeSiren(), name: aux }).expect(201);
    const p = aux.slice(-5);
    const file = [
      HEADER,
      l('VE', '0', '20250110', '411000', aux, `Z1-${p}`, 'Facture Z1', '120,00', '', 'ZA', '20250210'),
      l('VE', '0', '20250110', '706000', '', `Z1-${p}`, 'Facture Z1', '', '100,00'),
      l('VE', '0', '20250110', '445710', '', `Z1-${p}`, 'Facture Z1', '', '20,00'),
      l('BQ', '0', '20250210', '512000', '', `VZ-${p}`, 'Virement', '120,00', ''),
      l('BQ', '0', '20250210', '411000', aux, `VZ-${p}`, 'Virement', '', '120,00', 'ZA', '20250210'),
      l('VE', '0', '20250215', '411000', aux, `Z2-${p}`, 'Facture Z2', '240,00', '', 'ZB', '20250220'),
      l('VE', '0', '20250215', '706000', '', `Z2-${p}`, 'Facture Z2', '', '200,00'),
      l('VE', '0', '20250215', '445710', '', `Z2-${p}`, 'Facture Z2', '', '40,00'),
      l('BQ', '0', '20250220', '512000', '', `VY-${p}`, 'Virement', '100,00', ''),
      l('BQ', '0', '20250220', '411000', aux, `VY-${p}`, 'Virement', '', '100,00', 'ZB', '20250220'),
    ].join('\n') + '\n';
    const first = await post(file);
    expect(first.status, JSON.stringify(first.body).slice(0, 400)).toBe(200);
    expect(first.body).toMatchObject({ entries: 4, documents: { invoices: 2, payments: 2 }, written: { invoices: { created: 2 }, payments: { created: 2 } } });
    expect(first.body.reconciliation.matches).toBe(true);
    expect((await t.as('credit_manager').get(`/v1/invoices/Z1-${p}`)).body).toMatchObject({ openAmount: 0, status: 'paid' });
    expect((await t.as('credit_manager').get(`/v1/invoices/Z2-${p}`)).body).toMatchObject({ openAmount: 14_000 });
    const again = await post(file);
    expect(again.status).toBe(200);
    expect(again.body.written).toMatchObject({ invoices: { created: 0, unchanged: 2 }, payments: { created: 0 } });
  });

  it('re-importing the same file changes nothing (also as UTF-8 with a BOM)', async () => {
    const before = await fingerprint();
    const allocations = (await t.as('credit_manager').get('/v1/invoices/FA-001')).body.allocations;
    const res = await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(FEC, 'utf8')]));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.encoding).toBe('UTF-8');
    // Payments and credit notes sent again end as they were (same amounts, same allocations): unchanged.
    expect(res.body.written).toMatchObject({ invoices: { created: 0, updated: 0, unchanged: 4 }, payments: { created: 0, updated: 0, unchanged: 3 }, creditNotes: { created: 0, updated: 0, unchanged: 1 } });
    expect(res.body.reconciliation.matches).toBe(true);
    expect(await fingerprint()).toBe(before);
    expect((await t.as('credit_manager').get('/v1/invoices/FA-001')).body.allocations).toEqual(allocations);
  });

  it.each([
    ['a date that is not one', (f: string) => f.replace('20250315\t411000', '20251315\t411000'), 19, 'EcritureDate'],
    ['an amount that is not a number', (f: string) => f.replace('300,00\t\t', '3OO,00\t\t'), 19, 'Debit'],
    ['a line with a missing field', (f: string) => f.replace('Virement Martin\t\t600,00', 'Virement Martin\t600,00'), 13, null],
    ['a header without the lettering fields', (f: string) => f.replace('EcritureLet\tDateLet', 'Lettrage\tDateLettrage'), 1, 'EcritureLet'],
  ])('a broken file (%s) is refused with its line number, nothing written', async (_label, breakIt, line, field) => {
    const before = await fingerprint();
    const res = await post(breakIt(FEC));
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.details[0].line).toBe(line);
    if (field) expect(res.body.error.details[0].field).toBe(field);
    expect(res.body.error.message).toMatch(new RegExp(`^line ${line}`));
    expect(await fingerprint()).toBe(before);
  });

  // The CLI opens the configured database: a server test database only (counted as skipped on the embedded pass).
  it.skipIf(!testServerUrl())('npm run import:fec runs the same import', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vigie-fec-'));
    const file = path.join(dir, '552100554FEC20251231.txt');
    writeFileSync(file, Buffer.from(FEC, 'latin1'));
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/import-fec.ts', file, '--as-of', '2025-03-31'], {
      env: { ...process.env, DATABASE_URL: t.container.database.connectionString, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ encoding: 'ISO-8859-15', documents: { invoices: 4 }, written: { invoices: { unchanged: 4 } }, reconciliation: { matches: true, mismatches: [] } });
  });

  it('a transfer to doubtful receivables (416) and a write-off (654) are kept apart, and counted by the KPIs', async () => {
    const doubtful = [
      HEADER,
      l('VE', '20', '20250305', '411000', 'CDUPONT', 'FA-020', 'Facture FA-020', '1200,00', '', 'DA', '20250325'),
      l('VE', '20', '20250305', '706000', '', 'FA-020', 'Facture FA-020', '', '1200,00'),
      l('OD', '21', '20250325', '416000', '', 'OD-21', 'Client douteux FA-020', '1200,00', ''),
      l('OD', '21', '20250325', '411000', 'CDUPONT', 'OD-21', 'Client douteux FA-020', '', '1200,00', 'DA', '20250325'),
      l('VE', '22', '20250306', '411000', 'CDUPONT', 'FA-021', 'Facture FA-021', '300,00', '', 'DB', '20250328'),
      l('VE', '22', '20250306', '706000', '', 'FA-021', 'Facture FA-021', '', '300,00'),
      l('OD', '23', '20250328', '654000', '', 'OD-23', 'Perte sur créance FA-021', '250,00', ''),
      l('OD', '23', '20250328', '445710', '', 'OD-23', 'Perte sur créance FA-021', '50,00', ''),
      l('OD', '23', '20250328', '411000', 'CDUPONT', 'OD-23', 'Perte sur créance FA-021', '', '300,00', 'DB', '20250328'),
    ].join('\n');
    const res = await post(doubtful);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.documents).toMatchObject({ invoices: 2, writeOffs: 1, doubtfulTransfers: 1 });
    expect((await t.as('credit_manager').get('/v1/invoices/FA-021')).body.allocations.map((a: { reference: string }) => a.reference)).toEqual(['FEC-654-OD-23-1']);
    const kpis = await t.as('credit_manager').get('/v1/kpis?from=2025-03-01&to=2025-03-31&groupBy=month&currency=EUR');
    expect(kpis.status, JSON.stringify(kpis.body)).toBe(200);
    expect(kpis.body.buckets[0]).toMatchObject({ writtenOff: 30_000, transferredToDoubtful: 120_000 });
    // Neither is a recovery: the recovery rate counts payments only.
    const csv = await t.as('credit_manager').get('/v1/kpis?from=2025-03-01&to=2025-03-31&groupBy=month&currency=EUR&format=csv');
    const [header, row] = csv.text.trim().split('\n');
    const cols = header!.split(',');
    expect(row!.split(',')[cols.indexOf('written_off')]).toBe('30000');
    expect(row!.split(',')[cols.indexOf('transferred_to_doubtful')]).toBe('120000');
  });

  it('a "|"-separated file with Montant and Sens', async () => {
    const pipe = [
      'JournalCode|JournalLib|EcritureNum|EcritureDate|CompteNum|CompteLib|CompAuxNum|CompAuxLib|PieceRef|PieceDate|EcritureLib|Montant|Sens|EcritureLet|DateLet|ValidDate|Montantdevise|Idevise',
      'VE|Ventes|10|20250320|411000|Clients|CDUPONT|Dupont|FA-010|20250320|Facture FA-010|120,50|D|||20250320||',
      'VE|Ventes|10|20250320|706000|Prestations||||20250320|Facture FA-010|120,50|C|||20250320||',
    ].join('\n');
    const res = await post(pipe);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.documents.invoices).toBe(1);
    expect((await t.as('credit_manager').get('/v1/invoices/FA-010')).body.amount).toBe(12_050);
    // A file of one entry is not the customer's whole account: the reconciliation says so.
    expect(res.body.reconciliation.customers).toEqual([{ account: 'CDUPONT', customerId: dupont, fecBalance: 12_050, vigieBalance: 92_050, difference: 80_000 }]);
  });
});

describe('FEC files as other tools write them', () => {
  it('Odoo (l10n_fr_fec, real export): padded amounts, "-" as piece, the invoice number in EcritureNum; createCustomers makes the accounts it does not know', async () => {
    const odoo = readFileSync(path.resolve('test/fixtures/fec/odoo-14-l10n_fr_fec.txt'));
    const refused = await post(odoo, '?asOf=2021-05-31');
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('unknown_accounts');
    expect(refused.body.error.details.map((d: { line: number }) => d.line)).toEqual([6, 8]);
    const res = await post(odoo, '?asOf=2021-05-31&createCustomers=true');
    expect(res.status, JSON.stringify(res.body).slice(0, 500)).toBe(200);
    expect(res.body.createdCustomers).toEqual([
      expect.objectContaining({ account: '7', name: 'partner_a', line: 6 }),
      expect.objectContaining({ account: '411100', name: '411100', line: 8 }),
    ]);
    expect(res.body).toMatchObject({ encoding: 'UTF-8', lines: 7, entries: 2, documents: { invoices: 1, payments: 1 } });
    expect(res.body.reconciliation.matches).toBe(true);
    const invoice = (await t.as('credit_manager').get('/v1/invoices/INV%2F2021%2F00001')).body;
    expect(invoice).toMatchObject({ amount: 776_045, issueDate: '2021-05-02', dueDate: '2021-06-01' });
    const partner = (await t.as('credit_manager').get(`/v1/customers/${res.body.createdCustomers[0].customerId}`)).body;
    expect(partner).toMatchObject({ externalId: '7', name: 'partner_a', siren: null });
    // A customer without a SIREN cannot be assessed until one is set: said, not a 500.
    const assess = await t.as('credit_manager').post(`/v1/customers/${partner.id}/assessments`, {});
    expect(assess.status).toBe(409);
    expect(assess.body.error.code).toBe('siren_missing');
    const again = await post(odoo, '?asOf=2021-05-31&createCustomers=true');
    expect(again.body.createdCustomers).toEqual([]);
    expect(again.body.written).toMatchObject({ invoices: { created: 0, unchanged: 1 }, payments: { created: 0, unchanged: 1 } });
  });

  it('a 22-column export (BNC layout: DateRglt, ModeRglt, NatOp, IdClient) with CR CR LF line ends and EcritureNum 0: imported, then unchanged', async () => {
    const aux = `CB${Date.now().toString(36).toUpperCase()}`;
    const header = `${HEADER}\tDateRglt\tModeRglt\tNatOp\tIdClient`;
    const extra = (d: string) => `\t${d}\tVIR\t\t${aux}`;
    const p = aux.slice(-5);
    const file = [
      header,
      l('VE', '0', '20250110', '411000', aux, `B1-${p}`, 'Honoraires B1', '600,00', '', 'BA', '20250210') + extra(''),
      l('VE', '0', '20250110', '706000', '', `B1-${p}`, 'Honoraires B1', '', '600,00') + extra(''),
      l('BQ', '0', '20250210', '512000', '', `RB-${p}`, 'Règlement', '600,00', '') + extra('20250210'),
      l('BQ', '0', '20250210', '411000', aux, `RB-${p}`, 'Règlement', '', '600,00', 'BA', '20250210') + extra('20250210'),
      l('VE', '0', '20250301', '411000', aux, `B2-${p}`, 'Honoraires B2', '250,00', '') + extra(''),
      l('VE', '0', '20250301', '706000', '', `B2-${p}`, 'Honoraires B2', '', '250,00') + extra(''),
    ].join('\r\r\n') + '\r\r\n';
    const first = await post(Buffer.from(file, 'latin1'), '?asOf=2025-03-31&createCustomers=true');
    expect(first.status, JSON.stringify(first.body).slice(0, 500)).toBe(200);
    expect(first.body).toMatchObject({ encoding: 'ISO-8859-15', lines: 6, entries: 3, documents: { invoices: 2, payments: 1 }, createdCustomers: [expect.objectContaining({ account: aux })] });
    expect(first.body.reconciliation.matches).toBe(true);
    expect((await t.as('credit_manager').get(`/v1/invoices/B2-${p}`)).body).toMatchObject({ openAmount: 25_000 });
    const again = await post(Buffer.from(file, 'latin1'), '?asOf=2025-03-31&createCustomers=true');
    expect(again.body.written).toMatchObject({ invoices: { created: 0, updated: 0, unchanged: 2 }, payments: { created: 0, updated: 0, unchanged: 1 } });
    expect(again.body.createdCustomers).toEqual([]);
  });

  it('createCustomers is all or nothing with the ledger: a refused document leaves no customer behind', async () => {
    const aux = `CN${Date.now().toString(36).toUpperCase()}`;
    // FA-001 belongs to CDUPONT (imported above): the same number for a new account is refused.
    const file = [HEADER, l('VE', '9', '20250401', '411000', aux, 'FA-001', 'Facture', '100,00', ''), l('VE', '9', '20250401', '706000', '', 'FA-001', 'Facture', '', '100,00')].join('\n') + '\n';
    const res = await post(file, '?asOf=2025-04-30&createCustomers=true');
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect((await t.as('credit_manager').get(`/v1/customers?externalId=${aux}`)).body.items ?? []).toEqual([]);
    const { rows } = await t.container.database.pool.query('SELECT 1 FROM customers WHERE external_id = $1', [aux]);
    expect(rows).toEqual([]);
  });
});
