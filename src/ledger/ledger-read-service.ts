import { InvalidInput, NotFound } from '../errors.js';
import { daysBetween } from '../clock.js';
import type { CreditService } from '../credit/credit-service.js';
import type { After, CreditReadRow, InvoiceReadRow, LedgerReadStore } from './ledger-read-store.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

function encodeCursor(after: After): string {
  return Buffer.from(JSON.stringify([after.day, after.key])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): After | undefined {
  if (cursor === undefined) return undefined;
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v[0]) && typeof v[1] === 'string') {
      return { day: v[0], key: v[1] };
    }
  } catch {
    // not ours
  }
  throw InvalidInput.field('query.cursor', 'not a cursor returned by this API');
}

function page<R, T>(rows: R[], limit: number, view: (r: R) => T, key: (r: R) => After): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(view), nextCursor: more ? encodeCursor(key(items[items.length - 1]!)) : null };
}

/** The ledger as the API shows it: invoices with their allocations, lateness and order hold; payments and credit notes. */
export class LedgerReadService {
  constructor(
    private readonly store: LedgerReadStore,
    private readonly credit: CreditService,
  ) {}

  async invoices(query: { customerId?: string | undefined; status?: 'open' | 'overdue' | 'paid' | undefined; cursor?: string | undefined; limit: number }) {
    const { today, overdueBefore } = await this.credit.overdueThreshold();
    const rows = await this.store.invoices({
      ...(query.customerId ? { customerId: query.customerId } : {}),
      ...(query.status ? { status: query.status } : {}),
      overdueBefore,
      ...(query.cursor ? { after: decodeCursor(query.cursor)! } : {}),
      limit: query.limit + 1,
    });
    return page(rows, query.limit, (r) => invoiceView(r, today, overdueBefore), (r) => ({ day: r.due_date, key: r.number }));
  }

  async invoice(number: string) {
    const { today, overdueBefore } = await this.credit.overdueThreshold();
    const [row] = await this.store.invoices({ number, overdueBefore, limit: 1 });
    if (!row) throw new NotFound(`No invoice ${number}`, 'invoice_not_found');
    return invoiceView(row, today, overdueBefore);
  }

  async credits(kind: 'payment' | 'credit_note', query: { customerId?: string | undefined; cursor?: string | undefined; limit: number }) {
    const rows = await this.store.credits({
      kind,
      ...(query.customerId ? { customerId: query.customerId } : {}),
      ...(query.cursor ? { after: decodeCursor(query.cursor)! } : {}),
      limit: query.limit + 1,
    });
    return page(rows, query.limit, creditView, (r) => ({ day: r.date, key: r.reference }));
  }
}

function invoiceView(r: InvoiceReadRow, today: string, overdueBefore: string) {
  const status = r.open_amount === 0 ? 'paid' : r.due_date < overdueBefore ? 'overdue' : 'open';
  return {
    number: r.number,
    customerId: r.customer_id,
    issueDate: r.issue_date,
    dueDate: r.due_date,
    amount: r.amount,
    openAmount: r.open_amount,
    currency: r.currency,
    status,
    daysLate: r.open_amount > 0 ? Math.max(0, daysBetween(r.due_date, today)) : r.settled_on ? Math.max(0, daysBetween(r.due_date, r.settled_on)) : 0,
    settledOn: r.settled_on,
    dueDateEstimated: r.due_date_estimated,
    factoring: r.factor === null ? null : { factor: r.factor, assignedOn: r.factored_on, recourse: r.factor_recourse },
    orderId: r.order_id,
    orderHold: r.order_id && r.hold_status ? { status: r.hold_status, amount: r.hold_amount ?? 0 } : null,
    allocations: r.allocations,
  };
}

function creditView(r: CreditReadRow) {
  return {
    reference: r.reference,
    customerId: r.customer_id,
    date: r.date,
    amount: r.amount,
    unapplied: r.unapplied,
    currency: r.currency,
    allocations: r.allocations,
  };
}
