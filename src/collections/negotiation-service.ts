import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import { addDays, daysBetween } from '../clock.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isoDateSchema, minorUnitsSchema } from '../identifiers.js';
import type { CollectionsPolicyService } from './collections-policy.js';
import type { ProfilesService } from './profiles.js';
import { renderAgreement, type DocumentsStore } from './documents.js';
import type { Letterhead } from './pdf.js';

type Executor = Kysely<DB> | Transaction<DB>;

const invoiceNumbers = z.array(z.string().trim().min(1).max(100)).min(1, 'name at least one invoice').max(200);
const note = z.string().trim().max(2000).optional();

export const promiseBody = z.strictObject({
  invoiceNumbers,
  amount: minorUnitsSchema.min(1, 'must be more than 0').describe('Amount promised (minor units)'),
  promisedOn: isoDateSchema.describe('The date the customer promised to pay by'),
  promisedBy: z.string().trim().min(1).max(200).describe('Who promised, at the customer'),
  channel: z.enum(['phone', 'email', 'letter', 'meeting', 'other']),
  note,
});
export const paymentPlanBody = z.strictObject({
  invoiceNumbers,
  installments: z
    .array(z.strictObject({ dueOn: isoDateSchema, amount: minorUnitsSchema.min(1, 'must be more than 0') }))
    .min(1)
    .max(60),
  note,
});
export const DISPUTE_CATEGORIES = ['quality', 'quantity', 'price', 'delivery', 'not_ordered', 'duplicate', 'other'] as const;
export const disputeBody = z.strictObject({
  invoiceNumber: z.string().trim().min(1).max(100),
  category: z.enum(DISPUTE_CATEGORIES),
  comment: note,
});
export const resolveDisputeBody = z.strictObject({
  resolution: z.enum(['upheld', 'rejected', 'credited', 'withdrawn']).describe('upheld/credited: the customer was right (issue a credit note); rejected/withdrawn: the invoice is due'),
  comment: note,
});
export const pauseBody = z.strictObject({
  until: isoDateSchema,
  reason: z.string().trim().min(1, 'say why').max(500),
  invoiceNumber: z.string().trim().min(1).max(100).optional().describe('Pause one invoice only; without it the whole customer is paused'),
});

interface OpenInvoice {
  id: string;
  number: string;
  customer_id: string;
  issue_date: string;
  due_date: string;
  open_amount: number;
  currency: string;
}

/**
 * What is negotiated with a customer: promises to pay, payment plans (échéanciers), disputes and
 * pauses. Each takes its invoices out of the dunning plan while it stands; the daily run reviews
 * promises (kept / broken) and installments (paid / late / plan defaulted), raising alerts.
 */
export class NegotiationService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      audit: AuditService;
      policy: CollectionsPolicyService;
      profiles: ProfilesService;
      documents: DocumentsStore;
      /** The creditor's letterhead; refused (409) while the company identity is incomplete. */
      letterhead: () => Promise<Letterhead>;
      raise: (alerts: AlertInput[], trx?: Executor) => Promise<unknown>;
      today: () => string;
      now: () => Date;
      /** After a change that may lift or set a collections block. */
      changed: (customerIds: string[]) => Promise<unknown>;
    },
  ) {}

  /** The customer's invoices by number, each open, else a 400 naming the entry. */
  private async openInvoices(customerId: string, numbers: readonly string[], field: string, trx: Executor): Promise<OpenInvoice[]> {
    const seen = new Set<string>();
    numbers.forEach((n, i) => {
      if (seen.has(n)) throw InvalidInput.field(`${field}[${i}]`, `invoice ${n} is listed twice`);
      seen.add(n);
    });
    const rows = await trx
      .selectFrom('invoices')
      .select(['id', 'number', 'customer_id', 'issue_date', 'due_date', 'open_amount', 'currency'])
      .where('number', 'in', [...numbers])
      .forUpdate()
      .execute();
    const byNumber = new Map(rows.map((r) => [r.number, r]));
    return numbers.map((n, i) => {
      const r = byNumber.get(n);
      if (!r || r.customer_id !== customerId) throw InvalidInput.field(`${field}[${i}]`, `no invoice ${n} for this customer`, 'invoice_not_found');
      if (Number(r.open_amount) <= 0) throw InvalidInput.field(`${field}[${i}]`, `invoice ${n} is already settled`, 'invoice_settled');
      return { ...r, open_amount: Number(r.open_amount) };
    });
  }

  /** An invoice already under an open promise or an active payment plan cannot be in another. */
  private async refuseOverlap(invoices: OpenInvoice[], field: string, trx: Executor): Promise<void> {
    const ids = invoices.map((i) => i.id);
    const { rows } = await sql<{ invoice_id: string; kind: string; id: string }>`
      SELECT unnest(invoice_ids) AS invoice_id, 'promise' AS kind, id FROM payment_promises WHERE status = 'open' AND invoice_ids && ${ids}::uuid[]
      UNION ALL
      SELECT unnest(invoice_ids), 'payment plan', id FROM payment_plans WHERE status = 'active' AND invoice_ids && ${ids}::uuid[]`.execute(trx);
    for (const r of rows) {
      const i = invoices.findIndex((x) => x.id === r.invoice_id);
      if (i >= 0) throw InvalidInput.field(`${field}[${i}]`, `invoice ${invoices[i]!.number} is already under ${r.kind} ${r.id}`, 'overlapping_arrangement');
    }
  }

  private async lockCustomer(customerId: string, trx: Executor): Promise<void> {
    const { rows } = await sql`SELECT 1 FROM credit_accounts WHERE customer_id = ${customerId} FOR UPDATE`.execute(trx);
    if (rows.length === 0) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
  }

  async createPromise(customerId: string, input: z.output<typeof promiseBody>, actor: AuthContext) {
    const today = this.o.today();
    if (input.promisedOn < today) throw InvalidInput.field('body.promisedOn', `must be today (${today}) or later`);
    if (input.promisedOn > addDays(today, 366)) throw InvalidInput.field('body.promisedOn', 'must be within a year');
    const id = await this.o.db.transaction().execute(async (trx) => {
      await this.lockCustomer(customerId, trx);
      const invoices = await this.openInvoices(customerId, input.invoiceNumbers, 'body.invoiceNumbers', trx);
      await this.refuseOverlap(invoices, 'body.invoiceNumbers', trx);
      const open = invoices.reduce((s, i) => s + i.open_amount, 0);
      if (input.amount > open) throw InvalidInput.field('body.amount', `more than the ${open} still open on these invoices`);
      const row = await trx
        .insertInto('payment_promises')
        .values({
          customer_id: customerId,
          invoice_ids: invoices.map((i) => i.id),
          amount: input.amount,
          currency: invoices[0]!.currency,
          promised_on: input.promisedOn,
          promised_by: input.promisedBy,
          channel: input.channel,
          open_at_creation: open,
          note: input.note ?? null,
          created_at: this.o.now(),
          created_by: actor.name,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action: 'promise.created', entityType: 'payment_promise', entityId: row.id, customerId, newValue: input }, trx);
      return row.id;
    });
    await this.o.changed([customerId]);
    return this.promise(id);
  }

  async promise(id: string) {
    const r = await this.o.db.selectFrom('payment_promises').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No promise ${id}`, 'promise_not_found');
    const numbers = await this.numbers(r.invoice_ids);
    return {
      id: r.id,
      customerId: r.customer_id,
      invoiceNumbers: numbers,
      amount: Number(r.amount),
      currency: r.currency,
      promisedOn: r.promised_on,
      promisedBy: r.promised_by,
      channel: r.channel,
      status: r.status,
      note: r.note,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    };
  }

  async cancelPromise(id: string, reason: string, actor: AuthContext) {
    const p = await this.promise(id);
    if (p.status !== 'open') throw new Conflict(`Promise ${id} is ${p.status}`, 'promise_not_open');
    await this.o.db.transaction().execute(async (trx) => {
      // Guarded by its status: of two people cancelling at once, one does (the other gets 409).
      const done = await trx.updateTable('payment_promises').set({ status: 'cancelled', resolved_at: this.o.now() }).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new Conflict(`Promise ${id} is no longer open`, 'promise_not_open');
      await this.o.audit.record({ actor, action: 'promise.cancelled', entityType: 'payment_promise', entityId: id, customerId: p.customerId, reason }, trx);
    });
    await this.o.changed([p.customerId]);
    return this.promise(id);
  }

  private async numbers(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.o.db.selectFrom('invoices').select(['id', 'number']).where('id', 'in', [...ids]).execute();
    const m = new Map(rows.map((r) => [r.id, r.number]));
    return ids.map((i) => m.get(i) ?? i);
  }

  async createPaymentPlan(customerId: string, input: z.output<typeof paymentPlanBody>, actor: AuthContext) {
    const today = this.o.today();
    input.installments.forEach((inst, i) => {
      if (inst.dueOn < today) throw InvalidInput.field(`body.installments[${i}].dueOn`, `must be today (${today}) or later`);
      if (i > 0 && inst.dueOn <= input.installments[i - 1]!.dueOn) throw InvalidInput.field(`body.installments[${i}].dueOn`, 'installments must be in increasing date order');
    });
    const { policy } = await this.o.policy.current();
    const profile = await this.o.profiles.get(customerId);
    // The agreement is drafted first, outside the account's lock (order checks wait on that lock):
    // from the invoices as they stand, checked again under the lock before anything is written.
    const drafted = await this.openInvoices(customerId, input.invoiceNumbers, 'body.invoiceNumbers', this.o.db);
    await this.refuseOverlap(drafted, 'body.invoiceNumbers', this.o.db);
    const open = drafted.reduce((s, i) => s + i.open_amount, 0);
    const total = input.installments.reduce((s, i) => s + i.amount, 0);
    if (total !== open) throw InvalidInput.field('body.installments', `the installments add up to ${total}, the invoices have ${open} open: they must be equal`);
    const planId = randomUUID();
    const documentId = randomUUID();
    const customer = await this.o.db.selectFrom('customers').select(['name', 'siren']).where('id', '=', customerId).executeTakeFirstOrThrow();
    const pdf = await renderAgreement({
      from: await this.o.letterhead(),
      to: { name: customer.name, siren: customer.siren, address: profile.letterAddress.lines },
      day: today,
      language: profile.language,
      currency: drafted[0]!.currency,
      invoices: drafted.map((i) => ({ number: i.number, issueDate: i.issue_date, dueDate: i.due_date, open: i.open_amount })),
      installments: input.installments.map((inst, i) => ({ seq: i + 1, dueOn: inst.dueOn, amount: inst.amount })),
      graceDays: policy.installmentGraceDays,
    });
    const id = await this.o.db.transaction().execute(async (trx) => {
      await this.lockCustomer(customerId, trx);
      const invoices = await this.openInvoices(customerId, input.invoiceNumbers, 'body.invoiceNumbers', trx);
      await this.refuseOverlap(invoices, 'body.invoiceNumbers', trx);
      // A payment or another arrangement that landed meanwhile: the drafted agreement no longer says what is owed.
      const changed = invoices.filter((i) => drafted.find((d) => d.id === i.id)?.open_amount !== i.open_amount);
      if (changed.length) throw new Conflict(`${changed.map((i) => i.number).join(', ')} changed while the agreement was drafted: send the plan again`, 'invoices_changed');
      await this.o.documents.insert([{ id: documentId, customerId, kind: 'payment_agreement', filename: `protocole-${today}-${planId.slice(0, 8)}.pdf`, content: pdf, createdAt: this.o.now() }], trx);
      await trx
        .insertInto('payment_plans')
        .values({ id: planId, customer_id: customerId, invoice_ids: invoices.map((i) => i.id), total, currency: invoices[0]!.currency, open_at_start: open, note: input.note ?? null, document_id: documentId, created_at: this.o.now(), created_by: actor.name })
        .execute();
      await trx
        .insertInto('payment_plan_installments')
        .values(input.installments.map((inst, i) => ({ plan_id: planId, seq: i + 1, due_on: inst.dueOn, amount: inst.amount })))
        .execute();
      await this.o.audit.record({ actor, action: 'payment_plan.created', entityType: 'payment_plan', entityId: planId, customerId, newValue: input }, trx);
      return planId;
    });
    await this.o.changed([customerId]);
    return this.paymentPlan(id);
  }

  async paymentPlan(id: string) {
    const r = await this.o.db.selectFrom('payment_plans').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No payment plan ${id}`, 'payment_plan_not_found');
    const installments = await this.o.db.selectFrom('payment_plan_installments').selectAll().where('plan_id', '=', id).orderBy('seq').execute();
    return {
      id: r.id,
      customerId: r.customer_id,
      invoiceNumbers: await this.numbers(r.invoice_ids),
      total: Number(r.total),
      currency: r.currency,
      status: r.status,
      note: r.note,
      installments: installments.map((i) => ({ seq: i.seq, dueOn: i.due_on, amount: Number(i.amount), status: i.status, paidOn: i.paid_on })),
      agreement: r.document_id ? `/v1/collections/documents/${r.document_id}` : null,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
    };
  }

  async cancelPaymentPlan(id: string, reason: string, actor: AuthContext) {
    const p = await this.paymentPlan(id);
    if (p.status !== 'active') throw new Conflict(`Payment plan ${id} is ${p.status}`, 'payment_plan_not_active');
    await this.o.db.transaction().execute(async (trx) => {
      const done = await trx.updateTable('payment_plans').set({ status: 'cancelled', resolved_at: this.o.now() }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new Conflict(`Payment plan ${id} is no longer active`, 'payment_plan_not_active');
      await this.o.audit.record({ actor, action: 'payment_plan.cancelled', entityType: 'payment_plan', entityId: id, customerId: p.customerId, reason }, trx);
    });
    await this.o.changed([p.customerId]);
    return this.paymentPlan(id);
  }

  async openDispute(customerId: string | null, input: z.output<typeof disputeBody>, actor: AuthContext) {
    const inv = await this.o.db.selectFrom('invoices').select(['id', 'customer_id', 'number', 'open_amount', 'currency']).where('number', '=', input.invoiceNumber).executeTakeFirst();
    if (!inv || (customerId && inv.customer_id !== customerId)) throw InvalidInput.field('body.invoiceNumber', `no invoice ${input.invoiceNumber}${customerId ? ' for this customer' : ''}`, 'invoice_not_found');
    let id: string;
    try {
      id = await this.o.db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('disputes')
          .values({ customer_id: inv.customer_id, invoice_id: inv.id, category: input.category, comment: input.comment ?? null, opened_at: this.o.now(), opened_by: actor.name })
          .returning('id')
          .executeTakeFirstOrThrow();
        await this.o.audit.record({ actor, action: 'dispute.opened', entityType: 'dispute', entityId: row.id, customerId: inv.customer_id, newValue: input }, trx);
        await this.o.raise(
          [
            {
              type: 'dispute_opened',
              severity: 'medium',
              customerId: inv.customer_id,
              dedupeKey: `dispute_opened:${row.id}`,
              message: `Invoice ${inv.number} is disputed (${input.category})${input.comment ? `: ${input.comment}` : ''}. It leaves the dunning plan until the dispute is resolved.`,
              data: { disputeId: row.id, invoiceNumber: inv.number, category: input.category, open: Number(inv.open_amount), currency: inv.currency },
            },
          ],
          trx,
        );
        return row.id;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw new Conflict(`Invoice ${inv.number} already has an open dispute`, 'dispute_already_open', [{ field: 'body.invoiceNumber', message: 'already disputed' }]);
      throw err;
    }
    return this.dispute(id);
  }

  async dispute(id: string) {
    const r = await this.o.db
      .selectFrom('disputes as d')
      .innerJoin('invoices as i', 'i.id', 'd.invoice_id')
      .selectAll('d')
      .select('i.number')
      .where('d.id', '=', id)
      .executeTakeFirst();
    if (!r) throw new NotFound(`No dispute ${id}`, 'dispute_not_found');
    return {
      id: r.id,
      customerId: r.customer_id,
      invoiceNumber: r.number,
      category: r.category,
      comment: r.comment,
      status: r.status,
      resolution: r.resolution,
      openedAt: new Date(r.opened_at).toISOString(),
      openedBy: r.opened_by,
      resolvedAt: r.resolved_at ? new Date(r.resolved_at).toISOString() : null,
      resolvedBy: r.resolved_by,
    };
  }

  async resolveDispute(id: string, input: z.output<typeof resolveDisputeBody>, actor: AuthContext) {
    const d = await this.dispute(id);
    if (d.status !== 'open') throw new Conflict(`Dispute ${id} is already resolved`, 'dispute_resolved');
    await this.o.db.transaction().execute(async (trx) => {
      const done = await trx
        .updateTable('disputes')
        .set({ status: 'resolved', resolution: input.resolution, resolved_at: this.o.now(), resolved_by: actor.name, comment: input.comment ?? d.comment })
        .where('id', '=', id)
        .where('status', '=', 'open')
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new Conflict(`Dispute ${id} is already resolved`, 'dispute_resolved');
      await this.o.audit.record({ actor, action: 'dispute.resolved', entityType: 'dispute', entityId: id, customerId: d.customerId, newValue: input }, trx);
      await sql`UPDATE alerts SET status = 'resolved', resolved_at = ${this.o.now()}, resolved_by = ${actor.name} WHERE dedupe_key = ${`dispute_opened:${id}`} AND status <> 'resolved'`.execute(trx);
    });
    return this.dispute(id);
  }

  async pause(customerId: string, input: z.output<typeof pauseBody>, actor: AuthContext) {
    const today = this.o.today();
    if (input.until < today) throw InvalidInput.field('body.until', `must be today (${today}) or later`);
    if (input.until > addDays(today, 366)) throw InvalidInput.field('body.until', 'a pause lasts at most a year');
    let invoiceId: string | null = null;
    if (input.invoiceNumber) {
      const inv = await this.o.db.selectFrom('invoices').select(['id', 'customer_id']).where('number', '=', input.invoiceNumber).executeTakeFirst();
      if (!inv || inv.customer_id !== customerId) throw InvalidInput.field('body.invoiceNumber', `no invoice ${input.invoiceNumber} for this customer`, 'invoice_not_found');
      invoiceId = inv.id;
    }
    const id = await this.o.db.transaction().execute(async (trx) => {
      await this.lockCustomer(customerId, trx);
      const row = await trx
        .insertInto('collection_pauses')
        .values({ customer_id: customerId, invoice_id: invoiceId, until: input.until, reason: input.reason, created_at: this.o.now(), created_by: actor.name })
        .returning('id')
        .executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action: 'collections.paused', entityType: 'collection_pause', entityId: row.id, customerId, newValue: input }, trx);
      return row.id;
    });
    return this.pauseView(id);
  }

  async endPause(id: string, actor: AuthContext) {
    const p = await this.pauseView(id);
    if (p.endedAt) throw new Conflict(`Pause ${id} already ended`, 'pause_ended');
    await this.o.db.transaction().execute(async (trx) => {
      const done = await trx.updateTable('collection_pauses').set({ ended_at: this.o.now(), ended_by: actor.name }).where('id', '=', id).where('ended_at', 'is', null).executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new Conflict(`Pause ${id} already ended`, 'pause_ended');
      await this.o.audit.record({ actor, action: 'collections.resumed', entityType: 'collection_pause', entityId: id, customerId: p.customerId }, trx);
    });
    return this.pauseView(id);
  }

  async pauseView(id: string) {
    const r = await this.o.db
      .selectFrom('collection_pauses as p')
      .leftJoin('invoices as i', 'i.id', 'p.invoice_id')
      .selectAll('p')
      .select('i.number')
      .where('p.id', '=', id)
      .executeTakeFirst();
    if (!r) throw new NotFound(`No pause ${id}`, 'pause_not_found');
    return {
      id: r.id,
      customerId: r.customer_id,
      invoiceNumber: r.number,
      until: r.until,
      reason: r.reason,
      createdAt: new Date(r.created_at).toISOString(),
      createdBy: r.created_by,
      endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
      endedBy: r.ended_by,
    };
  }

  /**
   * The daily review: a promise is kept once the invoices it covers were paid down by the amount
   * promised; broken when its date passed before that (alert, and the plan resumes). An
   * installment is paid once the payments on the plan's invoices cover it and those before it;
   * late after its date (alert); after the policy's grace the plan is defaulted and dunning
   * resumes on the whole remainder; completed once everything is paid.
   */
  async review(today: string): Promise<Record<string, number>> {
    const counts = { promisesKept: 0, promisesBroken: 0, installmentsPaid: 0, installmentsLate: 0, plansDefaulted: 0, plansCompleted: 0 };
    const { policy } = await this.o.policy.current();
    const now = this.o.now();
    const touched = new Set<string>();
    await this.o.db.transaction().execute(async (trx) => {
      const { rows: promises } = await sql<{ id: string; customer_id: string; amount: number; promised_on: string; open_at_creation: number; open_now: number; currency: string; numbers: string[] }>`
        SELECT p.id, p.customer_id, p.amount, p.promised_on, p.open_at_creation, p.currency,
               (SELECT coalesce(sum(i.open_amount), 0)::bigint FROM invoices i WHERE i.id = ANY (p.invoice_ids)) AS open_now,
               (SELECT array_agg(i.number ORDER BY i.number) FROM invoices i WHERE i.id = ANY (p.invoice_ids)) AS numbers
          FROM payment_promises p WHERE p.status = 'open' FOR UPDATE OF p SKIP LOCKED`.execute(trx);
      const alerts: AlertInput[] = [];
      for (const p of promises) {
        const paid = Number(p.open_at_creation) - Number(p.open_now);
        if (paid >= Number(p.amount)) {
          await trx.updateTable('payment_promises').set({ status: 'kept', resolved_at: now }).where('id', '=', p.id).execute();
          counts.promisesKept++;
          touched.add(p.customer_id);
        } else if (p.promised_on < today) {
          await trx.updateTable('payment_promises').set({ status: 'broken', resolved_at: now }).where('id', '=', p.id).execute();
          counts.promisesBroken++;
          touched.add(p.customer_id);
          alerts.push({
            type: 'promise_broken',
            severity: 'high',
            customerId: p.customer_id,
            dedupeKey: `promise_broken:${p.id}`,
            message: `Promise to pay ${Number(p.amount) / 100} ${p.currency} by ${p.promised_on} was not kept (${paid / 100} ${p.currency} paid) on ${p.numbers.join(', ')}: the dunning plan resumes.`,
            data: { promiseId: p.id, promisedOn: p.promised_on, amount: Number(p.amount), paid, invoices: p.numbers },
          });
        }
      }

      const { rows: plans } = await sql<{ id: string; customer_id: string; total: number; open_at_start: number; open_now: number; currency: string }>`
        SELECT pl.id, pl.customer_id, pl.total, pl.open_at_start, pl.currency,
               (SELECT coalesce(sum(i.open_amount), 0)::bigint FROM invoices i WHERE i.id = ANY (pl.invoice_ids)) AS open_now
          FROM payment_plans pl WHERE pl.status = 'active' FOR UPDATE OF pl SKIP LOCKED`.execute(trx);
      for (const pl of plans) {
        const paid = Number(pl.open_at_start) - Number(pl.open_now);
        const installments = await trx.selectFrom('payment_plan_installments').selectAll().where('plan_id', '=', pl.id).orderBy('seq').execute();
        let cumulative = 0;
        let defaulted = false;
        for (const inst of installments) {
          cumulative += Number(inst.amount);
          if (paid >= cumulative) {
            if (inst.status !== 'paid') {
              await trx.updateTable('payment_plan_installments').set({ status: 'paid', paid_on: today }).where('plan_id', '=', pl.id).where('seq', '=', inst.seq).execute();
              counts.installmentsPaid++;
              touched.add(pl.customer_id);
            }
            continue;
          }
          if (inst.due_on < today) {
            if (inst.status !== 'late') {
              await trx.updateTable('payment_plan_installments').set({ status: 'late' }).where('plan_id', '=', pl.id).where('seq', '=', inst.seq).execute();
              counts.installmentsLate++;
              touched.add(pl.customer_id);
              alerts.push({
                type: 'installment_late',
                severity: 'high',
                customerId: pl.customer_id,
                dedupeKey: `installment_late:${pl.id}:${inst.seq}`,
                message: `Installment ${inst.seq} of the payment plan (${Number(inst.amount) / 100} ${pl.currency} due ${inst.due_on}) is late; after ${policy.installmentGraceDays} days of grace the plan is defaulted and dunning resumes on the remainder.`,
                data: { paymentPlanId: pl.id, seq: inst.seq, dueOn: inst.due_on, amount: Number(inst.amount), paidOnPlan: paid },
              });
            }
            if (daysBetween(inst.due_on, today) > policy.installmentGraceDays) defaulted = true;
          }
        }
        if (defaulted) {
          await trx.updateTable('payment_plans').set({ status: 'defaulted', resolved_at: now }).where('id', '=', pl.id).execute();
          counts.plansDefaulted++;
          touched.add(pl.customer_id);
        } else if (paid >= Number(pl.total)) {
          await trx.updateTable('payment_plans').set({ status: 'completed', resolved_at: now }).where('id', '=', pl.id).execute();
          counts.plansCompleted++;
          touched.add(pl.customer_id);
        }
      }
      if (alerts.length) await this.o.raise(alerts, trx);
    });
    if (touched.size) await this.o.changed([...touched]);
    return counts;
  }
}
