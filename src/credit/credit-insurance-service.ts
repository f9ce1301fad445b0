import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { CreditInsuranceCoversTable, DB } from '../db/schema.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { isoDay as day } from '../clock.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { currencySchema, isoDateSchema } from '../identifiers.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { CreditService } from './credit-service.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

type CoverRow = Selectable<CreditInsuranceCoversTable>;
type Raise = (alerts: AlertInput[]) => Promise<unknown>;

export const coverBody = z.strictObject({
  insurer: z.string().trim().min(1).max(200),
  policyNumber: z.string().trim().min(1).max(100).optional(),
  coveragePercent: z.number().min(1).max(100).multipleOf(0.01, 'at most two decimals').describe('The share of an unpaid claim the insurer pays (typically 90–95 %)'),
  insuredLimit: z.number().int('minor units').min(0).max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE).describe('The insured limit on this buyer (minor units); 0 when withdrawn'),
  currency: currencySchema,
  status: z.enum(['agreed', 'reduced', 'withdrawn']).describe("The insurer's decision"),
  decidedOn: isoDateSchema.describe("The date of the insurer's decision"),
  claimDeadlineDays: z.number().int().min(1).max(730).describe('Days after the due date within which an unpaid invoice must be declared to the insurer'),
  claimNoticeDays: z.number().int().min(0).max(365).default(15).describe('How many days before that deadline the "declare to insurer" task is created'),
  reason: z.string().trim().min(1, 'say why').max(500),
});
export type CoverInput = z.output<typeof coverBody>;

export const factoringBody = z.strictObject({
  factor: z.string().trim().min(1).max(200),
  assignedOn: isoDateSchema,
  recourse: z.boolean().describe('With recourse the risk comes back to us (the invoice stays in the exposure, apart); without, it leaves the exposure'),
});
export const reasonBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });

export interface CoverView {
  customerId: string;
  insurer: string;
  policyNumber: string | null;
  coveragePercent: number;
  insuredLimit: number;
  currency: string;
  status: CoverRow['status'];
  decidedOn: string;
  claimDeadlineDays: number;
  claimNoticeDays: number;
  history: unknown;
  updatedAt: string;
  updatedBy: string;
}


function coverView(r: CoverRow): CoverView {
  return {
    customerId: r.customer_id,
    insurer: r.insurer,
    policyNumber: r.policy_number,
    coveragePercent: r.coverage_bp / 100,
    insuredLimit: Number(r.insured_limit),
    currency: r.currency,
    status: r.status,
    decidedOn: day(r.decided_on),
    claimDeadlineDays: r.claim_deadline_days,
    claimNoticeDays: r.claim_notice_days,
    history: r.history,
    updatedAt: new Date(r.updated_at).toISOString(),
    updatedBy: r.updated_by,
  };
}

/**
 * Credit insurance and factoring. A customer's cover (insurer, coverage, insured limit agreed,
 * reduced or withdrawn, claim deadline) is stored and audited, and the figures the credit rules use
 * are set on the credit account in the same transaction: the exposure net of the insured share is
 * computed by the one position function. A cover reduced or withdrawn raises `cover_reduced` and, by
 * policy, lowers the limit to the insured limit (through the one way limits are set). An unpaid
 * invoice nearing the insurer's claim deadline gets a "declare to insurer" task and alert. Invoices
 * assigned to a factor leave dunning and are shown apart in the exposure.
 */
export class CreditInsuranceService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      credit: CreditService;
      policy: PolicyService;
      audit: AuditService;
      raise: Raise;
      /** Receivables changed (the exposure watch and the order re-checks listen). */
      announce: (customerIds: string[]) => void;
      today: () => string;
      now: () => Date;
    },
  ) {}

  async get(customerId: string): Promise<CoverView> {
    const r = await this.o.db.selectFrom('credit_insurance_covers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
    if (!r) throw new NotFound(`No credit-insurance cover for customer ${customerId}`, 'cover_not_found');
    return coverView(r);
  }

  async put(customerId: string, input: CoverInput, actor: AuthContext): Promise<CoverView & { limitLowered: { from: number; to: number } | null }> {
    if (input.decidedOn > this.o.today()) throw InvalidInput.field('body.decidedOn', 'in the future: record a decision once the insurer made it');
    if (input.status === 'withdrawn' && input.insuredLimit !== 0) throw InvalidInput.field('body.insuredLimit', 'a withdrawn cover insures nothing: 0');
    if (input.status !== 'withdrawn' && input.insuredLimit === 0) throw InvalidInput.field('body.insuredLimit', 'an agreed or reduced cover has an insured limit above 0 (or the status is withdrawn)');
    const now = this.o.now();
    const { before, after } = await this.o.db.transaction().execute(async (trx) => {
      const account = await trx.selectFrom('credit_accounts').select(['currency']).where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
      if (!account) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
      if (account.currency !== input.currency) throw InvalidInput.field('body.currency', `the customer's currency is ${account.currency}`, 'currency_mismatch');
      const before = await trx.selectFrom('credit_insurance_covers').selectAll().where('customer_id', '=', customerId).executeTakeFirst();
      const decision = { status: input.status, insuredLimit: input.insuredLimit, coveragePercent: input.coveragePercent, decidedOn: input.decidedOn, recordedAt: now.toISOString(), by: actor.name, reason: input.reason };
      const values = {
        insurer: input.insurer,
        policy_number: input.policyNumber ?? null,
        coverage_bp: Math.round(input.coveragePercent * 100),
        insured_limit: input.insuredLimit,
        currency: input.currency,
        status: input.status,
        decided_on: input.decidedOn,
        claim_deadline_days: input.claimDeadlineDays,
        claim_notice_days: input.claimNoticeDays,
        history: JSON.stringify([...((before?.history as unknown[]) ?? []), decision]),
        updated_at: now,
        updated_by: actor.name,
      };
      const after = await trx
        .insertInto('credit_insurance_covers')
        .values({ customer_id: customerId, ...values })
        .onConflict((oc) => oc.column('customer_id').doUpdateSet(values))
        .returningAll()
        .executeTakeFirstOrThrow();
      await trx.updateTable('credit_accounts').set({ insured_limit: input.insuredLimit, insured_coverage_bp: values.coverage_bp, updated_at: now }).where('customer_id', '=', customerId).execute();
      await this.o.audit.record({ actor, action: 'credit_insurance.set', entityType: 'customer', entityId: customerId, customerId, oldValue: before ? coverView(before) : null, newValue: decision, reason: input.reason }, trx);
      return { before, after };
    });

    // Less cover than before: an alert, and by policy the limit follows it down.
    let limitLowered: { from: number; to: number } | null = null;
    const previous = before ? Number(before.insured_limit) : null;
    if (previous !== null && input.insuredLimit < previous) {
      const policy = await this.o.policy.current();
      if (policy.limitFollowsCover) {
        const position = await this.o.credit.detail(customerId);
        const limit = position.credit.creditLimit.amount;
        if (limit > input.insuredLimit) {
          await this.o.credit.setLimit(customerId, { amount: input.insuredLimit, currency: input.currency, reason: `credit insurance ${input.status} by ${input.insurer} on ${input.decidedOn}: the limit follows the insured limit (credit policy limitFollowsCover)` }, actor);
          limitLowered = { from: limit, to: input.insuredLimit };
        }
      }
      await this.o.raise([
        {
          type: 'cover_reduced',
          severity: input.status === 'withdrawn' ? 'critical' : 'high',
          customerId,
          dedupeKey: `cover_reduced:${customerId}:${input.decidedOn}:${input.insuredLimit}`,
          message: `${input.insurer} ${input.status === 'withdrawn' ? 'withdrew its cover' : `reduced the insured limit from ${previous} to ${input.insuredLimit}`} on ${input.decidedOn}${limitLowered ? `; the credit limit was lowered from ${limitLowered.from} to ${limitLowered.to}` : ''}`,
          data: { insurer: input.insurer, status: input.status, from: previous, to: input.insuredLimit, decidedOn: input.decidedOn, limitLowered },
          evidence: { source: 'credit_insurance', date: input.decidedOn },
          once: true,
        },
      ]);
    }
    this.o.announce([customerId]);
    return { ...coverView(after), limitLowered };
  }

  /** Assigns an invoice to a factor (audited): it leaves dunning; the exposure shows it apart. */
  async factor(invoiceNumber: string, input: z.output<typeof factoringBody>, actor: AuthContext) {
    const inv = await this.o.db.selectFrom('invoices').select(['id', 'customer_id', 'issue_date', 'factor']).where('number', '=', invoiceNumber).executeTakeFirst();
    if (!inv) throw new NotFound(`No invoice ${invoiceNumber}`, 'invoice_not_found');
    if (inv.factor !== null) throw new Conflict(`Invoice ${invoiceNumber} is already assigned to ${inv.factor}`, 'invoice_factored');
    if (input.assignedOn < day(inv.issue_date)) throw InvalidInput.field('body.assignedOn', `before the invoice was issued (${day(inv.issue_date)})`);
    if (input.assignedOn > this.o.today()) throw InvalidInput.field('body.assignedOn', 'in the future');
    return this.setFactor(inv, { factor: input.factor, factored_on: input.assignedOn, factor_recourse: input.recourse }, 'invoice.factored', input, actor, null);
  }

  /** The factor hands the invoice back (audited): it counts again as ours, and dunning takes it up. */
  async unfactor(invoiceNumber: string, input: z.output<typeof reasonBody>, actor: AuthContext) {
    const inv = await this.o.db.selectFrom('invoices').select(['id', 'customer_id', 'issue_date', 'factor']).where('number', '=', invoiceNumber).executeTakeFirst();
    if (!inv) throw new NotFound(`No invoice ${invoiceNumber}`, 'invoice_not_found');
    if (inv.factor === null) throw new Conflict(`Invoice ${invoiceNumber} is not assigned to a factor`, 'invoice_not_factored');
    return this.setFactor(inv, { factor: null, factored_on: null, factor_recourse: null }, 'invoice.unfactored', { factor: inv.factor }, actor, input.reason);
  }

  private async setFactor(
    inv: { id: string; customer_id: string },
    set: { factor: string | null; factored_on: string | null; factor_recourse: boolean | null },
    action: string,
    newValue: unknown,
    actor: AuthContext,
    reason: string | null,
  ) {
    const row = await this.o.db.transaction().execute(async (trx) => {
      // The account first, as every change of the exposure takes it.
      await trx.selectFrom('credit_accounts').select('customer_id').where('customer_id', '=', inv.customer_id).forUpdate().executeTakeFirst();
      const r = await trx.updateTable('invoices').set(set).where('id', '=', inv.id).returning(['number', 'customer_id', 'factor', 'factored_on', 'factor_recourse', 'open_amount']).executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action, entityType: 'invoice', entityId: r.number, customerId: r.customer_id, oldValue: null, newValue, reason }, trx);
      return r;
    });
    this.o.announce([inv.customer_id]);
    return { invoiceNumber: row.number, customerId: row.customer_id, factor: row.factor, assignedOn: row.factored_on ? day(row.factored_on) : null, recourse: row.factor_recourse, open: Number(row.open_amount) };
  }

  /**
   * The daily review: an unpaid invoice of an insured customer (not factored) whose claim deadline
   * (due date + the cover's claim days) is within the notice days gets a "declare to insurer" task,
   * once, and an `insurer_claim_due` alert.
   */
  async review(today: string): Promise<{ insurerClaimTasks: number }> {
    const { rows } = await sql<{ invoice_id: string; number: string; customer_id: string; due_date: string; open_amount: number; currency: string; insurer: string; deadline: string; assignee: string | null }>`
      SELECT i.id AS invoice_id, i.number, i.customer_id, to_char(i.due_date, 'YYYY-MM-DD') AS due_date, i.open_amount, i.currency, cv.insurer,
             to_char(i.due_date + cv.claim_deadline_days, 'YYYY-MM-DD') AS deadline,
             coalesce(pr.collector, pr.escalation_contact->>'name', pr.owner->>'name') AS assignee
        FROM credit_insurance_covers cv
        JOIN invoices i ON i.customer_id = cv.customer_id AND i.open_amount > 0 AND i.factor_recourse IS NULL
                       AND i.due_date <= ${today}::date - (cv.claim_deadline_days - cv.claim_notice_days)
        LEFT JOIN collection_profiles pr ON pr.customer_id = cv.customer_id
       -- A withdrawn cover still covers what was invoiced before the withdrawal.
       WHERE (cv.status <> 'withdrawn' OR i.issue_date <= cv.decided_on)
         AND NOT EXISTS (SELECT 1 FROM collection_actions a WHERE a.idempotency_key = 'insurer_claim:' || i.id)
       ORDER BY i.due_date, i.number`.execute(this.o.db);
    if (rows.length === 0) return { insurerClaimTasks: 0 };
    const now = this.o.now();
    const inserted = await this.o.db
      .insertInto('collection_actions')
      .values(
        rows.map((r) => ({
          id: randomUUID(),
          customer_id: r.customer_id,
          run_on: today,
          kind: 'internal' as const,
          step_key: 'declare_to_insurer',
          step_index: 0,
          plan_id: 'credit_insurance',
          plan_version: 0,
          template: 'declare_to_insurer',
          subject: `Declare invoice ${r.number} to ${r.insurer} by ${r.deadline}`,
          body: `Invoice ${r.number}, due ${r.due_date}, ${Number(r.open_amount)} (minor units, ${r.currency}) unpaid: declare the claim (menace de sinistre) to ${r.insurer} by ${r.deadline}.`,
          idempotency_key: `insurer_claim:${r.invoice_id}`,
          invoices: JSON.stringify([{ number: r.number, open: Number(r.open_amount), atStep: null }]),
          total: Number(r.open_amount),
          currency: r.currency,
          status: 'open',
          assignee: r.assignee,
          due_on: today,
          deadline_on: r.deadline,
          document_id: null,
          created_at: now,
          updated_at: now,
        })),
      )
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returning(['idempotency_key'])
      .execute();
    const created = new Set(inserted.map((i) => i.idempotency_key));
    await this.o.raise(
      rows
        .filter((r) => created.has(`insurer_claim:${r.invoice_id}`))
        .map((r) => ({
          type: 'insurer_claim_due' as const,
          severity: 'high' as const,
          customerId: r.customer_id,
          dedupeKey: `insurer_claim_due:${r.invoice_id}`,
          message: `Invoice ${r.number} is unpaid: declare it to ${r.insurer} by ${r.deadline} or lose the cover on it`,
          data: { invoice: r.number, dueDate: r.due_date, open: Number(r.open_amount), insurer: r.insurer, deadline: r.deadline },
          evidence: { source: 'credit_insurance', date: r.deadline },
          once: true,
        })),
    );
    return { insurerClaimTasks: created.size };
  }
}
