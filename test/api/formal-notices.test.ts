import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays } from '../../src/clock.js';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';

/*
 * One formal notice per invoice (issue 21): two invoices due seven weeks apart. The first notice
 * names the one overdue then; when the second reaches its own notice, that notice names only it
 * and cites the first, which is still in force — never the same invoice twice. Its deadline runs
 * from its sending, as its text says.
 */
let t: TestApp;
let customerId: string;
const at = (day: string) => t.clock.set(`${day}T08:00:00Z`);
const notices = async () =>
  (
    await t.container.database.pool.query<{ id: string; run_on: string; numbers: string[]; document_id: string; deadline_on: string | null }>(
      `SELECT id, to_char(run_on, 'YYYY-MM-DD') AS run_on, array(SELECT e->>'number' FROM jsonb_array_elements(invoices) e) AS numbers, document_id,
              to_char(deadline_on, 'YYYY-MM-DD') AS deadline_on
         FROM collection_actions WHERE customer_id = $1 AND formal_notice ORDER BY run_on`,
      [customerId],
    )
  ).rows;

beforeAll(async () => {
  t = await createTestApp({ ...COMPANY_ENV }, { now: '2025-12-01T08:00:00Z', schedule: NO_SCHEDULES });
  ({ id: customerId } = await createCustomer(t));
  await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contacts: [{ name: 'Compta', email: 'compta@client.example' }] }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: 'FN-A', customerId, issueDate: '2025-12-01', dueDate: '2026-01-01', amount: 100_000, currency: 'EUR' }).expect(200);
  await t.as('credit_manager').post('/v1/invoices', { number: 'FN-B', customerId, issueDate: '2026-01-19', dueDate: '2026-02-18', amount: 40_000, currency: 'EUR' }).expect(200);
  for (let day = '2025-12-29'; day <= '2026-03-25'; day = addDays(day, 1)) {
    at(day);
    await t.container.services.collections.dunning.run();
    await t.container.services.collections.dunning.run();
    const [first] = await notices();
    if (first && day === '2026-02-02') await t.as('collector').post(`/v1/collections/actions/${first.id}/letter-sent`, { sentOn: '2026-02-02', registeredNumber: '1A 000 111 2223 4' }).expect(200);
  }
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('formal notices', () => {
  it('name each invoice once: the second notice names only the invoice not yet in one', async () => {
    const list = await notices();
    expect(list.map((n) => [n.run_on, n.numbers])).toEqual([
      ['2026-01-31', ['FN-A']], // D+30 of FN-A; FN-B was not yet due
      ['2026-03-20', ['FN-B']], // D+30 of FN-B: FN-A is in the notice of 31 January, still in force
    ]);
    // The first notice's deadline ran from its sending (2 February), not from its drafting.
    expect(list[0]!.deadline_on).toBe('2026-02-10');
  });

  it('the second cites the first, and both count their deadline from the sending', async () => {
    const [first, second] = await notices();
    const text = async (id: string) => pdfText((await binary(t.as('collector').get(`/v1/collections/documents/${id}`))).body as Buffer);
    const one = await text(first!.document_id);
    expect(one).toContain('dans un délai de 8 jours à compter de l\'envoi du présent courrier');
    expect(one).not.toContain('réception');
    const two = await text(second!.document_id);
    expect(two).toContain('Notre mise en demeure du 2 février 2026 pour la facture FN-A reste en vigueur : cette facture n\'est pas reprise ici.');
    expect(two).toMatch(/FN-B 19\/01\/2026 18\/02\/2026 400,00 €/);
    expect(two).not.toMatch(/FN-A \d\d\/\d\d\/\d{4}/); // not in the invoice table
  });
});
