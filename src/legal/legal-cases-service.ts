import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { DB, LegalCasesTable, LegalCaseStatus } from '../db/schema.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { CompaniesService } from '../companies/companies-service.js';
import { addMonths, daysBetween, isoDay } from '../clock.js';
import { proceduralDeadline } from './working-days.js';

import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isoDateSchema } from '../identifiers.js';
import type { DocumentsStore } from '../collections/documents.js';
import type { Letterhead } from '../collections/pdf.js';
import type { ProfilesService } from '../collections/profiles.js';
import type { StatementInvoice, StatementService } from '../collections/statement-service.js';
import { renderInjonctionDossier, renderInvoiceExtract } from './legal-documents.js';
import { formatDay } from '../collections/templates.js';
import type { CompanyService } from '../company/company-service.js';
import type { InvoiceCopies } from '../collections/invoice-copies.js';
import { courtFromGreffe, INJONCTION_LAW, legalFormLabel } from './injonction-law.js';
import { csvRow } from '../http/csv-out.js';

/** Courts of Bas-Rhin, Haut-Rhin and Moselle, where local law adds Good Friday and 26 December. */
const ALSACE_MOSELLE_COURTS = /\b(STRASBOURG|SAVERNE|COLMAR|MULHOUSE|METZ|THIONVILLE|SARREGUEMINES)\b/i;
const sitsInAlsaceMoselle = (tribunal: string | null | undefined) => ALSACE_MOSELLE_COURTS.test(tribunal ?? '');

type CaseRow = Selectable<LegalCasesTable>;
type Raise = (alerts: AlertInput[]) => Promise<unknown>;

const invoiceNumber = z.string().trim().min(1).max(100);
export const openCaseBody = z.strictObject({
  invoices: z.array(invoiceNumber).min(1).max(500).describe('The invoices claimed: open, past due, not disputed, after a formal notice left unanswered'),
  tribunal: z.string().trim().min(3).max(200).optional().describe("The court of the debtor's registered office; default: from its RCS greffe (BODACC)"),
  fees: z
    .array(z.strictObject({ label: z.string().trim().min(1).max(200), amount: z.number().int().min(0).max(100_000_000) }))
    .max(20)
    .optional()
    .describe('Fees known for this case (minor units), e.g. the greffe’s'),
});
export const stepBody = z.strictObject({
  step: z.enum(['filed', 'order_issued', 'served', 'opposed', 'paid', 'closed']),
  on: isoDateSchema,
  reference: z.string().trim().min(1).max(200).optional().describe('The ordonnance number, the service deed, the filing receipt'),
  note: z.string().trim().max(1000).optional(),
});

/** Which step may follow which. `enforceable` is set by the daily review when the opposition month passes. */
const NEXT: Record<LegalCaseStatus, ReadonlyArray<z.output<typeof stepBody>['step']>> = {
  prepared: ['filed', 'paid', 'closed'],
  filed: ['order_issued', 'paid', 'closed'],
  order_issued: ['served', 'paid', 'closed'],
  served: ['opposed', 'paid', 'closed'],
  enforceable: ['paid', 'closed'],
  opposed: ['paid', 'closed'],
  paid: ['closed'],
  closed: [],
};

const day = (d: string | Date | null) => (d === null ? null : isoDay(d));

/** A claimed invoice: the statement's figures, its penalty and indemnity as amounts, and its purchase order. */
type ClaimInvoice = Pick<StatementInvoice, 'number' | 'issueDate' | 'dueDate' | 'amount' | 'paid' | 'open' | 'daysLate'> & { penalty: number; indemnity: number; orderId: string | null };
interface Claim {
  currency: string;
  asOf: string;
  invoices: ClaimInvoice[];
  payments: Array<{ kind: string; reference: string; date: string; amount: number }>;
  totals: { principal: number; penalties: number; indemnities: number; fees: number; total: number };
}
interface ReminderRow {
  id: string;
  run_on: string;
  kind: string;
  step_key: string;
  subject: string;
  status: string;
  formal_notice: boolean;
  deadline_on: string | null;
  sent_on: string | null;
  registered_number: string | null;
  document_id: string | null;
  numbers: string[];
}

/**
 * The injonction de payer: for chosen invoices of a customer (certain, liquid and due, after a
 * formal notice left unanswered) a case with the dossier of the request to the tribunal de commerce
 * of the debtor's registered office (Cerfa 12946): the parties, the court, the décompte from the
 * statement, the supporting documents and the known fees; a litigation bundle streamed as ZIP; the
 * steps with their deadlines (served within 6 months of the order, opposition within a month of
 * the service) and alerts as they near.
 */
export class LegalCasesService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      statements: StatementService;
      profiles: ProfilesService;
      companies: CompaniesService;
      documents: DocumentsStore;
      /** The creditor: its letterhead (refused, 409, while incomplete), its terms of sale. */
      company: Pick<CompanyService, 'letterhead' | 'current' | 'fileBySha'>;
      copies: InvoiceCopies;
      /** The e-mail sent for an action, as .eml. */
      sentEml: (actionId: string) => Promise<Buffer | null>;
      audit: AuditService;
      raise: Raise;
      today: () => string;
      now: () => Date;
    },
  ) {}

  async open(customerId: string, input: z.output<typeof openCaseBody>, actor: AuthContext) {
    const today = this.o.today();
    const customer = await this.o.db.selectFrom('customers').select(['id', 'name', 'siren', 'external_id', 'currency']).where('id', '=', customerId).executeTakeFirst();
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    const insolvency = await this.o.db.selectFrom('insolvency_cases').select(['id', 'proceeding']).where('customer_id', '=', customerId).where('status', '<>', 'closed').executeTakeFirst();
    if (insolvency) throw new Conflict(`The customer is in ${insolvency.proceeding.replace(/_/g, ' ')}: no injonction de payer; declare the claim (/v1/insolvency-cases/${insolvency.id})`, 'collective_proceeding');

    // The invoices: this customer's, open, past due, not disputed, not with a factor; each once.
    const numbers = input.invoices;
    const dup = numbers.findIndex((n, i) => numbers.indexOf(n) !== i);
    if (dup >= 0) throw InvalidInput.field(`body.invoices[${dup}]`, `${numbers[dup]} is listed twice`);
    const { rows: invoices } = await sql<{ id: string; number: string; customer_id: string; due_date: string; open_amount: number; factor: string | null; disputed: boolean }>`
      SELECT i.id, i.number, i.customer_id, to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.open_amount, i.factor,
             EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id AND d.status = 'open') AS disputed
        FROM invoices i WHERE i.number = ANY (${numbers}::text[])`.execute(this.o.db);
    const byNumber = new Map(invoices.map((i) => [i.number, i]));
    numbers.forEach((n, i) => {
      const inv = byNumber.get(n);
      const field = `body.invoices[${i}]`;
      if (!inv || inv.customer_id !== customerId) throw InvalidInput.field(field, `no invoice ${n} for this customer`, 'invoice_not_found');
      if (Number(inv.open_amount) <= 0) throw InvalidInput.field(field, `${n} is settled`, 'invoice_settled');
      if (inv.due_date >= today) throw InvalidInput.field(field, `${n} is not yet due (due ${inv.due_date}): the claim must be due`, 'invoice_not_due');
      if (inv.disputed) throw InvalidInput.field(field, `${n} is disputed: the claim is not certain`, 'invoice_disputed');
      if (inv.factor !== null) throw InvalidInput.field(field, `${n} is assigned to ${inv.factor}, who collects it`, 'invoice_factored');
    });

    // One invoice in at most one case in progress (checked again under the account's lock below).
    await this.refuseInOpenCase(customerId, invoices, numbers, this.o.db);

    // After a formal notice left unanswered: each invoice was in a mise en demeure whose deadline passed.
    const reminders = await this.reminders(customerId, numbers);
    const drafted = reminders.filter((r) => r.formal_notice);
    const missing = numbers.filter((n) => !drafted.some((r) => r.numbers.includes(n)));
    if (missing.length) {
      throw new Conflict(`No formal notice (mise en demeure) was sent for ${missing.join(', ')}: send one first`, 'formal_notice_missing', missing.map((n) => ({ field: `body.invoices[${numbers.indexOf(n)}]`, message: `no formal notice for ${n}` })));
    }
    // Only a notice recorded as sent counts; its deadline runs from its sending (set when it was marked sent).
    const notices = drafted.filter((r) => r.status === 'sent' && r.sent_on !== null);
    const unsent = numbers.filter((n) => !notices.some((r) => r.numbers.includes(n)));
    if (unsent.length) {
      const since = drafted.filter((r) => unsent.some((n) => r.numbers.includes(n))).map((r) => r.run_on).sort()[0]!;
      throw new Conflict(
        `The formal notice for ${unsent.join(', ')} (drafted on ${since}) is not recorded as sent: mark it sent with its registered-letter number; its deadline runs from then`,
        'formal_notice_not_sent',
        unsent.map((n) => ({ field: `body.invoices[${numbers.indexOf(n)}]`, message: `formal notice for ${n} not sent (drafted ${since})` })),
      );
    }
    const pending = numbers.filter((n) => !notices.some((r) => r.numbers.includes(n) && r.deadline_on !== null && r.deadline_on < today));
    if (pending.length) {
      // Each invoice's earliest notice deadline; the case can open once the last of those passed.
      const deadline = pending.map((n) => notices.filter((r) => r.numbers.includes(n) && r.deadline_on !== null).map((r) => r.deadline_on!).sort()[0] ?? '?').sort().pop();
      throw new Conflict(`The formal notice's deadline has not passed for ${pending.join(', ')} (until ${deadline})`, 'formal_notice_pending', pending.map((n) => ({ field: `body.invoices[${numbers.indexOf(n)}]`, message: `formal notice pending until ${deadline}` })));
    }

    // The debtor as the registry knows it, and the court of its registered office.
    const stored = customer.siren ? (await this.o.companies.stored([customer.siren])).get(customer.siren) : undefined;
    const court = input.tribunal ? { name: input.tribunal, source: 'given' } : await this.courtOf(customer.siren, stored?.legalEvents.items ?? null);
    if (!court) throw InvalidInput.field('body.tribunal', "not known from the registry data (no BODACC announcement names the debtor's RCS greffe): name the tribunal de commerce of its registered office", 'tribunal_unknown');
    const profile = await this.o.profiles.get(customerId);
    const identity = stored?.identity ?? null;
    const registeredOffice = identity?.headOffice?.address ?? profile.letterAddress.lines.join(', ');

    const from = await this.o.company.letterhead();
    const claim = await this.claim(customerId, invoices.map((i) => i.id), today, input.fees ?? []);
    const terms = (await this.o.company.current()).termsOfSale;
    const pieces = piecesOf(claim, byNumber, reminders, terms?.sha256 ?? null);
    const caseId = randomUUID();
    const content = await renderInjonctionDossier({
      from,
      day: today,
      tribunal: court.name,
      debtor: { name: identity?.name ?? customer.name, siren: customer.siren, legalForm: legalFormLabel(identity?.legalFormCode), registeredOffice, representative: legalRepresentative(identity?.directors ?? []) },
      claim,
      fees: input.fees ?? [],
      indicativeFees: INJONCTION_LAW.fees,
      pieces,
      law: INJONCTION_LAW,
    });
    const now = this.o.now();
    const row = await this.o.db.transaction().execute(async (trx) => {
      // The account, as every money transaction takes it: two cases opened at once for the same
      // invoices are serialised here, and the second finds the first.
      await sql`SELECT 1 FROM credit_accounts WHERE customer_id = ${customerId} FOR UPDATE`.execute(trx);
      await this.refuseInOpenCase(customerId, invoices, numbers, trx);
      const documentId = randomUUID();
      await this.o.documents.insert([{ id: documentId, customerId, kind: 'legal_dossier', filename: `injonction-de-payer-${customer.external_id}-${today}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_'), content, createdAt: now }], trx);
      const r = await trx
        .insertInto('legal_cases')
        .values({
          id: caseId,
          customer_id: customerId,
          invoice_ids: invoices.map((i) => i.id),
          tribunal: court.name,
          tribunal_source: court.source,
          status: 'prepared',
          claim: JSON.stringify(claim),
          fees: JSON.stringify(input.fees ?? []),
          steps: JSON.stringify([{ step: 'prepared', on: today, by: actor.name, at: now.toISOString() }]),
          document_id: documentId,
          pieces: JSON.stringify(pieces),
          created_at: now,
          created_by: actor.name,
          updated_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action: 'legal_case.opened', entityType: 'legal_case', entityId: caseId, customerId, oldValue: null, newValue: { invoices: numbers, tribunal: court.name, total: claim.totals.total } }, trx);
      return r;
    });
    return this.view(row);
  }

  /** 409 when one of these invoices is already claimed in a case in progress (not paid or closed). */
  private async refuseInOpenCase(customerId: string, invoices: ReadonlyArray<{ id: string; number: string }>, numbers: readonly string[], db: Kysely<DB>): Promise<void> {
    const { rows } = await sql<{ id: string; invoice_ids: string[] }>`
      SELECT id, invoice_ids FROM legal_cases
       WHERE customer_id = ${customerId} AND status NOT IN ('paid', 'closed') AND invoice_ids && ${invoices.map((i) => i.id)}::uuid[]`.execute(db);
    if (rows.length === 0) return;
    const taken = invoices.filter((i) => rows.some((r) => r.invoice_ids.includes(i.id))).sort((a, b) => numbers.indexOf(a.number) - numbers.indexOf(b.number));
    throw new Conflict(
      `${taken.map((i) => i.number).join(', ')} already in the legal case ${rows[0]!.id}`,
      'invoice_in_legal_case',
      taken.map((i) => ({ field: `body.invoices[${numbers.indexOf(i.number)}]`, message: `${i.number} is claimed in case ${rows.find((r) => r.invoice_ids.includes(i.id))!.id}` })),
    );
  }

  /** The court of the debtor's registered office, from the RCS greffe its BODACC announcements name (latest first). */
  private async courtOf(siren: string | null, cached: ReadonlyArray<{ court: string | null; publishedOn: string }> | null): Promise<{ name: string; source: string } | null> {
    if (!siren) return null;
    const walked = await this.o.db.selectFrom('legal_events').select(['event', 'published_on']).where('siren', '=', siren).orderBy('published_on', 'desc').limit(50).execute();
    const events = [...(cached ?? []), ...walked.map((w) => w.event as { court: string | null; publishedOn: string })].sort((a, b) => (a.publishedOn < b.publishedOn ? 1 : -1));
    for (const e of events) {
      const name = courtFromGreffe(e.court);
      if (name) return { name, source: `BODACC (${e.court})` };
    }
    return null;
  }

  /** The décompte of the claimed invoices from the account statement: principal, penalties, indemnities, payments, fees. */
  private async claim(customerId: string, invoiceIds: string[], asOf: string, fees: Array<{ label: string; amount: number }>): Promise<Claim> {
    const statement = await this.o.statements.statement(customerId, asOf);
    const { rows } = await sql<{ number: string; order_id: string | null }>`SELECT number, order_id FROM invoices WHERE id = ANY (${invoiceIds}::uuid[])`.execute(this.o.db);
    const orders = new Map(rows.map((r) => [r.number, r.order_id]));
    const items = statement.invoices
      .filter((i) => orders.has(i.number))
      .map((i) => ({ number: i.number, issueDate: i.issueDate, dueDate: i.dueDate, amount: i.amount, paid: i.paid, open: i.open, daysLate: i.daysLate, penalty: i.penalty.total, indemnity: i.indemnity.amount, orderId: orders.get(i.number) ?? null }));
    const { rows: payments } = await sql<{ kind: string; reference: string; date: string; amount: number }>`
      SELECT c.kind, c.reference, to_char(c.date, 'YYYY-MM-DD') AS date, sum(a.amount)::bigint AS amount
        FROM allocations a JOIN credits c ON c.id = a.credit_id
       WHERE a.invoice_id = ANY (${invoiceIds}::uuid[]) AND c.date <= ${asOf}::date
       GROUP BY c.kind, c.reference, c.date ORDER BY c.date, c.reference`.execute(this.o.db);
    const sum = (f: (i: ClaimInvoice) => number) => items.reduce((s, i) => s + f(i), 0);
    const totals = { principal: sum((i) => i.open), penalties: sum((i) => i.penalty), indemnities: sum((i) => i.indemnity), fees: fees.reduce((s, f) => s + f.amount, 0), total: 0 };
    totals.total = totals.principal + totals.penalties + totals.indemnities + totals.fees;
    return { currency: statement.currency, asOf, invoices: items, payments: payments.map((p) => ({ ...p, amount: Number(p.amount) })), totals };
  }

  /** Every reminder, letter, call and formal notice that named these invoices (cancelled ones left out), oldest first. */
  private async reminders(customerId: string, numbers: readonly string[]): Promise<ReminderRow[]> {
    const { rows } = await sql<ReminderRow>`
      SELECT a.id, to_char(a.run_on, 'YYYY-MM-DD') AS run_on, a.kind, a.step_key, a.subject, a.status, a.formal_notice,
             to_char(a.deadline_on, 'YYYY-MM-DD') AS deadline_on, to_char(a.sent_on, 'YYYY-MM-DD') AS sent_on, a.registered_number, a.document_id,
             array(SELECT e->>'number' FROM jsonb_array_elements(a.invoices) e) AS numbers
        FROM collection_actions a
       WHERE a.customer_id = ${customerId} AND a.status <> 'cancelled' AND a.plan_id NOT IN ('insolvency', 'credit_insurance')
         AND EXISTS (SELECT 1 FROM jsonb_array_elements(a.invoices) e WHERE e->>'number' = ANY (${[...numbers]}::text[]))
       ORDER BY a.run_on, a.seq`.execute(this.o.db);
    return rows;
  }

  async get(id: string): Promise<CaseRow> {
    const row = await this.o.db.selectFrom('legal_cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`No legal case ${id}`, 'legal_case_not_found');
    return row;
  }

  async list(filter: { customerId?: string | undefined; status?: LegalCaseStatus | undefined }) {
    let q = this.o.db.selectFrom('legal_cases').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(500);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return { items: (await q.execute()).map((r) => this.view(r)) };
  }

  /** Records a step with its date: the deadlines follow (service within 6 months of the order, opposition within a month of the service). */
  async step(id: string, input: z.output<typeof stepBody>, actor: AuthContext) {
    const before = await this.get(id);
    if (!NEXT[before.status].includes(input.step)) {
      throw new Conflict(`A case ${before.status} cannot go to ${input.step} (next: ${NEXT[before.status].join(', ') || 'none'})`, 'legal_case_step_order');
    }
    const today = this.o.today();
    if (input.on > today) throw InvalidInput.field('body.on', 'in the future');
    const last = (before.steps as Array<{ on: string }>).at(-1)?.on ?? day(before.created_at)!;
    if (input.on < last) throw InvalidInput.field('body.on', `before the previous step (${last})`);
    const set: Partial<Record<keyof CaseRow, unknown>> = { status: input.step };
    if (input.step === 'filed') set.filed_on = input.on;
    if (input.step === 'order_issued') {
      set.order_issued_on = input.on;
      set.order_reference = input.reference ?? null;
      // CPC 641 then 642: the month's same day (or its last), moved past a weekend or public holiday.
      set.service_deadline = proceduralDeadline(addMonths(input.on, INJONCTION_LAW.serviceMonths), { alsaceMoselle: sitsInAlsaceMoselle(before.tribunal) });
    }
    if (input.step === 'served') {
      if (before.service_deadline && input.on > day(before.service_deadline)!) throw InvalidInput.field('body.on', `after the service deadline (${day(before.service_deadline)}): the order is void (${INJONCTION_LAW.serviceSource})`, 'order_void');
      set.served_on = input.on;
      set.opposition_deadline = proceduralDeadline(addMonths(input.on, INJONCTION_LAW.oppositionMonths), { alsaceMoselle: sitsInAlsaceMoselle(before.tribunal) });
    }
    if (input.step === 'closed' || input.step === 'paid') set.closed_on = input.on;
    const now = this.o.now();
    const steps = [...(before.steps as unknown[]), { step: input.step, on: input.on, reference: input.reference ?? null, note: input.note ?? null, by: actor.name, at: now.toISOString() }];
    const row = await this.o.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('legal_cases')
        .set({ ...(set as object), steps: JSON.stringify(steps), updated_at: now })
        .where('id', '=', id)
        .where('status', '=', before.status)
        .returningAll()
        .executeTakeFirst();
      if (!r) throw new Conflict('The case changed meanwhile', 'legal_case_changed');
      await this.o.audit.record({ actor, action: `legal_case.${input.step}`, entityType: 'legal_case', entityId: id, customerId: r.customer_id, oldValue: { status: before.status }, newValue: { status: input.step, on: input.on, reference: input.reference ?? null }, reason: input.note ?? null }, trx);
      return r;
    });
    return this.view(row);
  }

  /**
   * The litigation bundle, streamed as a ZIP into `out` (nothing is built in memory): the dossier,
   * then each supporting document its list cites, under the same number — the invoice copies (or
   * a statement of the invoice from the ledger, titled as such, where none is attached), the
   * letters and formal notice sent (PDF) and the e-mails sent (.eml), the history of reminders, the
   * account statement and the terms of sale of the day the case opened. Read one at a time.
   */
  async bundle(id: string, out: Writable, onStart: (filename: string) => void): Promise<void> {
    const c = await this.get(id);
    const customer = await this.o.db.selectFrom('customers').select(['external_id', 'name', 'siren']).where('id', '=', c.customer_id).executeTakeFirstOrThrow();
    const claim = c.claim as Claim;
    const pieces = c.pieces as Piece[];
    const numbers = claim.invoices.map((i) => i.number);
    const from = await this.o.company.letterhead();
    const zip = new ZipArchive({ zlib: { level: 6 } });
    const failed = new Promise<never>((_, reject) => zip.on('error', reject));
    failed.catch(() => undefined);
    onStart(`injonction-de-payer-${customer.external_id}-${day(c.created_at)}.zip`.replace(/[^A-Za-z0-9._-]/g, '_'));
    zip.pipe(out);
    const add = async (content: Buffer | string, name: string) => {
      const written = new Promise<void>((resolve) => zip.once('entry', () => resolve()));
      zip.append(content, { name: name.replace(/[^A-Za-z0-9._-]/g, '_'), date: this.o.now() });
      await Promise.race([written, failed]);
    };
    const dossier = await this.o.documents.get(c.document_id);
    await add(dossier.content, '00-requete-en-injonction-de-payer.pdf');
    const copies = await this.o.copies.many(pieces.filter((p) => p.invoiceId).map((p) => p.invoiceId!));
    const nn = (p: Piece) => `piece-${String(p.n).padStart(2, '0')}`;
    for (const p of pieces) {
      if (p.kind === 'invoice') {
        const copy = copies.get(p.invoiceId!);
        if (copy) await add(copy.content, `${nn(p)}-facture-${p.number}.pdf`);
        else await add(await this.invoiceExtract(c.customer_id, p.number!, claim, from, customer), `${nn(p)}-releve-de-la-facture-${p.number}.pdf`);
      } else if (p.kind === 'letter') {
        await add((await this.o.documents.get(p.documentId!)).content, `${nn(p)}-${p.date}-${p.formalNotice ? 'mise-en-demeure' : 'courrier'}.pdf`);
      } else if (p.kind === 'email') {
        const eml = await this.o.sentEml(p.actionId!);
        if (eml) await add(eml, `${nn(p)}-${p.date}-e-mail.eml`);
      } else if (p.kind === 'history') {
        await add(reminderCsv((await this.reminders(c.customer_id, numbers)).filter(wasSent)), `${nn(p)}-historique-des-relances.csv`);
      } else if (p.kind === 'statement') {
        await add((await this.o.statements.pdf(c.customer_id, claim.asOf)).content, `${nn(p)}-releve-de-compte-${claim.asOf}.pdf`);
      } else if (p.kind === 'terms') {
        const terms = await this.o.company.fileBySha(p.sha256!);
        if (terms) await add(terms, `${nn(p)}-conditions-generales-de-vente.pdf`);
      }
    }
    await Promise.race([zip.finalize(), failed]);
  }

  /** An invoice as the ledger holds it, with what was paid on it by the claim's date. */
  private async invoiceExtract(customerId: string, number: string, claim: Claim, from: Letterhead, customer: { name: string; siren: string | null }): Promise<Buffer> {
    const inv = claim.invoices.find((i) => i.number === number)!;
    const profile = await this.o.profiles.get(customerId);
    const { rows: payments } = await sql<{ kind: string; reference: string; date: string; amount: number }>`
      SELECT c.kind, c.reference, to_char(c.date, 'YYYY-MM-DD') AS date, a.amount
        FROM allocations a JOIN credits c ON c.id = a.credit_id JOIN invoices i ON i.id = a.invoice_id
       WHERE i.number = ${number} AND c.date <= ${claim.asOf}::date ORDER BY c.date, c.reference`.execute(this.o.db);
    return renderInvoiceExtract({
      from,
      day: claim.asOf,
      debtor: { name: customer.name, siren: customer.siren, address: profile.letterAddress.lines },
      currency: claim.currency,
      invoice: { number, issueDate: inv.issueDate, dueDate: inv.dueDate, amount: inv.amount, open: inv.open, orderId: inv.orderId },
      payments: payments.map((p) => ({ ...p, amount: Number(p.amount) })),
    });
  }

  /**
   * The daily review: an order not yet served raises `legal_case_deadline` 30 and 7 days before its
   * service deadline (and once void); a served order whose opposition month passed becomes enforceable.
   */
  async review(today: string): Promise<{ legalCaseAlerts: number; legalCasesEnforceable: number }> {
    const rows = await this.o.db.selectFrom('legal_cases').selectAll().where('status', 'in', ['order_issued', 'served']).execute();
    const alerts: AlertInput[] = [];
    let enforceable = 0;
    const steps = [...INJONCTION_LAW.reminderDaysBefore].sort((a, b) => a - b);
    for (const r of rows) {
      if (r.status === 'order_issued' && r.service_deadline) {
        const deadline = day(r.service_deadline)!;
        const left = daysBetween(today, deadline);
        const reached = left < 0 ? 'void' : steps.find((s) => left <= s);
        if (reached === undefined) continue;
        alerts.push({
          type: 'legal_case_deadline',
          severity: reached === 'void' || reached <= 7 ? 'critical' : 'high',
          customerId: r.customer_id,
          dedupeKey: `legal_case_deadline:${r.id}:${reached}`,
          message: reached === 'void' ? `The order of ${day(r.order_issued_on)} was not served by ${deadline}: it is void` : `Serve the order of ${day(r.order_issued_on)} by ${deadline} (${left} day(s) left) or it becomes void`,
          data: { caseId: r.id, deadline, daysLeft: left, reminder: reached, rule: INJONCTION_LAW.serviceSource },
          evidence: { source: 'legal_case', id: r.id, date: deadline },
          once: true,
        });
      } else if (r.status === 'served' && r.opposition_deadline && day(r.opposition_deadline)! < today) {
        const at = this.o.now();
        const updated = await this.o.db
          .updateTable('legal_cases')
          .set({ status: 'enforceable', steps: JSON.stringify([...(r.steps as unknown[]), { step: 'enforceable', on: today, by: 'Vigie (no opposition recorded)', at: at.toISOString() }]), updated_at: at })
          .where('id', '=', r.id)
          .where('status', '=', 'served')
          .executeTakeFirst();
        if (Number(updated.numUpdatedRows) === 0) continue;
        enforceable++;
        alerts.push({
          type: 'legal_case_deadline',
          severity: 'medium',
          customerId: r.customer_id,
          dedupeKey: `legal_case_deadline:${r.id}:enforceable`,
          message: `No opposition recorded by ${day(r.opposition_deadline)}: the order has the effects of a judgment; have it enforced by a commissaire de justice`,
          data: { caseId: r.id, reminder: 'enforceable', oppositionDeadline: day(r.opposition_deadline), rule: INJONCTION_LAW.oppositionSource },
          evidence: { source: 'legal_case', id: r.id, date: day(r.opposition_deadline)! },
          once: true,
        });
      }
    }
    if (alerts.length) await this.o.raise(alerts);
    return { legalCaseAlerts: alerts.length, legalCasesEnforceable: enforceable };
  }

  view(r: CaseRow) {
    return {
      id: r.id,
      customerId: r.customer_id,
      kind: r.kind,
      status: r.status,
      tribunal: { name: r.tribunal, source: r.tribunal_source },
      claim: r.claim as Claim,
      fees: r.fees,
      steps: r.steps,
      deadlines: { service: day(r.service_deadline), opposition: day(r.opposition_deadline) },
      orderReference: r.order_reference,
      dossier: `/v1/collections/documents/${r.document_id}`,
      bundle: `/v1/legal-cases/${r.id}/bundle`,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
    };
  }
}

export function reminderCsv(rows: readonly ReminderRow[]): string {
  const lines = ['date;kind;step;subject;status;formal_notice;deadline;sent_on;registered_number;invoices'];
  for (const r of rows) lines.push(csvRow([r.run_on, r.kind, r.step_key, r.subject, r.status, r.formal_notice ? 'yes' : 'no', r.deadline_on, r.sent_on, r.registered_number, r.numbers.join(' ')], ';'));
  return `${lines.join('\n')}\n`;
}

/** A reminder that reached the debtor: an e-mail or a letter sent, a call made. */
const wasSent = (r: ReminderRow) => r.status === 'sent' || r.status === 'done';

const KIND_FR: Record<string, string> = { email: 'e-mail', letter: 'courrier' };
const frDay = (d: string) => formatDay(d, 'fr');

/** One supporting document of a case: its number in the dossier's list and where the bundle finds it. */
interface Piece {
  n: number;
  kind: 'invoice' | 'letter' | 'email' | 'history' | 'statement' | 'terms';
  label: string;
  invoiceId?: string;
  number?: string;
  actionId?: string;
  documentId?: string;
  date?: string;
  formalNotice?: boolean;
  sha256?: string;
}

/**
 * The dossier's numbered list of supporting documents: the invoices, each letter and e-mail that
 * reached the debtor (the formal notice with its sending and its deadline), the history of
 * reminders, the account statement, and the terms of sale when the company has them.
 */
function piecesOf(claim: Claim, invoices: ReadonlyMap<string, { id: string }>, reminders: readonly ReminderRow[], termsSha: string | null): Piece[] {
  const out: Piece[] = [];
  const push = (p: Omit<Piece, 'n'>) => out.push({ n: out.length + 1, ...p });
  for (const i of claim.invoices) {
    push({ kind: 'invoice', invoiceId: invoices.get(i.number)!.id, number: i.number, label: `Facture ${i.number} du ${frDay(i.issueDate)}, échue le ${frDay(i.dueDate)}${i.orderId ? ` (bon de commande ${i.orderId})` : ''}` });
  }
  for (const r of reminders.filter(wasSent)) {
    const on = r.sent_on ?? r.run_on;
    if (r.kind === 'letter' && r.document_id) {
      const label = r.formal_notice
        ? `Mise en demeure du ${frDay(r.run_on)}, envoyée le ${frDay(on)}${r.registered_number ? ` en recommandé n° ${r.registered_number}` : ''}${r.deadline_on ? `, délai expiré le ${frDay(r.deadline_on)} sans paiement` : ''}`
        : `Relance (courrier) envoyée le ${frDay(on)} – ${r.subject}`;
      push({ kind: 'letter', actionId: r.id, documentId: r.document_id, date: on, formalNotice: r.formal_notice, label });
    } else if (r.kind === 'email') {
      push({ kind: 'email', actionId: r.id, date: on, label: `Relance (${KIND_FR.email}) envoyée le ${frDay(on)} – ${r.subject}` });
    }
  }
  push({ kind: 'history', label: 'Historique des relances, courriers et appels (tableau)' });
  push({ kind: 'statement', label: `Relevé de compte (décompte) au ${frDay(claim.asOf)}` });
  if (termsSha) push({ kind: 'terms', sha256: termsSha, label: 'Conditions générales de vente (taux des pénalités, indemnité forfaitaire)' });
  return out;
}

/**
 * The debtor's legal representative as the registry lists its officers: the président (SAS), the
 * gérant (SARL), the directeur général or président-directeur général (SA) — not a director, a
 * délégué or the chair of a board.
 */
function legalRepresentative(directors: ReadonlyArray<{ name: string; role: string | null }>): { name: string; role: string | null } | null {
  const represents = (role: string | null) => /^(pr[ée]sidente?( de sas)?|g[ée]rante?|co-g[ée]rante?|directeur g[ée]n[ée]ral|directrice g[ée]n[ée]rale|pr[ée]sident[- ]directeur g[ée]n[ée]ral|pdg)$/i.test((role ?? '').trim());
  return directors.find((d) => d.name.trim() && represents(d.role)) ?? null;
}
