import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer } from '../setup/ledger-helpers.js';
import { NO_SCHEDULES } from '../setup/jobs.js';
import { pdfText } from '../setup/pdf-text.js';
import { binary, COMPANY_ENV } from '../setup/collections.js';

let t: TestApp;
let customerId: string;

beforeAll(async () => {
  t = await createTestApp({ ...COMPANY_ENV }, { now: '2025-07-20T10:00:00Z', schedule: NO_SCHEDULES });
  ({ id: customerId } = await createCustomer(t, { name: 'Garage Dupont' }));
  const inv = (number: string, dueDate: string, amount: number) =>
    t.as('credit_manager').post('/v1/invoices', { number, customerId, issueDate: '2025-05-16', dueDate, amount, currency: 'EUR' });
  expect((await inv('S-1', '2025-06-15', 1_000_000)).status).toBe(200);
  expect((await inv('S-2', '2025-06-15', 200_000)).status).toBe(200);
  expect((await inv('S-3', '2025-08-15', 50_000)).status).toBe(200);
  const pay = await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-0710', customerId, date: '2025-07-10', amount: 400_000, currency: 'EUR', allocations: [{ invoiceNumber: 'S-1', amount: 400_000 }] });
  expect(pay.status, JSON.stringify(pay.body)).toBe(200);
});
afterAll(() => t?.close());

const statement = async (asOf: string) => {
  const res = await t.as('collector').get(`/v1/customers/${customerId}/statement?asOf=${asOf}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};

describe('the statement (décompte) and late-payment claims', () => {
  it('penalties by period across the half-year boundary, on what is unpaid each day, and €40 per invoice', async () => {
    const s = await statement('2025-07-20');
    const s1 = s.invoices.find((i: { number: string }) => i.number === 'S-1');
    expect(s1).toMatchObject({ amount: 1_000_000, paid: 400_000, open: 600_000, daysLate: 35, settledOn: null });
    expect(s1.penalty.periods.map((p: Record<string, unknown>) => [p.from, p.to, p.days, p.base, p.ratePercent, p.basis, p.amount])).toEqual([
      ['2025-06-16', '2025-06-30', 15, 1_000_000, 13.15, 'legal_default', 5404],
      ['2025-07-01', '2025-07-09', 9, 1_000_000, 12.15, 'legal_default', 2996],
      ['2025-07-10', '2025-07-20', 11, 600_000, 12.15, 'legal_default', 2197],
    ]);
    expect(s1.penalty.total).toBe(10_597);
    expect(s1.indemnity).toMatchObject({ amount: 4000, waived: null });
    expect(s1.indemnity.source).toContain('D441-5');
    // S-3 is not due yet: no penalty, no indemnity.
    const s3 = s.invoices.find((i: { number: string }) => i.number === 'S-3');
    expect(s3.penalty.total).toBe(0);
    expect(s3.indemnity.amount).toBe(0);
    const s2 = s.invoices.find((i: { number: string }) => i.number === 'S-2');
    // 2 000 € × 13.15 % × 15 / 365 = 10.808… → 10.81 €; × 12.15 % × 20 / 365 = 13.315… → 13.32 €
    expect(s2.penalty.periods.map((p: { amount: number }) => p.amount)).toEqual([1081, 1332]);
    expect(s.totals).toEqual({ principal: 850_000, penalties: 10_597 + 2413, indemnities: 8000, total: 850_000 + 10_597 + 2413 + 8000 });
    expect(s.credits).toEqual([{ kind: 'payment', reference: 'VIR-0710', date: '2025-07-10', amount: 400_000, applied: 400_000 }]);
    expect(s.rates.map((r: { periodStart: string }) => r.periodStart)).toEqual(['2025-01-01', '2025-07-01']);
    expect(s.rateBasis.kind).toBe('legal_default');
  });

  it('a contract rate below the floor is refused; one above it is floored in a half-year where it falls below, and stated', async () => {
    const low = await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contractPenaltyRatePercent: 8 });
    expect(low.status).toBe(400);
    expect(low.body.error.code).toBe('rate_below_legal_floor');
    expect(low.body.error.details[0].message).toContain('8.28 %');
    const ok = await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contractPenaltyRatePercent: 9 });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const s = await statement('2025-07-20');
    const s1 = s.invoices.find((i: { number: string }) => i.number === 'S-1');
    expect(s1.penalty.periods.map((p: Record<string, unknown>) => [p.ratePercent, p.basis])).toEqual([
      [11.13, 'contract_floored'],
      [9, 'contract'],
      [9, 'contract'],
    ]);
    expect(s.rateBasis).toMatchObject({ kind: 'contract', contractRatePercent: 9 });
    expect(s.warnings.join(' ')).toContain('floor');
    await t.as('collector').put(`/v1/customers/${customerId}/collections-profile`, { contractPenaltyRatePercent: null });
  });

  it('a waiver keeps the computed penalty visible and audited; claims are not lost when the principal is paid', async () => {
    const collector = await t.as('collector').post('/v1/invoices/S-1/penalty-waiver', { waive: 'penalties', reason: 'geste commercial' });
    expect(collector.status).toBe(403);
    const waived = await t.as('credit_manager').post('/v1/invoices/S-1/penalty-waiver', { waive: 'penalties', reason: 'geste commercial' });
    expect(waived.status, JSON.stringify(waived.body)).toBe(200);
    const s = await statement('2025-07-20');
    const s1 = s.invoices.find((i: { number: string }) => i.number === 'S-1');
    expect(s1.penalty.total).toBe(0);
    expect(s1.penalty.periods).toHaveLength(3);
    expect(s1.penalty.waived).toMatchObject({ reason: 'geste commercial', by: 'test-credit_manager' });
    expect(s1.indemnity.amount).toBe(4000);
    const audit = await t.as('admin').get(`/v1/audit?customerId=${customerId}`);
    expect(audit.body.items.some((e: { action: string }) => e.action === 'late_payment_claim.waived')).toBe(true);

    // S-2 paid in full late, on 25 July: the penalty stops there, and it stays on the statement with its indemnity.
    t.clock.set('2025-07-31T10:00:00Z');
    await t.as('credit_manager').post('/v1/payments', { reference: 'VIR-0725', customerId, date: '2025-07-25', amount: 200_000, currency: 'EUR', allocations: [{ invoiceNumber: 'S-2', amount: 200_000 }] });
    const later = await statement('2025-07-31');
    const s2 = later.invoices.find((i: { number: string }) => i.number === 'S-2');
    expect(s2).toMatchObject({ open: 0, settledOn: '2025-07-25', daysLate: 40 });
    expect(s2.penalty.periods.at(-1).to).toBe('2025-07-24');
    expect(s2.penalty.total).toBeGreaterThan(0);
    expect(s2.indemnity.amount).toBe(4000);
  });

  it('as a PDF', async () => {
    const res = await binary(t.as('collector').get(`/v1/customers/${customerId}/statement?asOf=2025-07-31&format=pdf`));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = await pdfText(res.body as Buffer);
    for (const s of ['Relevé de compte', 'Garage Dupont', 'S-1', 'S-2', 'Pénalités par période', '13,15 %', '12,15 %', 'VIR-0710', 'Total dû', 'Fournitures Durand SAS']) expect(text, s).toContain(s);
  });

  it('the rates are data with their sources: an admin adds a half-year; bad input is refused', async () => {
    const list = await t.as('collector').get('/v1/collections/late-payment-rates');
    expect(list.body.items.find((r: { periodStart: string }) => r.periodStart === '2025-07-01')).toMatchObject({ ecbRefiRatePercent: 2.15, legalRateProfessionalPercent: 2.76, defaultPenaltyRatePercent: 12.15, contractRateFloorPercent: 8.28 });
    expect(list.body.items[0].sources).toContain('ECB');
    expect((await t.as('collector').put('/v1/collections/late-payment-rates/2026-07-01', { ecbRefiRatePercent: 2.15, legalRateProfessionalPercent: 2.5, sources: 'x' })).status).toBe(403);
    const bad = await t.as('admin').put('/v1/collections/late-payment-rates/2026-03-01', { ecbRefiRatePercent: 2.15, legalRateProfessionalPercent: 2.5, sources: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('params.periodStart');
    const put = await t.as('admin').put('/v1/collections/late-payment-rates/2024-07-01', { ecbRefiRatePercent: 4.25, legalRateProfessionalPercent: 4.92, sources: 'ECB, Banque de France' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ defaultPenaltyRatePercent: 14.25, contractRateFloorPercent: 14.76 });
    const indemnities = await t.as('collector').get('/v1/collections/recovery-indemnities');
    expect(indemnities.body.items).toEqual([expect.objectContaining({ validFrom: '2013-01-01', currency: 'EUR', amount: 4000 })]);
  });
});
