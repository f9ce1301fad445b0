import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB, InsolvencyCasesTable } from '../db/schema.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { addDays, daysBetween, isoDay as day } from '../clock.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { isoDateSchema } from '../identifiers.js';
import type { LegalEvent } from '../../sources/source.js';
import type { DocumentsStore } from '../collections/documents.js';
import type { Letterhead } from '../collections/pdf.js';
import { CompanyIdentityIncomplete } from '../company/company-service.js';
import type { ProfilesService } from '../collections/profiles.js';
import type { StatementService } from '../collections/statement-service.js';
import { renderDeclaration } from './legal-documents.js';
import { declarationDeadline, INSOLVENCY_LAW, mandataireFrom, OPENING_KINDS, reliefDeadline, retentionClaimDeadline, type Proceeding } from './insolvency-law.js';

type CaseRow = Selectable<InsolvencyCasesTable>;
type Raise = (alerts: AlertInput[], trx?: Transaction<DB>) => Promise<unknown>;

export const declarationBody = z.strictObject({
  mandataire: z.string().trim().min(1).max(300).optional().describe('The mandataire judiciaire (or liquidateur) to address; default: the one the judgment names'),
  creditorAbroad: z.boolean().optional().describe('The creditor does not live in metropolitan France: the deadline is 4 months, not 2 (R622-24)'),
  retentionOfTitle: z.array(z.string().min(1).max(100)).max(1000).optional().describe('Invoices whose goods were sold with a retention-of-title clause'),
});
export const declaredBody = z.strictObject({
  declaredOn: isoDateSchema,
  reference: z.string().trim().min(1).max(200).optional().describe('The registered letter number or the e-filing receipt'),
});
export const closeBody = z.strictObject({ reason: z.string().trim().min(1, 'say why').max(500) });

export interface InsolvencyCaseView {
  id: string;
  customerId: string;
  proceeding: Proceeding;
  judgment: { nature: string | null; date: string; court: string | null };
  announcement: { id: string; publishedOn: string };
  mandataire: string | null;
  creditorAbroad: boolean;
  deadline: string;
  daysLeft: number;
  retentionOfTitle: { invoices: string[]; claimDeadline: string };
  reliefDeadline: string;
  status: 'to_declare' | 'declared' | 'closed';
  declared: { on: string; amount: number | null; reference: string | null } | null;
  declaration: string | null;
  taskId: string | null;
  history: unknown;
  rules: { deadline: string; interest: string };
}

/**
 * The insolvency playbook. When BODACC publishes the opening of a collective proceeding for a
 * customer: a case with the deadline to declare the claims (publication + 2 months, 4 abroad), the
 * customer marked prepayment-only, reminders not yet out cancelled (no reminder may reach a company
 * in proceedings; the run skips it from then on), the claims split at the judgment date, the
 * déclaration de créance drafted as PDF, a task for the escalation contact, and alerts when the
 * case opens and 30, 15 and 3 days before the deadline.
 */
export class InsolvencyService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      statements: StatementService;
      profiles: ProfilesService;
      documents: DocumentsStore;
      /** The creditor's letterhead; refused (409) while the company identity is incomplete. */
      letterhead: () => Promise<Letterhead>;
      audit: AuditService;
      raise: Raise;
      today: () => string;
      now: () => Date;
    },
  ) {}

  /** The announcements the BODACC walk just stored, with the customers of each SIREN: openings open (or update) a case. */
  async onAnnouncements(events: readonly LegalEvent[], customersBySiren: Map<string, string[]>): Promise<number> {
    let opened = 0;
    for (const e of events) {
      if (!(OPENING_KINDS as readonly string[]).includes(e.kind) || e.correction?.type === 'annulation') continue;
      for (const customerId of customersBySiren.get(e.siren) ?? []) {
        if (await this.open(customerId, e)) opened++;
      }
    }
    return opened;
  }

  /** Opens the case of an opening judgment (once per announcement); a later judgment (a conversion) updates the case in progress. */
  async open(customerId: string, e: LegalEvent): Promise<boolean> {
    const now = this.o.now();
    const judgmentDate = /^\d{4}-\d{2}-\d{2}$/.test(e.judgment?.date ?? '') ? e.judgment!.date! : e.publishedOn;
    const created = await this.o.db.transaction().execute(async (trx) => {
      // The account first, as every money transaction takes it: one opening at a time per customer.
      await trx.selectFrom('credit_accounts').select('customer_id').where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
      const inProgress = await trx.selectFrom('insolvency_cases').selectAll().where('customer_id', '=', customerId).where('status', '<>', 'closed').executeTakeFirst();
      if (inProgress) {
        if (inProgress.announcement_id === e.id || inProgress.history && (inProgress.history as Array<{ announcement: string }>).some((h) => h.announcement === e.id)) return null;
        const history = [...((inProgress.history as unknown[]) ?? []), { at: now.toISOString(), announcement: e.id, proceeding: e.kind, nature: e.judgment?.nature ?? null, judgmentDate, publishedOn: e.publishedOn }];
        await trx
          .updateTable('insolvency_cases')
          .set({ proceeding: e.kind as Proceeding, judgment_nature: e.judgment?.nature ?? inProgress.judgment_nature, mandataire: inProgress.mandataire ?? mandataireFrom(e.judgment?.text), history: JSON.stringify(history), updated_at: now })
          .where('id', '=', inProgress.id)
          .execute();
        await this.o.raise([openedAlert({ ...inProgress, proceeding: e.kind as Proceeding }, `converted: ${e.judgment?.nature ?? e.kind}`)], trx);
        return null;
      }
      const row = await trx
        .insertInto('insolvency_cases')
        .values({
          customer_id: customerId,
          proceeding: e.kind as Proceeding,
          announcement_id: e.id,
          judgment_nature: e.judgment?.nature ?? null,
          judgment_date: judgmentDate,
          published_on: e.publishedOn,
          court: e.court,
          mandataire: mandataireFrom(e.judgment?.text),
          deadline: declarationDeadline(e.publishedOn, false),
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['customer_id', 'announcement_id']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!row) return null;
      await trx
        .updateTable('credit_accounts')
        .set({ prepayment_only: JSON.stringify({ since: judgmentDate, reason: `${e.kind.replace(/_/g, ' ')} opened (BODACC ${e.id})`, caseId: row.id }), updated_at: now })
        .where('customer_id', '=', customerId)
        .execute();
      // Nothing still waiting to go out may reach the company.
      await sql`UPDATE email_messages SET status = 'cancelled', last_error = 'cancelled: collective proceeding opened' WHERE customer_id = ${customerId} AND status IN ('pending', 'not_sent')`.execute(trx);
      // Reminders not yet out (e-mails, letters not posted) and calls or escalations still to do are cancelled.
      await sql`UPDATE collection_actions SET status = 'cancelled', notes = 'cancelled: collective proceeding opened', updated_at = ${now}
                 WHERE customer_id = ${customerId} AND plan_id <> 'insolvency' AND status IN ('queued', 'not_sent', 'to_send', 'open')`.execute(trx);
      await this.o.raise([openedAlert(row, null)], trx);
      return row;
    });
    if (!created) return false;
    try {
      await this.draft(created);
    } catch (err) {
      // The case stands (orders on prepayment, reminders cancelled, the alert raised); the
      // declaration waits for the company identity, and is drafted when asked again (redraft).
      if (!(err instanceof CompanyIdentityIncomplete)) throw err;
    }
    return true;
  }

  /** The claims at the judgment date: born before it (to declare, with penalties to the day before and the indemnities) and after it. */
  async claims(c: Pick<CaseRow, 'customer_id' | 'judgment_date' | 'retention_of_title'>) {
    const judgment = day(c.judgment_date);
    const statement = await this.o.statements.statement(c.customer_id, addDays(judgment, -1));
    const { rows: after } = await sql<{ number: string; issue_date: string; due_date: string; amount: number; open_amount: number }>`
      SELECT number, issue_date, due_date, amount, open_amount FROM invoices
       WHERE customer_id = ${c.customer_id} AND issue_date >= ${judgment}::date AND open_amount > 0 ORDER BY issue_date, number`.execute(this.o.db);
    const retention = new Set(c.retention_of_title);
    return {
      judgmentDate: judgment,
      currency: statement.currency,
      customer: statement.customer,
      language: statement.language,
      beforeJudgment: {
        invoices: statement.invoices.map((i) => ({ ...i, retentionOfTitle: retention.has(i.number) })),
        credits: statement.credits,
        totals: statement.totals,
        penaltiesUntil: addDays(judgment, -1),
        rule: INSOLVENCY_LAW.interestStops.source,
      },
      afterJudgment: {
        invoices: after.map((i) => ({ number: i.number, issueDate: day(i.issue_date), dueDate: day(i.due_date), amount: Number(i.amount), open: Number(i.open_amount) })),
        total: after.reduce((s, i) => s + Number(i.open_amount), 0),
        rule: INSOLVENCY_LAW.postJudgmentClaims.source,
      },
      warnings: statement.warnings,
    };
  }

  /** Renders the déclaration de créance, stores it, and (once) creates the task to file it. */
  private async draft(c: CaseRow): Promise<CaseRow> {
    const claims = await this.claims(c);
    const profile = await this.o.profiles.get(c.customer_id);
    const content = await renderDeclaration({
      from: await this.o.letterhead(),
      day: this.o.today(),
      debtor: { name: claims.customer.name, siren: claims.customer.siren, address: claims.customer.address },
      mandataire: c.mandataire,
      proceeding: c.proceeding,
      judgment: { date: day(c.judgment_date), nature: c.judgment_nature, court: c.court },
      announcement: { id: c.announcement_id, publishedOn: day(c.published_on) },
      deadline: day(c.deadline),
      deadlineRule: INSOLVENCY_LAW.declarationOfClaims.source,
      creditorAbroad: c.creditor_abroad,
      currency: claims.currency,
      invoices: claims.beforeJudgment.invoices,
      penaltiesUntil: claims.beforeJudgment.penaltiesUntil,
      retentionClaimDeadline: retentionClaimDeadline(day(c.published_on)),
      after: claims.afterJudgment.invoices,
    });
    const now = this.o.now();
    const documentId = randomUUID();
    const total = claims.beforeJudgment.totals.total;
    return this.o.db.transaction().execute(async (trx) => {
      await this.o.documents.insert([{ id: documentId, customerId: c.customer_id, kind: 'claim_declaration', filename: `declaration-de-creance-${claims.customer.externalId}-${day(c.judgment_date)}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_'), content, createdAt: now }], trx);
      let taskId = c.task_id;
      if (!taskId) {
        taskId = randomUUID();
        await trx
          .insertInto('collection_actions')
          .values({
            id: taskId,
            customer_id: c.customer_id,
            run_on: this.o.today(),
            kind: 'internal',
            step_key: 'claim_declaration',
            step_index: 0,
            plan_id: 'insolvency',
            plan_version: 0,
            template: 'claim_declaration',
            subject: `Déclarer la créance sur ${claims.customer.name} (${c.proceeding.replace(/_/g, ' ')}) au plus tard le ${day(c.deadline)}`,
            body: `Total à déclarer : ${total} (unités mineures, ${claims.currency}). Projet : /v1/collections/documents/${documentId}`,
            idempotency_key: `insolvency:${c.id}`,
            invoices: JSON.stringify(claims.beforeJudgment.invoices.map((i) => ({ number: i.number, open: i.open, atStep: null }))),
            total,
            currency: claims.currency,
            status: 'open',
            assignee: profile.escalationContact?.name ?? profile.collector ?? profile.owner?.name ?? null,
            due_on: this.o.today(),
            deadline_on: day(c.deadline),
            document_id: documentId,
            created_at: now,
            updated_at: now,
          })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .execute();
      } else {
        await trx.updateTable('collection_actions').set({ document_id: documentId, deadline_on: day(c.deadline), total, updated_at: now }).where('id', '=', taskId).execute();
      }
      return trx.updateTable('insolvency_cases').set({ document_id: documentId, task_id: taskId, updated_at: now }).where('id', '=', c.id).returningAll().executeTakeFirstOrThrow();
    });
  }

  async list(filter: { customerId?: string | undefined; status?: CaseRow['status'] | undefined }): Promise<InsolvencyCaseView[]> {
    let q = this.o.db.selectFrom('insolvency_cases').selectAll().orderBy('deadline').orderBy('id').limit(500);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.status) q = q.where('status', '=', filter.status);
    return (await q.execute()).map((r) => this.view(r));
  }

  async get(id: string): Promise<CaseRow> {
    const row = await this.o.db.selectFrom('insolvency_cases').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFound(`No insolvency case ${id}`, 'insolvency_case_not_found');
    return row;
  }

  async detail(id: string) {
    const row = await this.get(id);
    return { ...this.view(row), claims: await this.claims(row) };
  }

  /** Changes what the declaration says (mandataire, creditor abroad, retention of title) and drafts it again (audited). */
  async redraft(id: string, input: z.output<typeof declarationBody>, actor: AuthContext): Promise<InsolvencyCaseView> {
    const before = await this.get(id);
    if (before.status !== 'to_declare') throw new Conflict(`The case is ${before.status}: the declaration can no longer change`, 'insolvency_case_not_open');
    if (input.retentionOfTitle?.length) {
      const found = await this.o.db.selectFrom('invoices').select('number').where('customer_id', '=', before.customer_id).where('number', 'in', input.retentionOfTitle).execute();
      const known = new Set(found.map((f) => f.number));
      const i = input.retentionOfTitle.findIndex((n) => !known.has(n));
      if (i >= 0) throw InvalidInput.field(`body.retentionOfTitle[${i}]`, `no invoice ${input.retentionOfTitle[i]} for this customer`, 'invoice_not_found');
    }
    const creditorAbroad = input.creditorAbroad ?? before.creditor_abroad;
    const changes = {
      mandataire: input.mandataire ?? before.mandataire,
      creditor_abroad: creditorAbroad,
      retention_of_title: input.retentionOfTitle ?? before.retention_of_title,
      deadline: declarationDeadline(day(before.published_on), creditorAbroad),
    };
    const after = await this.o.db.transaction().execute(async (trx) => {
      const row = await trx.updateTable('insolvency_cases').set({ ...changes, updated_at: this.o.now() }).where('id', '=', id).where('status', '=', 'to_declare').returningAll().executeTakeFirst();
      if (!row) throw new Conflict('The case changed meanwhile', 'insolvency_case_not_open');
      await this.o.audit.record({ actor, action: 'insolvency_case.changed', entityType: 'insolvency_case', entityId: id, customerId: before.customer_id, oldValue: { mandataire: before.mandataire, creditorAbroad: before.creditor_abroad, retentionOfTitle: before.retention_of_title }, newValue: input }, trx);
      return row;
    });
    return this.view(await this.draft(after));
  }

  /** The claim was declared (date, reference): reminders stop; the task is done. */
  async declared(id: string, input: z.output<typeof declaredBody>, actor: AuthContext): Promise<InsolvencyCaseView> {
    const before = await this.get(id);
    if (before.status !== 'to_declare') throw new Conflict(`The case is already ${before.status}`, 'insolvency_case_not_open');
    if (input.declaredOn < day(before.published_on)) throw InvalidInput.field('body.declaredOn', `before the publication of the judgment (${day(before.published_on)})`);
    if (input.declaredOn > this.o.today()) throw InvalidInput.field('body.declaredOn', 'in the future');
    const claims = await this.claims(before);
    const now = this.o.now();
    const row = await this.o.db.transaction().execute(async (trx) => {
      const r = await trx
        .updateTable('insolvency_cases')
        .set({ status: 'declared', declared_on: input.declaredOn, declared_amount: claims.beforeJudgment.totals.total, declaration_reference: input.reference ?? null, updated_at: now })
        .where('id', '=', id)
        .where('status', '=', 'to_declare')
        .returningAll()
        .executeTakeFirst();
      if (!r) throw new Conflict('The case changed meanwhile', 'insolvency_case_not_open');
      if (r.task_id) await trx.updateTable('collection_actions').set({ status: 'done', outcome: 'declared', completed_at: now, completed_by: actor.name, updated_at: now }).where('id', '=', r.task_id).execute();
      await this.o.audit.record({ actor, action: 'insolvency_case.declared', entityType: 'insolvency_case', entityId: id, customerId: r.customer_id, oldValue: null, newValue: { declaredOn: input.declaredOn, amount: r.declared_amount, reference: input.reference ?? null } }, trx);
      return r;
    });
    return this.view(row);
  }

  /** Closes the case (the proceeding ended); the prepayment-only mark stays until a credit manager lifts it. */
  async close(id: string, input: z.output<typeof closeBody>, actor: AuthContext): Promise<InsolvencyCaseView> {
    const before = await this.get(id);
    if (before.status === 'closed') throw new Conflict('The case is already closed', 'insolvency_case_closed');
    const row = await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('insolvency_cases').set({ status: 'closed', updated_at: this.o.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action: 'insolvency_case.closed', entityType: 'insolvency_case', entityId: id, customerId: r.customer_id, oldValue: { status: before.status }, newValue: { status: 'closed' }, reason: input.reason }, trx);
      return r;
    });
    return this.view(row);
  }

  /** Lifts the prepayment-only mark (audited). */
  async liftPrepayment(customerId: string, input: z.output<typeof closeBody>, actor: AuthContext): Promise<{ customerId: string; prepaymentOnly: null }> {
    await this.o.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('credit_accounts').select('prepayment_only').where('customer_id', '=', customerId).forUpdate().executeTakeFirst();
      if (!before) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
      if (before.prepayment_only === null) throw new Conflict('The customer is not prepayment-only', 'not_prepayment_only');
      await trx.updateTable('credit_accounts').set({ prepayment_only: null, updated_at: this.o.now() }).where('customer_id', '=', customerId).execute();
      await this.o.audit.record({ actor, action: 'credit.prepayment_only_lifted', entityType: 'customer', entityId: customerId, customerId, oldValue: before.prepayment_only, newValue: null, reason: input.reason }, trx);
    });
    return { customerId, prepaymentOnly: null };
  }

  /**
   * The daily review: a case still to declare raises `claim_deadline` at the first of the reminder
   * days (30, 15, 3) it reached, once each; a deadline missed says until when relief may be asked.
   */
  async review(today: string): Promise<{ insolvencyCasesCaughtUp: number; claimDeadlineAlerts: number }> {
    // An opening stored by the BODACC walk whose case could not be opened then (the process stopped) is opened now.
    const { rows: missed } = await sql<{ customer_id: string; event: LegalEvent }>`
      SELECT c.id AS customer_id, le.event FROM legal_events le JOIN customers c ON c.siren = le.siren
       WHERE le.kind IN ('sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire') AND le.published_on >= ${addDays(today, -183)}::date
         AND NOT EXISTS (SELECT 1 FROM insolvency_cases ic WHERE ic.customer_id = c.id)
       ORDER BY le.published_on, le.id`.execute(this.o.db);
    let caughtUp = 0;
    for (const m of missed) if (m.event.correction?.type !== 'annulation' && (await this.open(m.customer_id, m.event))) caughtUp++;
    const horizon = addDays(today, Math.max(...INSOLVENCY_LAW.reminderDaysBeforeDeadline));
    const rows = await this.o.db.selectFrom('insolvency_cases').selectAll().where('status', '=', 'to_declare').where('deadline', '<=', horizon).orderBy('deadline').execute();
    const alerts: AlertInput[] = [];
    const steps = [...INSOLVENCY_LAW.reminderDaysBeforeDeadline].sort((a, b) => a - b);
    for (const r of rows) {
      const left = daysBetween(today, day(r.deadline));
      if (left < 0) {
        alerts.push({
          type: 'claim_deadline',
          severity: 'critical',
          customerId: r.customer_id,
          dedupeKey: `claim_deadline:${r.id}:missed`,
          message: `The deadline to declare the claim passed on ${day(r.deadline)}: ask the juge-commissaire for relief (relevé de forclusion) by ${reliefDeadline(day(r.published_on))}`,
          data: { caseId: r.id, deadline: day(r.deadline), daysLeft: left, reliefDeadline: reliefDeadline(day(r.published_on)), rule: INSOLVENCY_LAW.lateDeclaration.source },
          evidence: { source: 'bodacc', id: r.announcement_id, date: day(r.published_on) },
          once: true,
        });
        continue;
      }
      const reached = steps.find((s) => left <= s);
      if (reached === undefined) continue;
      alerts.push({
        type: 'claim_deadline',
        severity: reached <= 3 ? 'critical' : reached <= 15 ? 'high' : 'medium',
        customerId: r.customer_id,
        dedupeKey: `claim_deadline:${r.id}:${reached}`,
        message: `${left} day(s) left to declare the claim (deadline ${day(r.deadline)}, ${r.proceeding.replace(/_/g, ' ')})`,
        data: { caseId: r.id, deadline: day(r.deadline), daysLeft: left, reminder: reached, declaration: r.document_id ? `/v1/collections/documents/${r.document_id}` : null },
        evidence: { source: 'bodacc', id: r.announcement_id, date: day(r.published_on) },
        once: true,
      });
    }
    const raised = alerts.length ? await this.o.raise(alerts) : [];
    return { insolvencyCasesCaughtUp: caughtUp, claimDeadlineAlerts: Array.isArray(raised) ? raised.length : alerts.length };
  }

  view(r: CaseRow): InsolvencyCaseView {
    const published = day(r.published_on);
    return {
      id: r.id,
      customerId: r.customer_id,
      proceeding: r.proceeding,
      judgment: { nature: r.judgment_nature, date: day(r.judgment_date), court: r.court },
      announcement: { id: r.announcement_id, publishedOn: published },
      mandataire: r.mandataire,
      creditorAbroad: r.creditor_abroad,
      deadline: day(r.deadline),
      daysLeft: daysBetween(this.o.today(), day(r.deadline)),
      retentionOfTitle: { invoices: r.retention_of_title, claimDeadline: retentionClaimDeadline(published) },
      reliefDeadline: reliefDeadline(published),
      status: r.status,
      declared: r.declared_on ? { on: day(r.declared_on), amount: r.declared_amount === null ? null : Number(r.declared_amount), reference: r.declaration_reference } : null,
      declaration: r.document_id ? `/v1/collections/documents/${r.document_id}` : null,
      taskId: r.task_id,
      history: r.history,
      rules: { deadline: INSOLVENCY_LAW.declarationOfClaims.source, interest: INSOLVENCY_LAW.interestStops.source },
    };
  }
}


function openedAlert(r: Pick<CaseRow, 'id' | 'customer_id' | 'proceeding' | 'deadline' | 'announcement_id' | 'published_on' | 'judgment_date' | 'mandataire'>, note: string | null): AlertInput {
  return {
    type: 'insolvency_opened',
    severity: 'critical',
    customerId: r.customer_id,
    dedupeKey: `insolvency_opened:${r.id}:${r.proceeding}`,
    message: `${r.proceeding.replace(/_/g, ' ')} opened on ${day(r.judgment_date)}${note ? ` (${note})` : ''}: declare the claim by ${day(r.deadline)}; reminders stopped, prepayment only`,
    data: { caseId: r.id, proceeding: r.proceeding, judgmentDate: day(r.judgment_date), deadline: day(r.deadline), mandataire: r.mandataire },
    evidence: { source: 'bodacc', id: r.announcement_id, date: day(r.published_on) },
    once: true,
  };
}
