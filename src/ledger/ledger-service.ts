import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { InvalidInput } from '../errors.js';
import type { CreditStore } from '../credit/credit-store.js';
import type { CreditRow, InvoiceRow, LedgerStore } from './ledger-store.js';
import { ownString } from './csv.js';

type Trx = Transaction<DB>;

/** Document keys an import keeps in memory before it keeps them in its transaction instead. */
const SEEN_IN_MEMORY = 20_000;

/** Where a document came from, to name the field at fault: `body[3].dueDate` or `line 17, due_date`. */
export interface DocRef {
  field(name: string): string;
  line?: number;
}

export interface CustomerRefInput {
  customerId?: string | undefined;
  customerExternalId?: string | undefined;
}

export interface InvoiceInput extends CustomerRefInput {
  ref: DocRef;
  number: string;
  issueDate: string;
  dueDate: string;
  amount: number;
  currency: string;
  orderId?: string | null | undefined;
  /** The due date was derived from the customer's terms (FEC import). */
  dueDateEstimated?: boolean | undefined;
}

export interface CreditInput extends CustomerRefInput {
  ref: DocRef;
  kind: 'payment' | 'credit_note';
  reference: string;
  date: string;
  amount: number;
  currency: string;
  /** Explicit allocations; for a credit note, at most one (the invoice it reduces). `field` is relative to the document. */
  allocations: Array<{ invoiceNumber: string; amount: number; field: string }>;
}

interface Counts {
  created: number;
  updated: number;
  unchanged: number;
}

export interface IngestResult {
  invoices: Counts;
  payments: Counts;
  creditNotes: Counts;
  holdsConsumed: number;
  autoAllocated: number;
}

const emptyCounts = (): Counts => ({ created: 0, updated: 0, unchanged: 0 });

function fail(ref: DocRef, field: string, message: string, code = 'invalid_input'): InvalidInput {
  const name = ref.field(field);
  return new InvalidInput(`${name}: ${message}`, [{ field: name, message, ...(ref.line ? { line: ref.line } : {}) }], code);
}

/**
 * Writes invoices, payments and credit notes: idempotent by the ERP's document number, all or
 * nothing per call, set-based per batch. Every batch locks the accounts it touches first, so it
 * serialises with order checks for those customers.
 */
export class LedgerService {
  private readonly listeners: Array<(customerIds: string[]) => void> = [];

  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: LedgerStore,
    private readonly credit: CreditStore,
  ) {}

  /** Called after each committed write with the customers it touched (the exposure watch listens). */
  onChange(listener: (customerIds: string[]) => void): void {
    this.listeners.push(listener);
  }

  private changed(state: IngestState): void {
    this.announce([...state.locked]);
  }

  /** Tells the listeners that these customers' receivables changed outside an ingest (an invoice assigned to a factor). */
  announce(customerIds: string[]): void {
    if (customerIds.length > 0) for (const l of this.listeners) l(customerIds);
  }

  async ingest(invoices: InvoiceInput[], credits: CreditInput[]): Promise<IngestResult> {
    const state = newState();
    await this.db.transaction().execute(async (trx) => {
      await this.applyChunk(trx, invoices, credits, state);
    });
    this.changed(state);
    return state.result;
  }

  /**
   * For imports: many chunks in one transaction, so the whole import lands or none of it does.
   * `seen` keeps document keys across chunks to refuse a document twice in one import.
   */
  /** `first`: work done in the same transaction before the first chunk (an import creating the customers it needs). */
  async ingestChunks(chunks: AsyncIterable<{ invoices: InvoiceInput[]; credits: CreditInput[] }>, first?: (trx: Trx) => Promise<void>): Promise<IngestResult> {
    const state = newState();
    await this.db.transaction().execute(async (trx) => {
      if (first) await first(trx);
      for await (const chunk of readAhead(chunks)) await this.applyChunk(trx, chunk.invoices, chunk.credits, state);
    });
    this.changed(state);
    return state.result;
  }

  private async applyChunk(trx: Trx, invoices: InvoiceInput[], credits: CreditInput[], state: IngestState): Promise<void> {
    if (invoices.length === 0 && credits.length === 0) return;
    const { result } = state;
    const customerOf = await this.resolveCustomers(trx, [...invoices, ...credits], state.customers);
    await this.rememberOnce(trx, state, [
      ...invoices.map((doc) => ({ key: `invoice:${doc.number}`, ref: doc.ref, field: 'number', label: doc.number })),
      ...credits.map((doc) => ({ key: `${doc.kind}:${doc.reference}`, ref: doc.ref, field: doc.kind === 'payment' ? 'reference' : 'number', label: doc.reference })),
    ]);
    const customerIds = [...new Set(customerOf.values())];
    // An account locked by an earlier chunk of this transaction stays locked until it ends.
    const toLock = customerIds.filter((id) => !state.locked.has(id));
    await this.credit.lockMany(toLock, trx);
    for (const id of toLock) state.locked.add(id);
    const touchedInvoices: string[] = [];
    let resent: Array<{ id: string; kind: string }> = [];
    let before = new Map<string, string>();

    if (invoices.length > 0) {
      const rows: InvoiceRow[] = invoices.map((doc) => ({
        number: doc.number,
        customerId: customerOf.get(doc)!,
        issueDate: doc.issueDate,
        dueDate: doc.dueDate,
        amount: doc.amount,
        currency: doc.currency,
        orderId: doc.orderId ?? null,
        dueDateEstimated: doc.dueDateEstimated ?? false,
      }));
      // New numbers are inserted at once; a number already in the ledger is checked, then updated.
      const inserted = await this.store.insertNewInvoices(rows, trx);
      result.invoices.created += inserted.size;
      const resent = invoices.flatMap((doc, i) => (inserted.has(doc.number) ? [] : [{ doc, row: rows[i]! }]));
      if (resent.length > 0) {
        const existing = new Map((await this.store.existingInvoices(resent.map((r) => r.doc.number), trx)).map((r) => [r.number, r]));
        for (const { doc, row } of resent) {
          const before = existing.get(doc.number);
          if (before && before.customer_id !== row.customerId) {
            throw fail(doc.ref, 'number', `invoice ${doc.number} already exists for another customer`, 'document_customer_mismatch');
          }
          if (before && before.settled > doc.amount) {
            throw fail(doc.ref, 'amount', `invoice ${doc.number} already has ${before.settled} settled by payments or credit notes; its amount cannot become ${doc.amount}`, 'over_allocation');
          }
        }
        const up = await this.store.upsertInvoices(resent.map((r) => r.row), trx);
        result.invoices.created += up.created;
        result.invoices.updated += up.updated;
        result.invoices.unchanged += resent.length - up.created - up.updated;
      }
      const orderIds = [...new Set(rows.flatMap((r) => (r.orderId ? [r.orderId] : [])))];
      result.holdsConsumed += await this.store.consumeHolds(orderIds, trx);
    }

    if (credits.length > 0) {
      const existing = await this.store.existingCredits(credits.map((c) => ({ kind: c.kind, reference: c.reference })), trx);
      const existingByKey = new Map(existing.map((r) => [`${r.kind}:${r.reference}`, r]));
      for (const doc of credits) {
        const before = existingByKey.get(`${doc.kind}:${doc.reference}`);
        if (before && before.customer_id !== customerOf.get(doc)) {
          throw fail(doc.ref, doc.kind === 'payment' ? 'reference' : 'number', `${doc.kind.replace('_', ' ')} ${doc.reference} already exists for another customer`, 'document_customer_mismatch');
        }
      }
      // A credit sent again is reported unchanged when it ends as it was: same fields, same allocations.
      const signaturesBefore = await this.store.creditSignatures(existing.map((r) => r.id), trx);
      touchedInvoices.push(...(await this.store.reverseAllocations(existing.map((r) => r.id), trx)));
      const rows: CreditRow[] = credits.map((doc) => ({
        kind: doc.kind,
        reference: doc.reference,
        customerId: customerOf.get(doc)!,
        date: doc.date,
        amount: doc.amount,
        currency: doc.currency,
      }));
      const upserted = await this.store.upsertCredits(rows, trx);
      const idByKey = new Map(upserted.map((r) => [`${r.kind}:${r.reference}`, r.id]));
      resent = upserted.filter((r) => !r.inserted);
      for (const r of upserted) if (r.inserted) (r.kind === 'payment' ? result.payments : result.creditNotes).created++;
      before = signaturesBefore;

      const wanted = credits.flatMap((doc) => doc.allocations.map((a) => ({ doc, ...a })));
      if (wanted.length > 0) {
        const invoicesByNumber = new Map((await this.store.openInvoicesByNumber([...new Set(wanted.map((w) => w.invoiceNumber))], trx)).map((r) => [r.number, r]));
        const remaining = new Map<string, number>();
        const merged = new Map<string, { creditId: string; invoiceId: string; amount: number }>();
        for (const w of wanted) {
          const invoice = invoicesByNumber.get(w.invoiceNumber);
          const customerId = customerOf.get(w.doc)!;
          if (!invoice || invoice.customer_id !== customerId) {
            throw fail(w.doc.ref, w.field, `no invoice ${w.invoiceNumber} for this customer`, 'invoice_not_found');
          }
          const open = remaining.get(invoice.id) ?? invoice.open_amount;
          if (w.amount > open) {
            throw fail(
              w.doc.ref,
              w.field,
              `over-allocates invoice ${w.invoiceNumber}: ${open} is open${open < invoice.open_amount ? ' after the other allocations in this batch' : ''}, ${w.amount} allocated`,
              'over_allocation',
            );
          }
          remaining.set(invoice.id, open - w.amount);
          const creditId = idByKey.get(`${w.doc.kind}:${w.doc.reference}`)!;
          const key = `${creditId}:${invoice.id}`;
          const m = merged.get(key);
          if (m) m.amount += w.amount;
          else merged.set(key, { creditId, invoiceId: invoice.id, amount: w.amount });
          touchedInvoices.push(invoice.id);
        }
        await this.store.allocate([...merged.values()], trx);
      }
    }

    const auto = await this.store.autoAllocate(customerIds, trx);
    result.autoAllocated += auto.allocations;
    touchedInvoices.push(...auto.invoiceIds);
    await this.store.refreshSettlement(touchedInvoices, trx);
    if (resent.length > 0) {
      const after = await this.store.creditSignatures(resent.map((r) => r.id), trx);
      for (const r of resent) {
        const counts = r.kind === 'payment' ? result.payments : result.creditNotes;
        if (before.get(r.id) === after.get(r.id)) counts.unchanged++;
        else counts.updated++;
      }
    }
  }

  /** One query for every customer a chunk names; checks each document's currency against its customer's. */
  /**
   * Refuses a document twice in one call or import. The keys are kept in memory up to
   * SEEN_IN_MEMORY; past that (a large import), in a temporary table of the transaction, so that a
   * file of millions of lines holds one chunk of keys in memory, not all of them.
   */
  private async rememberOnce(trx: Trx, state: IngestState, entries: Array<{ key: string; ref: DocRef; field: string; label: string }>): Promise<void> {
    const { seen } = state;
    for (const e of entries) {
      const earlier = seen.get(e.key);
      if (earlier) throw fail(e.ref, e.field, `${e.label} appears twice in this batch (also at ${earlier.ref.field(earlier.field)})`, 'duplicate_document');
      seen.set(ownString(e.key), { ref: e.ref, field: e.field });
    }
    if (!state.spilled && seen.size <= SEEN_IN_MEMORY) return;
    const keys = [...seen.keys()];
    const duplicates = await this.store.rememberImportKeys(keys, keys.map((k) => { const v = seen.get(k)!; return v.ref.field(v.field); }), trx);
    seen.clear();
    state.spilled = true;
    const first = duplicates[0];
    if (first) {
      const e = entries.find((x) => x.key === first.key)!;
      throw fail(e.ref, e.field, `${e.label} appears twice in this batch (also at ${first.at})`, 'duplicate_document');
    }
  }

  private async resolveCustomers(trx: Trx, docs: Array<InvoiceInput | CreditInput>, known: IngestState['customers']): Promise<Map<InvoiceInput | CreditInput, string>> {
    const ids = new Set<string>();
    const externalIds = new Set<string>();
    for (const d of docs) {
      if (d.customerId) {
        if (!known.byId.has(d.customerId)) ids.add(d.customerId);
      } else if (d.customerExternalId && !known.byExternal.has(d.customerExternalId)) externalIds.add(d.customerExternalId);
    }
    if (ids.size + externalIds.size > 0) {
      for (const r of await this.store.customersByRefs([...ids], [...externalIds], trx)) {
        known.byId.set(r.id, r);
        known.byExternal.set(r.external_id, r);
      }
    }
    const out = new Map<InvoiceInput | CreditInput, string>();
    for (const d of docs) {
      const customer = d.customerId ? known.byId.get(d.customerId) : known.byExternal.get(d.customerExternalId!);
      if (!customer) {
        throw d.customerId
          ? fail(d.ref, 'customerId', `no customer ${d.customerId}`, 'customer_not_found')
          : fail(d.ref, 'customerExternalId', `no customer with externalId "${d.customerExternalId}"`, 'customer_not_found');
      }
      if (customer.currency !== d.currency) {
        throw fail(d.ref, 'currency', `${d.currency} differs from the customer's currency ${customer.currency}`, 'currency_mismatch');
      }
      out.set(d, customer.id);
    }
    return out;
  }
}

/** What one ledger transaction carries from chunk to chunk. */
interface IngestState {
  result: IngestResult;
  /** Accounts locked so far in this transaction. */
  locked: Set<string>;
  /** Document keys seen (in this chunk once spilled), to refuse a document twice in one call. */
  seen: Map<string, { ref: DocRef; field: string }>;
  /** The keys went to the transaction's temporary table (a large import). */
  spilled: boolean;
  customers: {
    byId: Map<string, { id: string; external_id: string; currency: string }>;
    byExternal: Map<string, { id: string; external_id: string; currency: string }>;
  };
}

function newState(): IngestState {
  return {
    result: { invoices: emptyCounts(), payments: emptyCounts(), creditNotes: emptyCounts(), holdsConsumed: 0, autoAllocated: 0 },
    locked: new Set(),
    seen: new Map(),
    spilled: false,
    customers: { byId: new Map(), byExternal: new Map() },
  };
}



/**
 * Pulls the next item while the consumer works on the current one, so parsing the next chunk of an
 * import overlaps the database writing the previous one.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let pending = it.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = it.next();
      // A failure of the read-ahead is reported when it is awaited, not as an unhandled rejection.
      pending.catch(() => {});
      yield current.value;
    }
  } finally {
    await it.return?.();
  }
}
