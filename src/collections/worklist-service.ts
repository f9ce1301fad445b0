import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { CollectionActionsTable, DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isoDateSchema } from '../identifiers.js';

type ActionRow = Selectable<CollectionActionsTable>;

export const callOutcomeBody = z.strictObject({
  outcome: z.enum(['reached_promise', 'reached_no_promise', 'no_answer', 'wrong_number', 'dispute_raised', 'other']),
  notes: z.string().trim().max(4000).optional(),
});
export const letterSentBody = z.strictObject({
  sentOn: isoDateSchema,
  registeredNumber: z.string().trim().min(1).max(64).optional().describe('Registered letter (LRAR / LRE) number'),
});
export const taskDoneBody = z.strictObject({ notes: z.string().trim().max(4000).optional() });

/** Risk weight of a grade in the worklist order (amount at risk × weight). */
const GRADE_WEIGHT: Record<string, number> = { A: 1, B: 2, C: 3, D: 4, E: 5, X: 6 };

export function actionView(r: ActionRow) {
  return {
    id: r.id,
    customerId: r.customer_id,
    kind: r.kind,
    step: r.step_key,
    plan: { id: r.plan_id, version: r.plan_version },
    runOn: r.run_on,
    subject: r.subject,
    body: r.body,
    formalNotice: r.formal_notice,
    invoices: r.invoices,
    total: Number(r.total),
    currency: r.currency,
    status: r.status,
    assignee: r.assignee,
    dueOn: r.due_on,
    deadlineOn: r.deadline_on,
    document: r.document_id ? `/v1/collections/documents/${r.document_id}` : null,
    outcome: r.outcome,
    notes: r.notes,
    sentOn: r.sent_on,
    registeredNumber: r.registered_number,
    completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : null,
    completedBy: r.completed_by,
  };
}

/** The collector's day (worklist), each customer's timeline, and what people record on actions. */
export class WorklistService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      audit: AuditService;
      today: () => string;
      now: () => Date;
    },
  ) {}

  /**
   * Today's calls, letters to send, escalations, promises and installments due, for an assignee
   * (or everyone), ordered by amount at risk × risk-grade weight (unknown grade counts as C).
   */
  async worklist(filter: { assignee?: string | undefined; date?: string | undefined; limit: number }) {
    const date = filter.date ?? this.o.today();
    const assignee = filter.assignee ?? null;
    const { rows } = await sql<{
      type: string;
      id: string;
      customer_id: string;
      customer_name: string;
      risk_grade: string | null;
      due_on: string;
      amount: number;
      currency: string;
      assignee: string | null;
      label: string;
      link: string;
    }>`
      WITH items AS (
        SELECT CASE a.kind WHEN 'call' THEN 'call' WHEN 'letter' THEN CASE WHEN a.formal_notice THEN 'formal_notice_to_send' ELSE 'letter_to_send' END
                    ELSE CASE WHEN a.plan_id IN ('insolvency', 'credit_insurance') THEN a.template ELSE 'escalation' END END AS type,
               a.id, a.customer_id, a.due_on, a.total AS amount, a.currency, a.assignee, a.subject AS label,
               '/v1/collections/actions/' || a.id AS link
          FROM collection_actions a
         WHERE a.status IN ('open', 'to_send') AND a.due_on <= ${date}::date
        UNION ALL
        SELECT 'promise_due', p.id, p.customer_id, p.promised_on, p.amount, p.currency, pr.collector,
               'Promise by ' || p.promised_by || ' to pay on ' || to_char(p.promised_on, 'YYYY-MM-DD'), '/v1/collections/promises/' || p.id
          FROM payment_promises p LEFT JOIN collection_profiles pr ON pr.customer_id = p.customer_id
         WHERE p.status = 'open' AND p.promised_on <= ${date}::date
        UNION ALL
        SELECT 'installment_due', pl.id, pl.customer_id, i.due_on, i.amount, pl.currency, pr.collector,
               'Installment ' || i.seq || ' due ' || to_char(i.due_on, 'YYYY-MM-DD') || CASE WHEN i.status = 'late' THEN ' (late)' ELSE '' END,
               '/v1/collections/payment-plans/' || pl.id
          FROM payment_plan_installments i JOIN payment_plans pl ON pl.id = i.plan_id
          LEFT JOIN collection_profiles pr ON pr.customer_id = pl.customer_id
         WHERE pl.status = 'active' AND i.status <> 'paid' AND i.due_on <= ${date}::date)
      SELECT items.type, items.id, items.customer_id, c.name AS customer_name, ca.risk_grade, items.due_on, items.amount,
             items.currency, items.assignee, items.label, items.link
        FROM items JOIN customers c ON c.id = items.customer_id JOIN credit_accounts ca ON ca.customer_id = items.customer_id
       WHERE ${assignee}::text IS NULL OR items.assignee = ${assignee}::text
       ORDER BY items.amount * (CASE ca.risk_grade WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 WHEN 'E' THEN 5 WHEN 'X' THEN 6 ELSE 3 END) DESC,
                items.due_on, items.id
       LIMIT ${filter.limit}`.execute(this.o.db);
    return {
      date,
      assignee,
      items: rows.map((r) => ({
        type: r.type,
        id: r.id,
        customer: { id: r.customer_id, name: r.customer_name, riskGrade: r.risk_grade },
        dueOn: r.due_on,
        amountAtRisk: Number(r.amount),
        currency: r.currency,
        priority: Number(r.amount) * (GRADE_WEIGHT[r.risk_grade ?? 'C'] ?? 3),
        assignee: r.assignee,
        label: r.label,
        link: r.link,
      })),
    };
  }

  /** Every reminder, letter, call, task, promise, plan, dispute, pause, waiver and payment of a customer, newest first. */
  async timeline(customerId: string, limit = 500) {
    const exists = await this.o.db.selectFrom('customers').select('id').where('id', '=', customerId).executeTakeFirst();
    if (!exists) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    const { rows } = await sql<{ at: Date; type: string; id: string; summary: string; status: string | null; link: string | null; data: unknown }>`
      SELECT a.created_at AS at, 'action.' || a.kind AS type, a.id::text, a.subject AS summary, a.status,
             coalesce('/v1/collections/documents/' || a.document_id, '/v1/collections/actions/' || a.id) AS link,
             jsonb_build_object('step', a.step_key, 'invoices', a.invoices, 'total', a.total, 'outcome', a.outcome, 'notes', a.notes,
                                'sentOn', a.sent_on, 'registeredNumber', a.registered_number, 'assignee', a.assignee) AS data
        FROM collection_actions a WHERE a.customer_id = ${customerId}
      UNION ALL
      SELECT e.created_at, 'email', e.id::text, e.subject, e.status, '/v1/collections/emails/' || e.id || '/eml',
             jsonb_build_object('to', e.to_addresses, 'attempts', e.attempts, 'lastError', e.last_error, 'sentAt', e.sent_at)
        FROM email_messages e WHERE e.customer_id = ${customerId}
      UNION ALL
      SELECT p.created_at, 'promise', p.id::text, 'Promise by ' || p.promised_by || ' to pay ' || p.amount || ' on ' || to_char(p.promised_on, 'YYYY-MM-DD'), p.status,
             '/v1/collections/promises/' || p.id, jsonb_build_object('amount', p.amount, 'promisedOn', p.promised_on, 'channel', p.channel, 'note', p.note)
        FROM payment_promises p WHERE p.customer_id = ${customerId}
      UNION ALL
      SELECT pl.created_at, 'payment_plan', pl.id::text, 'Payment plan of ' || pl.total, pl.status, '/v1/collections/payment-plans/' || pl.id,
             jsonb_build_object('total', pl.total, 'agreement', CASE WHEN pl.document_id IS NOT NULL THEN '/v1/collections/documents/' || pl.document_id END)
        FROM payment_plans pl WHERE pl.customer_id = ${customerId}
      UNION ALL
      SELECT d.opened_at, 'dispute', d.id::text, 'Dispute on ' || i.number || ' (' || d.category || ')', d.status, '/v1/collections/disputes/' || d.id,
             jsonb_build_object('invoice', i.number, 'comment', d.comment, 'resolution', d.resolution)
        FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE d.customer_id = ${customerId}
      UNION ALL
      SELECT cp.created_at, 'pause', cp.id::text, 'Paused until ' || to_char(cp.until, 'YYYY-MM-DD') || ': ' || cp.reason,
             CASE WHEN cp.ended_at IS NOT NULL THEN 'ended' ELSE 'active' END, NULL, jsonb_build_object('until', cp.until)
        FROM collection_pauses cp WHERE cp.customer_id = ${customerId}
      UNION ALL
      SELECT w.waived_at, 'waiver', i.number, 'Late-payment claims waived on ' || i.number || ': ' || w.reason, NULL, NULL,
             jsonb_build_object('penalties', w.penalties, 'indemnity', w.indemnity, 'by', w.waived_by)
        FROM penalty_waivers w JOIN invoices i ON i.id = w.invoice_id WHERE i.customer_id = ${customerId}
      UNION ALL
      SELECT c.created_at, c.kind, c.reference, initcap(replace(c.kind, '_', ' ')) || ' ' || c.reference || ' of ' || c.amount || ' on ' || to_char(c.date, 'YYYY-MM-DD'),
             NULL, NULL, jsonb_build_object('amount', c.amount, 'date', c.date, 'unapplied', c.unapplied)
        FROM credits c WHERE c.customer_id = ${customerId}
      UNION ALL
      SELECT ic.created_at, 'insolvency_case', ic.id::text,
             initcap(replace(ic.proceeding, '_', ' ')) || ' opened on ' || to_char(ic.judgment_date, 'YYYY-MM-DD') || ': declare the claim by ' || to_char(ic.deadline, 'YYYY-MM-DD'),
             ic.status, '/v1/insolvency-cases/' || ic.id,
             jsonb_build_object('announcement', ic.announcement_id, 'mandataire', ic.mandataire, 'declaredOn', ic.declared_on, 'declaration', '/v1/collections/documents/' || ic.document_id)
        FROM insolvency_cases ic WHERE ic.customer_id = ${customerId}
      ORDER BY at DESC, id
      LIMIT ${limit}`.execute(this.o.db);
    return { customerId, items: rows.map((r) => ({ at: new Date(r.at).toISOString(), type: r.type, id: r.id, summary: r.summary, status: r.status, link: r.link, data: r.data })) };
  }

  async action(id: string): Promise<ReturnType<typeof actionView>> {
    const r = await this.o.db.selectFrom('collection_actions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No collections action ${id}`, 'action_not_found');
    return actionView(r);
  }

  private async complete(id: string, kind: 'call' | 'letter' | 'internal', set: Partial<Pick<ActionRow, 'outcome' | 'notes' | 'sent_on' | 'registered_number'>> & { status: string }, actor: AuthContext, audit: string) {
    const before = await this.action(id);
    if (before.kind !== kind) throw new Conflict(`Action ${id} is a ${before.kind}, not a ${kind}`, 'wrong_action_kind');
    if (before.status !== 'open' && before.status !== 'to_send') throw new Conflict(`Action ${id} is already ${before.status}`, 'action_done');
    await this.o.db.transaction().execute(async (trx) => {
      // Guarded by its status: of two people completing the same action at once, one does.
      const done = await trx
        .updateTable('collection_actions')
        .set({
          ...set,
          // A formal notice's deadline runs from its sending (the letter says "à compter de sa réception";
          // the registered letter's date is the one the creditor can prove), for the same number of days.
          ...(set.sent_on ? { deadline_on: sql<string>`CASE WHEN formal_notice AND deadline_on IS NOT NULL THEN ${set.sent_on}::date + (deadline_on - run_on) ELSE deadline_on END` } : {}),
          updated_at: this.o.now(),
          completed_at: this.o.now(),
          completed_by: actor.name,
        })
        .where('id', '=', id)
        .where('status', 'in', ['open', 'to_send'])
        .executeTakeFirst();
      if (Number(done.numUpdatedRows) === 0) throw new Conflict(`Action ${id} was completed meanwhile`, 'action_done');
      await this.o.audit.record({ actor, action: audit, entityType: 'collection_action', entityId: id, customerId: before.customerId, oldValue: { status: before.status }, newValue: set }, trx);
    });
    return this.action(id);
  }

  recordCall(id: string, input: z.output<typeof callOutcomeBody>, actor: AuthContext) {
    return this.complete(id, 'call', { status: 'done', outcome: input.outcome, notes: input.notes ?? null }, actor, 'collections.call_recorded');
  }

  async markLetterSent(id: string, input: z.output<typeof letterSentBody>, actor: AuthContext) {
    if (input.sentOn > this.o.today()) throw InvalidInput.field('body.sentOn', 'cannot be in the future');
    const letter = await this.action(id);
    if (letter.runOn && input.sentOn < letter.runOn) throw InvalidInput.field('body.sentOn', `is before the letter's date (${letter.runOn})`);
    return this.complete(id, 'letter', { status: 'sent', sent_on: input.sentOn, registered_number: input.registeredNumber ?? null }, actor, 'collections.letter_sent');
  }

  completeTask(id: string, input: z.output<typeof taskDoneBody>, actor: AuthContext) {
    return this.complete(id, 'internal', { status: 'done', notes: input.notes ?? null }, actor, 'collections.task_done');
  }
}
