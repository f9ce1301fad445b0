import { expect } from 'vitest';
import { addDays, dayIn } from '../../src/clock.js';
import { makeSiren, type TestApp } from './test-app.js';

let n = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++n}`;

/** Calendar helpers relative to the app's clock, in the app's time zone. */
export function calendar(t: TestApp) {
  const today = () => dayIn(t.container.config.VIGIE_TIMEZONE, t.clock.now());
  return { today, day: (offset: number) => addDays(today(), offset) };
}

export async function createCustomer(t: TestApp, extra: Record<string, unknown> = {}): Promise<{ id: string; externalId: string }> {
  const externalId = unique('CUST');
  const res = await t.as('credit_manager').post('/v1/customers', { externalId, siren: makeSiren(), name: `Customer ${externalId}`, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.id, externalId: res.body.externalId };
}

export async function setLimit(t: TestApp, customerId: string, amount: number, extra: Record<string, unknown> = {}) {
  const res = await t.as('credit_manager').put(`/v1/customers/${customerId}/credit-limit`, { amount, currency: 'EUR', reason: 'test', ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

export async function invoice(
  t: TestApp,
  customerId: string,
  amount: number,
  opts: { dueIn?: number; issuedDaysAgo?: number; number?: string; orderId?: string } = {},
): Promise<string> {
  const { day } = calendar(t);
  const number = opts.number ?? unique('INV');
  const issue = day(-(opts.issuedDaysAgo ?? 30));
  const due = day(opts.dueIn ?? 30);
  const res = await t.as('credit_manager').post('/v1/invoices', {
    number,
    customerId,
    issueDate: issue <= due ? issue : due,
    dueDate: due,
    amount,
    currency: 'EUR',
    ...(opts.orderId ? { orderId: opts.orderId } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return number;
}

export async function pay(t: TestApp, customerId: string, amount: number, allocations?: Array<{ invoiceNumber: string; amount: number }>, opts: { reference?: string; daysAgo?: number } = {}) {
  const { day } = calendar(t);
  return t.as('credit_manager').post('/v1/payments', {
    reference: opts.reference ?? unique('PAY'),
    customerId,
    date: day(-(opts.daysAgo ?? 0)),
    amount,
    currency: 'EUR',
    ...(allocations ? { allocations } : {}),
  });
}

export async function credit(t: TestApp, customerId: string) {
  const res = await t.as('credit_manager').get(`/v1/customers/${customerId}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.credit;
}

export async function orderCheck(t: TestApp, customerId: string, amount: number, orderId = unique('ORD')) {
  return t.as('order_system').post('/v1/order-checks', { orderId, customerId, amount, currency: 'EUR' });
}

export { unique };
