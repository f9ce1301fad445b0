import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { addDays } from '../clock.js';
import { InvalidInput } from '../errors.js';
import type { CreditInput, DocRef, IngestResult, InvoiceInput, LedgerService } from '../ledger/ledger-service.js';
import { decodeLines, parseFec, type FecEncoding, type FecLine } from './fec-parser.js';
import { ownString } from '../ledger/csv.js';
import type { CustomersService } from '../customers/customers-service.js';

/** A receivable document read from the FEC's customer lines (accounts 411…). */
interface Doc {
  type: 'invoice' | 'payment' | 'credit_note';
  key: string;
  id: string;
  date: string;
  amount: number;
  letter: string;
  letterDate: string | null;
  line: number;
}

class FecRef implements DocRef {
  constructor(readonly line: number) {}
  field(name: string): string {
    return `line ${this.line}, ${name}`;
  }
}

/**
 * An entry (écriture) is its journal and EcritureNum. Some tools write 0, or nothing, or the same
 * number on every line of a journal: then the entry is its journal, date and piece reference, and
 * its documents' references are built from those, so that a re-import finds them again.
 */
const PLACEHOLDER_ENTRY = /^0*$/;
const entryKey = (l: FecLine) => (PLACEHOLDER_ENTRY.test(l.entry) ? `${l.journal}|${l.date}|${l.piece}` : `${l.journal}|${l.entry}`);
const entryRef = (l: FecLine) => (PLACEHOLDER_ENTRY.test(l.entry) ? `${l.journal}-${l.date.replace(/-/g, '')}-${l.piece || 'SP'}` : `${l.journal}-${l.entry}`);

const OPENING_JOURNALS = new Set(['AN', 'RAN', 'ANO', 'ANX', 'OUV']);
const PLACEHOLDER_PIECES = new Set(['', '-', '0', 'NA', 'N/A', 'SANS', 'X']);
const CHUNK = 20_000;

export interface FecReport {
  encoding: string;
  lines: number;
  customerLines: number;
  entries: number;
  documents: { invoices: number; payments: number; creditNotes: number; writeOffs: number; doubtfulTransfers: number };
  dueDatesEstimated: number;
  lettering: { groups: number; allocated: number; partialGroups: number };
  written: IngestResult;
  /** With createCustomers=true: the customers made for unknown accounts (no SIREN yet: set it to assess them). */
  createdCustomers: Array<{ account: string; customerId: string; name: string; line: number }>;
  reconciliation: { matches: boolean; customers: Array<{ account: string; customerId: string; fecBalance: number; vigieBalance: number; difference: number }> };
  timings: { parseMs: number; planMs: number; writeMs: number; reconcileMs: number };
}

/**
 * The FEC import: customer lines (411…) become invoices (debits), payments (credits against a
 * bank or cash account, or anything else), and credit notes (credits against sales accounts 7…,
 * transfers to doubtful receivables 416 and write-offs 654 — kept apart by their reference
 * prefix for the KPIs). The customer is CompAuxNum (else CompteNum): a customer's externalId, or
 * an account mapped to one. Lettering (EcritureLet, DateLet up to `asOf`) allocates the credits of
 * a letter to its invoices in date order; partial lettering leaves the rest open. Due dates come
 * from the customer's terms (flagged estimated). Idempotent (references derive from the journal,
 * entry and piece), all or nothing, then reconciled per customer.
 */
export class FecImportService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      ledger: LedgerService;
      customers: CustomersService;
      audit: AuditService;
      today: () => string;
    },
  ) {}

  /** `opts.encoding`: the whole file's, when the caller could read it first (detectFecEncoding); else judged on the first bytes. */
  async import(body: AsyncIterable<Buffer | string>, opts: { asOf?: string | undefined; encoding?: FecEncoding; createCustomers?: boolean }, actor: AuthContext): Promise<FecReport> {
    const asOf = opts.asOf ?? this.o.today();
    const started = Date.now();
    const docs: Doc[] = [];
    const balances = new Map<string, number>();
    const labels = new Map<string, { label: string; line: number }>();
    const counts = { lines: 0, customerLines: 0, entries: 0, writeOffs: 0, doubtfulTransfers: 0 };
    const numbers = new Set<string>();
    let encoding = 'UTF-8';
    let entry: FecLine[] = [];

    const flush = () => {
      if (entry.length === 0) return;
      counts.entries++;
      const others = entry.filter((l) => !l.account.startsWith('411'));
      const has = (p: (a: string) => boolean) => others.some((l) => p(l.account));
      const opening = OPENING_JOURNALS.has(entry[0]!.journal.toUpperCase()) || /nouveau/i.test(entry[0]!.label);
      let k = 0;
      for (const l of entry) {
        if (!l.account.startsWith('411')) continue;
        k++;
        counts.customerLines++;
        const key = ownString(l.aux || l.account);
        balances.set(key, (balances.get(key) ?? 0) + l.amount);
        if (!labels.has(key)) labels.set(key, { label: ownString(l.auxLabel), line: l.line });
        if (l.amount === 0) continue;
        const base = `${entryRef(l)}-${k}`;
        const common = { key, date: l.pieceDate ?? l.date, amount: Math.abs(l.amount), letter: ownString(l.letter), letterDate: l.letterDate, line: l.line };
        if (l.amount > 0) {
          const piece = PLACEHOLDER_PIECES.has(l.piece.toUpperCase()) ? '' : ownString(l.piece);
          // No piece reference (a placeholder such as "-"): the entry's own number names the invoice when it is
          // a real one (Odoo writes the invoice number there), else the entry's reference and line.
          const named = piece || (k === 1 && !PLACEHOLDER_ENTRY.test(l.entry) ? ownString(l.entry) : base);
          let number = opening ? `AN-${key}-${named}` : named;
          if (numbers.has(number)) number = `${number}/${base}`;
          numbers.add(number);
          docs.push({ type: 'invoice', id: number, ...common });
        } else if (has((a) => a.startsWith('654'))) {
          counts.writeOffs++;
          docs.push({ type: 'credit_note', id: `FEC-654-${base}`, ...common });
        } else if (has((a) => a.startsWith('416'))) {
          counts.doubtfulTransfers++;
          docs.push({ type: 'credit_note', id: `FEC-416-${base}`, ...common });
        } else if (!opening && has((a) => a.startsWith('7')) && !has((a) => a.startsWith('51') || a.startsWith('53'))) {
          docs.push({ type: 'credit_note', id: `FEC-AV-${base}`, ...common });
        } else {
          docs.push({ type: 'payment', id: `FEC-${base}`, ...common });
        }
      }
      entry = [];
    };

    const lines = decodeLines(body, opts.encoding);
    const tracked = (async function* () {
      for await (const l of lines) {
        encoding = l.encoding;
        yield l;
      }
    })();
    for await (const l of parseFec(tracked)) {
      counts.lines++;
      const head = entry[0];
      if (head && entryKey(head) !== entryKey(l)) flush();
      entry.push(l);
    }
    flush();
    const parsedAt = Date.now();

    // Customers: by externalId, else a stored mapping; every unknown account is listed, nothing written.
    const keys = [...balances.keys()];
    const customers = await this.customers(keys);
    const unknown = keys.filter((k) => !customers.has(k));
    // Created with the ledger, in its transaction (all or nothing): externalId = the account, name = its label.
    const toCreate = opts.createCustomers ? unknown.map((k) => ({ account: k, name: labels.get(k)!.label || k })) : [];
    if (unknown.length > 0 && !opts.createCustomers) {
      throw new InvalidInput(
        `${unknown.length} customer account(s) of the FEC match no customer (by externalId or mapping): ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? '…' : ''}`,
        unknown.slice(0, 100).map((a) => ({ field: 'CompAuxNum', line: labels.get(a)!.line, message: `account ${a}${labels.get(a)!.label ? ` (${labels.get(a)!.label})` : ''}: create the customer with this externalId, or map it with PUT /v1/imports/fec/mappings/${a}` })),
        'unknown_accounts',
      );
    }
    for (const c of toCreate) customers.set(c.account, { id: '', currency: 'EUR', terms_days: 30, terms_basis: 'invoice_date' });
    const wrongCurrency = keys.find((k) => customers.get(k)!.currency !== 'EUR');
    if (wrongCurrency) throw new InvalidInput(`account ${wrongCurrency}: its customer is in ${customers.get(wrongCurrency)!.currency}; a FEC is in euros`, [{ field: 'CompAuxNum', line: labels.get(wrongCurrency)!.line, message: 'customer currency is not EUR' }], 'currency_mismatch');

    // Lettering: within a customer's letter (and lettering date), credits settle invoices oldest first.
    const groups = new Map<string, Doc[]>();
    for (const d of docs) {
      if (!d.letter || (d.letterDate && d.letterDate > asOf)) continue;
      const g = `${d.key}|${d.letter}|${d.letterDate ?? ''}`;
      const list = groups.get(g) ?? [];
      list.push(d);
      groups.set(g, list);
    }
    const allocations = new Map<Doc, Array<{ invoiceNumber: string; amount: number; field: string }>>();
    let allocated = 0;
    let partialGroups = 0;
    const byDate = (a: Doc, b: Doc) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.line - b.line);
    for (const list of groups.values()) {
      const invoices = list.filter((d) => d.type === 'invoice').sort(byDate).map((d) => ({ d, left: d.amount }));
      const credits = list.filter((d) => d.type !== 'invoice').sort(byDate);
      const net = list.reduce((s, d) => s + (d.type === 'invoice' ? d.amount : -d.amount), 0);
      if (net !== 0) partialGroups++;
      for (const c of credits) {
        let left = c.amount;
        const out: Array<{ invoiceNumber: string; amount: number; field: string }> = [];
        for (const inv of invoices) {
          if (left === 0) break;
          if (inv.left === 0) continue;
          const a = Math.min(left, inv.left);
          inv.left -= a;
          left -= a;
          out.push({ invoiceNumber: inv.d.id, amount: a, field: 'EcritureLet' });
          allocated++;
          if (c.type === 'credit_note') break; // a credit note reduces one invoice
        }
        if (out.length) allocations.set(c, out);
      }
    }

    let estimated = 0;
    const dueDate = (d: Doc) => {
      const c = customers.get(d.key)!;
      estimated++;
      const after = addDays(d.date, c.terms_days);
      if (c.terms_basis !== 'end_of_month') return after;
      const [y, m] = after.split('-').map(Number) as [number, number];
      return addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`, -1);
    };
    const invoiceDocs = docs.filter((d) => d.type === 'invoice');
    const creditDocs = docs.filter((d) => d.type !== 'invoice');
    const chunks = async function* (): AsyncGenerator<{ invoices: InvoiceInput[]; credits: CreditInput[] }> {
      for (let i = 0; i < invoiceDocs.length; i += CHUNK) {
        yield {
          invoices: invoiceDocs.slice(i, i + CHUNK).map((d) => ({
            ref: new FecRef(d.line),
            customerId: customers.get(d.key)!.id,
            number: d.id,
            issueDate: d.date,
            dueDate: dueDate(d),
            dueDateEstimated: true,
            amount: d.amount,
            currency: 'EUR',
          })),
          credits: [],
        };
      }
      for (let i = 0; i < creditDocs.length; i += CHUNK) {
        yield {
          invoices: [],
          credits: creditDocs.slice(i, i + CHUNK).map((d) => ({
            ref: new FecRef(d.line),
            customerId: customers.get(d.key)!.id,
            kind: d.type as 'payment' | 'credit_note',
            reference: d.id,
            date: d.date,
            amount: d.amount,
            currency: 'EUR',
            allocations: allocations.get(d) ?? [],
          })),
        };
      }
    };
    const plannedAt = Date.now();
    const created: FecReport['createdCustomers'] = [];
    const written = await this.o.ledger.ingestChunks(chunks(), async (trx) => {
      if (toCreate.length === 0) return;
      const rows = await this.o.customers.createInTransaction(
        toCreate.map((c) => ({ external_id: c.account, siren: null, siret: null, name: c.name.slice(0, 200), currency: 'EUR', payment_terms_days: 30, payment_terms_basis: 'invoice_date' })),
        trx,
      );
      for (const r of rows) {
        customers.get(r.external_id)!.id = r.id;
        created.push({ account: r.external_id, customerId: r.id, name: r.name, line: labels.get(r.external_id)!.line });
      }
    });
    const writtenAt = Date.now();

    const ids = keys.map((k) => customers.get(k)!.id);
    const { rows } = await sql<{ customer_id: string; balance: number }>`
      SELECT c.id AS customer_id,
             coalesce((SELECT sum(open_amount) FROM invoices WHERE customer_id = c.id AND open_amount > 0), 0)::bigint
           - coalesce((SELECT sum(unapplied) FROM credits WHERE customer_id = c.id AND unapplied > 0), 0)::bigint AS balance
        FROM customers c WHERE c.id = ANY (${ids}::uuid[])`.execute(this.o.db);
    const vigie = new Map(rows.map((r) => [r.customer_id, Number(r.balance)]));
    const reconciliation = keys.map((k) => {
      const id = customers.get(k)!.id;
      const fecBalance = balances.get(k)!;
      const vigieBalance = vigie.get(id) ?? 0;
      return { account: k, customerId: id, fecBalance, vigieBalance, difference: vigieBalance - fecBalance };
    });
    const report: FecReport = {
      encoding,
      lines: counts.lines,
      customerLines: counts.customerLines,
      entries: counts.entries,
      documents: {
        invoices: invoiceDocs.length,
        payments: creditDocs.filter((d) => d.type === 'payment').length,
        creditNotes: creditDocs.filter((d) => d.type === 'credit_note').length,
        writeOffs: counts.writeOffs,
        doubtfulTransfers: counts.doubtfulTransfers,
      },
      dueDatesEstimated: estimated,
      lettering: { groups: groups.size, allocated, partialGroups },
      written,
      createdCustomers: created,
      reconciliation: { matches: reconciliation.every((r) => r.difference === 0), customers: reconciliation },
      timings: { parseMs: parsedAt - started, planMs: plannedAt - parsedAt, writeMs: writtenAt - plannedAt, reconcileMs: Date.now() - writtenAt },
    };
    await this.o.audit.record({ actor, action: 'fec.imported', entityType: 'import', entityId: `fec:${asOf}`, newValue: { ...report, reconciliation: { matches: report.reconciliation.matches, customers: reconciliation.length } } });
    return report;
  }

  private async customers(keys: string[]): Promise<Map<string, { id: string; currency: string; terms_days: number; terms_basis: string }>> {
    if (keys.length === 0) return new Map();
    const { rows } = await sql<{ key: string; id: string; currency: string; terms_days: number; terms_basis: string }>`
      SELECT k.key, c.id, c.currency, c.payment_terms_days AS terms_days, c.payment_terms_basis AS terms_basis
        FROM unnest(${keys}::text[]) AS k(key)
        JOIN LATERAL (SELECT coalesce((SELECT customer_id FROM fec_account_mappings m WHERE m.account = k.key),
                                      (SELECT id FROM customers WHERE external_id = k.key)) AS id) r ON r.id IS NOT NULL
        JOIN customers c ON c.id = r.id`.execute(this.o.db);
    return new Map(rows.map((r) => [r.key, r]));
  }

  async map(account: string, customerId: string, actor: AuthContext) {
    const c = await this.o.db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
    if (!c) throw InvalidInput.field('body.customerId', `no customer ${customerId}`, 'customer_not_found');
    await this.o.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('fec_account_mappings')
        .values({ account, customer_id: customerId, created_by: actor.name })
        .onConflict((oc) => oc.column('account').doUpdateSet({ customer_id: customerId, created_by: actor.name }))
        .execute();
      await this.o.audit.record({ actor, action: 'fec.account_mapped', entityType: 'fec_account', entityId: account, customerId, newValue: { account, customerId } }, trx);
    });
    return { account, customerId };
  }
}
