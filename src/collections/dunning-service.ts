import { createHash, randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { addDays, dayIn, daysBetween, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import { planCustomer, type DunningStep, type InvoiceInPlan } from './dunning-engine.js';
import type { DunningPlan, DunningPlansService } from './dunning-plans.js';
import type { CollectionsPolicy, CollectionsPolicyService } from './collections-policy.js';
import type { LatePaymentLaw } from './late-payment-law.js';
import type { CollectionProfile, ProfilesService } from './profiles.js';
import type { Templates } from './templates.js';
import type { EmailOutbox, NewEmail } from './email-outbox.js';
import { renderLetter, type DocumentsStore } from './documents.js';
import { legalMentions, spacedIban, type Letterhead } from './pdf.js';
import { claimFor, loadReductions } from './claims.js';
import { applicableRate, indemnityFor, ratesFor } from './penalties.js';

type Executor = Kysely<DB> | Transaction<DB>;

interface InvoiceRow {
  id: string;
  customer_id: string;
  number: string;
  issue_date: string;
  due_date: string;
  amount: number;
  open_amount: number;
  currency: string;
  step_index: number | null;
  step_key: string | null;
  plan_id: string | null;
  last_step_on: string | null;
  anchor_on: string | null;
  open_at_step: number | null;
  last_reduction_on: string | null;
  excluded: string | null;
}

interface CustomerRow {
  id: string;
  name: string;
  siren: string;
  external_id: string;
  risk_grade: string | null;
}

/** One action decided for one customer today, before it is written. */
interface Decided {
  id: string;
  customer: CustomerRow;
  profile: CollectionProfile;
  plan: DunningPlan;
  step: DunningStep;
  stepIndex: number;
  invoices: Array<{ row: InvoiceRow; stepIndex: number }>;
  /** Invoices the document lists: the ones at a step, or for a formal notice every overdue invoice in the plan not already in one. */
  listed: InvoiceRow[];
  key: string;
  /** A formal notice step whose invoices are all in an earlier notice: they move to the step, nothing is sent. */
  silent: boolean;
  /** For a formal notice: the earlier notices still in force for this customer's other overdue invoices (cited). */
  earlier: Array<{ date: string; numbers: string[] }>;
}

export interface DunningRunCounts {
  customers: number;
  actions: number;
  emails: number;
  letters: number;
  calls: number;
  tasks: number;
  [k: string]: number;
}


/**
 * The daily dunning run. For each customer with open invoices due (or falling due within the
 * plan's lead), in batches: the invoices still in the plan (not paid, disputed, promised, under a
 * payment plan or paused), the step due for each (dunning-engine), one action per customer at the
 * highest step, written with the invoices' new state in one transaction. Each action has a key
 * (customer, day, step, invoice set) that is unique in the database: a re-run, or a second worker
 * running at the same time, writes nothing twice. E-mails go to the outbox; letters are rendered
 * to PDF; calls and escalations become tasks. Then the order blocks are refreshed and the outbox sent.
 */
export class DunningService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      plans: DunningPlansService;
      policy: CollectionsPolicyService;
      law: LatePaymentLaw;
      profiles: ProfilesService;
      templates: Templates;
      outbox: EmailOutbox;
      documents: DocumentsStore;
      raise: (alerts: AlertInput[], trx?: Executor) => Promise<unknown>;
      /** The day's reviews before the reminders (promises and installments, insolvency cases, insurer claims, legal-case deadlines), with their counts. */
      reviewFirst: (today: string) => Promise<Record<string, number>>;
      clock: Clock;
      timeZone: string;
      /** The creditor's identity: whether letters and e-mails may leave for debtors, and the letterhead. */
      company: { readiness(): Promise<Company> };
      /** Resolves open alerts whose situation cleared. */
      resolve: (dedupeKeys: string[], comment: string) => Promise<unknown>;
      logger: Logger;
      batchSize: number;
    },
  ) {}

  today(): string {
    return dayIn(this.o.timeZone, this.o.clock.now());
  }

  async run(): Promise<DunningRunCounts> {
    const started = Date.now();
    const today = this.today();
    const reviewed = await this.o.reviewFirst(today);
    const plans = await this.o.plans.current();
    const { policy } = await this.o.policy.current();
    const lead = Math.max(0, ...[...plans.values()].flatMap((p) => p.steps.map((s) => -s.offsetDays)));
    const horizon = addDays(today, lead);
    const { rows: candidates } = await sql<{ customer_id: string }>`
      SELECT DISTINCT customer_id FROM invoices WHERE open_amount > 0 AND due_date <= ${horizon}::date ORDER BY customer_id`.execute(this.o.db);
    const counts: DunningRunCounts = { customers: candidates.length, actions: 0, emails: 0, letters: 0, calls: 0, tasks: 0, held: 0, ...reviewed };
    // Letters and e-mails held by an earlier run (the company identity was incomplete) are decided
    // again now, from today's ledger: held again, or made and sent.
    const company = await this.o.company.readiness();
    await this.o.db.deleteFrom('collection_actions').where('status', '=', 'held').execute();
    for (let i = 0; i < candidates.length; i += this.o.batchSize) {
      const ids = candidates.slice(i, i + this.o.batchSize).map((c) => c.customer_id);
      const c = await this.runBatch(ids, today, horizon, plans, policy, company);
      for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
    }
    // The half-year's late-payment rates are data an admin enters when published: until then the
    // latest known ones are used (and flagged); the admins are told, never the debtor.
    const { rates } = await this.o.law.tables();
    const found = ratesFor(rates, today);
    const halfYear = `${today.slice(0, 4)}-${today.slice(5, 7) < '07' ? '01' : '07'}-01`;
    if (!found || found.assumed) {
      await this.o.raise([
        {
          type: 'late_payment_rate_missing',
          severity: 'medium',
          customerId: null,
          dedupeKey: `late_payment_rate_missing:${halfYear}`,
          message: `The late-payment rates of the half-year starting ${halfYear} are not entered: penalties use those of ${found?.rates.periodStart ?? 'no half-year'} until they are entered in the late-payment rates (the ECB rate and the legal interest rate, with their sources).`,
          data: { periodStart: halfYear, used: found?.rates.periodStart ?? null },
        },
      ]);
    } else {
      await this.o.resolve([`late_payment_rate_missing:${halfYear}`], 'the half-year rates are entered');
    }
    if (counts.held) {
      await this.o.raise([
        {
          type: 'company_identity_incomplete',
          severity: 'high',
          customerId: null,
          dedupeKey: HELD_ALERT,
          message: `${counts.held} letter(s) and e-mail(s) to debtors are held: the company's ${company.missing.join(', ')} must be set in the company settings. They leave with the next run once it is complete.`,
          data: { held: counts.held, missing: company.missing },
        },
      ]);
    } else if (company.ready) {
      await this.o.resolve([HELD_ALERT], 'the company identity is complete');
    }
    // The order blocks of the whole portfolio in one statement (per batch, the update would scan
    // the accounts once per batch).
    const blocksStarted = Date.now();
    counts.blocksChanged = await this.refreshBlocks(null, policy, plans);
    counts.blocksMs = Date.now() - blocksStarted;
    counts.decideMs = Date.now() - started;
    const sendStarted = Date.now();
    const sent = await this.o.outbox.sendDue();
    counts.sendMs = Date.now() - sendStarted;
    counts.emailsSent = sent.sent;
    counts.emailsRetried = sent.retried;
    counts.emailsFailed = sent.failed;
    return counts;
  }

  private async runBatch(ids: string[], today: string, horizon: string, plans: Map<string, DunningPlan>, policy: CollectionsPolicy, company: Company) {
    const db = this.o.db;
    const readStarted = Date.now();
    // `ids` are sorted: the invoices are read as one range of the open-invoice index (an array of
    // ids that long made the planner leave the index).
    const [{ rows: invoices }, { rows: customers }, profiles] = await Promise.all([
      sql<InvoiceRow>`
        SELECT i.id, i.customer_id, i.number, i.issue_date, i.due_date, i.amount, i.open_amount, i.currency,
               s.step_index, s.step_key, s.plan_id, s.last_step_on, s.anchor_on, s.open_at_step,
               CASE WHEN s.open_at_step > i.open_amount THEN
                 (SELECT max(c.date) FROM allocations a JOIN credits c ON c.id = a.credit_id WHERE a.invoice_id = i.id) END AS last_reduction_on,
               CASE WHEN EXISTS (SELECT 1 FROM insolvency_cases ic WHERE ic.customer_id = i.customer_id AND ic.status <> 'closed' AND i.issue_date < ic.judgment_date) THEN 'insolvency'
                    WHEN i.factor_recourse IS NOT NULL THEN 'factored'
                    WHEN EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id AND d.status = 'open') THEN 'disputed'
                    WHEN EXISTS (SELECT 1 FROM payment_promises pp WHERE pp.customer_id = i.customer_id AND pp.status = 'open' AND i.id = ANY (pp.invoice_ids)) THEN 'promised'
                    WHEN EXISTS (SELECT 1 FROM payment_plans pl WHERE pl.customer_id = i.customer_id AND pl.status = 'active' AND i.id = ANY (pl.invoice_ids)) THEN 'payment_plan'
                    WHEN EXISTS (SELECT 1 FROM collection_pauses cp WHERE cp.customer_id = i.customer_id AND cp.ended_at IS NULL AND cp.until >= ${today}::date
                                   AND (cp.invoice_id IS NULL OR cp.invoice_id = i.id)) THEN 'paused' END AS excluded
          FROM invoices i LEFT JOIN dunning_states s ON s.invoice_id = i.id
         WHERE i.customer_id BETWEEN ${ids[0]!}::uuid AND ${ids[ids.length - 1]!}::uuid AND i.open_amount > 0 AND i.due_date <= ${horizon}::date
         ORDER BY i.customer_id, i.due_date, i.number`.execute(db),
      sql<CustomerRow>`
        SELECT c.id, c.name, c.siren, c.external_id, ca.risk_grade FROM customers c JOIN credit_accounts ca ON ca.customer_id = c.id
         WHERE c.id = ANY (${ids}::uuid[])`.execute(db),
      this.o.profiles.many(ids),
    ]);
    // Each invoice is named in one formal notice, never twice: those already in one (not cancelled).
    const { rows: notices } = await sql<{ customer_id: string; run_on: string; sent_on: string | null; numbers: string[] }>`
      SELECT a.customer_id, to_char(a.run_on, 'YYYY-MM-DD') AS run_on, to_char(a.sent_on, 'YYYY-MM-DD') AS sent_on,
             array(SELECT e->>'number' FROM jsonb_array_elements(a.invoices) e) AS numbers
        FROM collection_actions a
       WHERE a.customer_id = ANY (${ids}::uuid[]) AND a.formal_notice AND a.status NOT IN ('cancelled', 'held')
       ORDER BY a.run_on, a.seq`.execute(db);
    const noticesOf = new Map<string, typeof notices>();
    for (const n of notices) noticesOf.set(n.customer_id, [...(noticesOf.get(n.customer_id) ?? []), n]);
    const readMs = Date.now() - readStarted;
    const byCustomer = new Map<string, InvoiceRow[]>();
    for (const inv of invoices) {
      const list = byCustomer.get(inv.customer_id) ?? [];
      list.push(inv);
      byCustomer.set(inv.customer_id, list);
    }
    const decided: Decided[] = [];
    for (const customer of customers) {
      // No reminder may be sent to a company in collective proceedings (or ceased): grade X, as the credit rules say.
      if (customer.risk_grade === 'X') continue;
      const profile = profiles.get(customer.id)!;
      const planId = profile.dunningPlanId ?? (customer.risk_grade ? policy.planByGrade[customer.risk_grade as 'A'] : undefined) ?? policy.defaultPlanId;
      const plan = plans.get(planId) ?? plans.get(policy.defaultPlanId);
      if (!plan) continue;
      const inPlan = (byCustomer.get(customer.id) ?? []).filter((i) => i.excluded === null);
      if (inPlan.length === 0) continue;
      const overdue = inPlan.filter((i) => i.due_date < today).reduce((s, i) => s + Number(i.open_amount), 0);
      const engineInvoices: InvoiceInPlan[] = inPlan.map((i) => ({
        id: i.id,
        dueDate: i.due_date,
        open: Number(i.open_amount),
        state: i.step_key === null ? null : { stepIndex: stateIndex(plan, i), lastStepOn: i.last_step_on!, anchorOn: i.anchor_on!, openAtStep: Number(i.open_at_step) },
        lastReductionOn: i.last_reduction_on,
      }));
      const planned = planCustomer(plan.steps, engineInvoices, { grade: customer.risk_grade, overdue }, today);
      if (!planned) continue;
      const step = plan.steps[planned.stepIndex]!;
      // Listed in due-date order; the key hashes the set in id order.
      const stepOf = new Map(planned.invoices.map((p) => [p.id, p.stepIndex]));
      const atStep = inPlan.filter((i) => stepOf.has(i.id)).map((row) => ({ row, stepIndex: stepOf.get(row.id)! }));
      const earlierNotices = step.formalNotice ? (noticesOf.get(customer.id) ?? []) : [];
      const noticed = new Set(earlierNotices.flatMap((n) => n.numbers));
      const listed = step.formalNotice ? inPlan.filter((i) => i.due_date < today && !noticed.has(i.number)) : atStep.map((a) => a.row);
      const overdueNumbers = new Set(inPlan.filter((i) => i.due_date < today).map((i) => i.number));
      const earlier = earlierNotices
        .map((n) => ({ date: n.sent_on ?? n.run_on, numbers: n.numbers.filter((x) => overdueNumbers.has(x)) }))
        .filter((n) => n.numbers.length > 0);
      const setHash = createHash('sha256').update(planned.invoices.map((p) => p.id).join(',')).digest('hex').slice(0, 32);
      decided.push({
        id: randomUUID(), customer, profile, plan, step, stepIndex: planned.stepIndex, invoices: atStep, listed, key: `${customer.id}:${today}:${step.key}:${setHash}`,
        silent: step.formalNotice === true && listed.length === 0,
        earlier,
      });
    }
    if (decided.length === 0) return { readMs };
    return { readMs, ...(await this.execute(decided, today, policy, company)) };
  }

  /** Renders and writes the decided actions; returns counts of what was actually written. */
  private async execute(decided: Decided[], today: string, policy: CollectionsPolicy, company: Company): Promise<Record<string, number>> {
    const { rates, indemnities } = await this.o.law.tables();
    const listedIds = [...new Set(decided.flatMap((d) => d.listed.map((i) => i.id)))];
    const { reductions, waivers } = await loadReductions(this.o.db, listedIds, today);
    const logs = await this.reminderLogs(decided.filter((d) => d.step.formalNotice));
    const now = this.o.clock.now();
    const renderStarted = Date.now();

    // A notice whose invoices are all in an earlier one: they reach the step (the next ones count from it), nothing is sent.
    const silent = decided.filter((d) => d.silent);
    decided = decided.filter((d) => !d.silent);
    const prepared = await Promise.all(
      decided.map(async (d) => {
        const currency = d.listed[0]!.currency;
        const contractBp = d.profile.contractPenaltyRatePercent === null ? null : Math.round(d.profile.contractPenaltyRatePercent * 100);
        const rows = d.listed.map((i) => {
          const claim = claimFor({ id: i.id, amount: Number(i.amount), dueDate: i.due_date, currency: i.currency, settledOn: null }, today, { rates, indemnities }, contractBp, reductions.get(i.id) ?? [], waivers.get(i.id));
          return {
            number: i.number,
            issueDate: i.issue_date,
            dueDate: i.due_date,
            amount: Number(i.amount),
            open: Number(i.open_amount),
            daysLate: Math.max(0, daysBetween(i.due_date, today)),
            penalty: claim.penalty.total,
            indemnity: claim.indemnity.amount,
          };
        });
        const totals = { open: sum(rows, (r) => r.open), penalties: sum(rows, (r) => r.penalty), indemnities: sum(rows, (r) => r.indemnity), claim: 0 };
        totals.claim = totals.open + totals.penalties + totals.indemnities;
        const found = ratesFor(rates, today);
        const rateBp = found ? applicableRate(found.rates, contractBp).rateBp : 0;
        const deadline = d.step.formalNotice ? addDays(today, policy.formalNoticeDeadlineDays) : null;
        const lh = company.letterhead;
        // While the company identity is incomplete, what would reach the debtor waits (`held`): decided, not made.
        const held = !company.ready && (d.step.channel === 'email' || d.step.channel === 'letter');
        const context = {
          company: { name: lh.name, address: lh.address.join(', '), siren: lh.siren, email: lh.email, phone: lh.phone, iban: lh.iban ? spacedIban(lh.iban) : '', bic: lh.bic, mentions: legalMentions(lh, d.profile.language) },
          customer: { name: d.customer.name, siren: d.customer.siren, externalId: d.customer.external_id },
          contact: d.profile.contacts.find((c) => c.phone) ?? d.profile.contacts[0] ?? null,
          invoices: rows,
          invoiceNumbers: rows.map((r) => r.number).join(', '),
          count: rows.length,
          plural: rows.length > 1,
          totals,
          currency,
          today,
          deadline,
          rateBp,
          indemnityPerInvoice: indemnityFor(indemnities, currency, today)?.amount ?? 0,
          deadlineDays: policy.formalNoticeDeadlineDays,
          earlier: d.earlier.map((e) => ({ date: e.date, invoiceNumbers: e.numbers.join(', '), plural: e.numbers.length > 1 })),
        };
        const rendered = this.o.templates.render(d.step.template, d.profile.language, context);
        let document: { id: string; content: Buffer } | null = null;
        if (d.step.channel === 'letter' && !held) {
          const content = await renderLetter({
            from: lh,
            to: { name: d.customer.name, siren: d.customer.siren, address: d.profile.letterAddress.lines },
            day: today,
            language: d.profile.language,
            subject: rendered.subject,
            text: rendered.text,
            invoices: rows,
            currency,
            log: logs.get(d.customer.id) ?? [],
          });
          document = { id: randomUUID(), content };
        }
        return { d, rows, totals, currency, rendered, document, deadline, held };
      }),
    );

    const counts: Record<string, number> = { actions: 0, emails: 0, letters: 0, calls: 0, tasks: 0, renderMs: Date.now() - renderStarted };
    const writeStarted = Date.now();
    await this.o.db.transaction().execute(async (trx) => {
      const values = prepared.map(({ d, rows, totals, currency, rendered, document, deadline, held }) => ({
        id: d.id,
        customer_id: d.customer.id,
        run_on: today,
        kind: d.step.channel,
        step_key: d.step.key,
        step_index: d.stepIndex,
        plan_id: d.plan.id,
        plan_version: d.plan.version,
        template: d.step.template,
        subject: rendered.subject,
        body: rendered.text,
        formal_notice: d.step.formalNotice === true,
        idempotency_key: d.key,
        invoices: JSON.stringify(rows.map((r) => ({ ...r, atStep: stepByNumber(d).get(r.number) ?? null }))),
        total: totals.open,
        currency,
        status: held ? 'held' : d.step.channel === 'email' ? 'queued' : d.step.channel === 'letter' ? 'to_send' : 'open',
        assignee: assignee(d.step, d.profile),
        due_on: today,
        deadline_on: deadline,
        document_id: document?.id ?? null,
        created_at: now,
        updated_at: now,
      }));
      const inserted = new Set<string>();
      for (let i = 0; i < values.length; i += 500) {
        const rows = await trx
          .insertInto('collection_actions')
          .values(values.slice(i, i + 500))
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .returning('id')
          .execute();
        for (const r of rows) inserted.add(r.id);
      }
      const written = prepared.filter((p) => inserted.has(p.d.id));
      counts.held = written.filter((p) => p.held).length;
      // A held action moves no invoice along its plan: the next run decides it again.
      const done = written.filter((p) => !p.held);
      if (done.length === 0 && silent.length === 0) return;
      // Each invoice moves to its own step; a concurrent run that got there first is not overwritten backwards.
      const states = [...done.map((p) => p.d), ...silent].flatMap((d) =>
        d.invoices.map((a) => ({
          invoice_id: a.row.id,
          customer_id: d.customer.id,
          plan_id: d.plan.id,
          plan_version: d.plan.version,
          step_index: a.stepIndex,
          step_key: d.plan.steps[a.stepIndex]!.key,
          last_step_on: today,
          anchor_on: today,
          open_at_step: Number(a.row.open_amount),
          updated_at: now,
        })),
      );
      for (let i = 0; i < states.length; i += 1000) {
        await trx
          .insertInto('dunning_states')
          .values(states.slice(i, i + 1000))
          .onConflict((oc) =>
            oc.column('invoice_id').doUpdateSet((eb) => ({
              plan_id: eb.ref('excluded.plan_id'),
              plan_version: eb.ref('excluded.plan_version'),
              step_index: eb.ref('excluded.step_index'),
              step_key: eb.ref('excluded.step_key'),
              last_step_on: eb.ref('excluded.last_step_on'),
              anchor_on: eb.ref('excluded.anchor_on'),
              open_at_step: eb.ref('excluded.open_at_step'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute();
      }
      const docs = done.filter((p) => p.document).map((p) => ({ id: p.document!.id, customerId: p.d.customer.id, kind: p.d.step.formalNotice ? 'formal_notice' : 'letter', filename: `${p.d.step.key}-${p.d.customer.external_id}-${today}.pdf`.replace(/[^A-Za-z0-9._-]/g, '_'), content: p.document!.content, createdAt: now }));
      await this.o.documents.insert(docs, trx);
      const emails: NewEmail[] = done
        .filter((p) => p.d.step.channel === 'email')
        .map((p) => ({
          customerId: p.d.customer.id,
          actionId: p.d.id,
          to: p.d.profile.contacts.filter((c) => c.email).map((c) => c.email!),
          subject: p.rendered.subject,
          text: p.rendered.text,
          html: p.rendered.html,
        }));
      const queued = await this.o.outbox.insert(emails, now, trx);
      await this.o.outbox.syncActions(queued.filter((w) => w.actionId).map((w) => ({ actionId: w.actionId!, status: w.status })), trx);
      const alerts: AlertInput[] = done
        .filter((p) => p.d.step.formalNotice)
        .map((p) => ({
          type: 'formal_notice_due',
          severity: 'high',
          customerId: p.d.customer.id,
          dedupeKey: `formal_notice_due:${p.d.id}`,
          message: `Formal notice (mise en demeure) to send to ${p.d.customer.name}: ${p.rows.length} invoice(s), ${p.totals.claim / 100} ${p.currency} claimed, deadline ${p.deadline}. The letter is ready to download and mark sent.`,
          data: { actionId: p.d.id, documentId: p.document?.id ?? null, invoices: p.rows.map((r) => r.number), claim: p.totals.claim, deadline: p.deadline },
        }));
      if (alerts.length) await this.o.raise(alerts, trx);
      counts.actions = done.length;
      counts.emails = emails.length;
      counts.letters = docs.length;
      counts.calls = done.filter((p) => p.d.step.channel === 'call').length;
      counts.tasks = done.filter((p) => p.d.step.channel === 'internal').length;
    });
    counts.writeMs = Date.now() - writeStarted;
    return counts;
  }

  /** The dated log of earlier reminders sent, letters sent and calls made, for formal notices, in each customer's language. */
  private async reminderLogs(decided: readonly Decided[]): Promise<Map<string, Array<{ date: string; label: string }>>> {
    const out = new Map<string, Array<{ date: string; label: string }>>();
    if (decided.length === 0) return out;
    const language = new Map(decided.map((d) => [d.customer.id, d.profile.language]));
    const rows = await this.o.db
      .selectFrom('collection_actions')
      .select(['customer_id', 'run_on', 'kind', 'subject', 'sent_on', 'registered_number'])
      .where('customer_id', 'in', [...language.keys()])
      .where('kind', 'in', ['email', 'letter', 'call'])
      // What reached the debtor: e-mails and letters sent, calls made — not what waits or failed.
      .where('status', 'in', ['sent', 'done'])
      .orderBy('run_on')
      .orderBy('seq')
      .execute();
    for (const r of rows) {
      const words = CHANNEL_WORDS[language.get(r.customer_id) ?? 'fr'];
      const channel = r.kind === 'letter' && r.registered_number ? `${words.letter} (${words.registered} ${r.registered_number})` : words[r.kind as 'email' | 'letter' | 'call'];
      const list = out.get(r.customer_id) ?? [];
      list.push({ date: r.sent_on ?? r.run_on, label: `${channel} – ${r.subject}` });
      out.set(r.customer_id, list);
    }
    return out;
  }

  /**
   * Sets or clears the collections block of these customers (null: all with a dunning state): an
   * open invoice at the policy's blocking step or later blocks orders, unless (by policy) it is
   * under a promise or payment plan in good standing.
   */
  async refreshBlocks(customerIds: readonly string[] | null, policy?: CollectionsPolicy, plans?: Map<string, DunningPlan>): Promise<number> {
    policy ??= (await this.o.policy.current()).policy;
    plans ??= await this.o.plans.current();
    const pairs: Array<[string, string]> = [];
    if (policy.blockOrdersFromStep) {
      for (const p of plans.values()) {
        const at = p.steps.findIndex((s) => s.key === policy.blockOrdersFromStep);
        if (at >= 0) for (const s of p.steps.slice(at)) pairs.push([p.id, s.key]);
      }
    }
    const planIds = pairs.map((p) => p[0]);
    const stepKeys = pairs.map((p) => p[1]);
    const lift = policy.liftBlockInGoodStanding;
    const scope = customerIds ? sql`SELECT unnest(${[...customerIds]}::uuid[]) AS id` : sql`SELECT DISTINCT customer_id AS id FROM dunning_states UNION SELECT customer_id FROM credit_accounts WHERE collections_block IS NOT NULL`;
    const { numAffectedRows } = await sql`
      WITH scope AS (${scope}),
      blocking AS (SELECT * FROM unnest(${planIds}::text[], ${stepKeys}::text[]) AS b(plan_id, step_key)),
      hit AS (
        SELECT s.customer_id, min(s.last_step_on) AS since, array_agg(i.number ORDER BY i.number) AS invoices
          FROM dunning_states s
          JOIN scope ON scope.id = s.customer_id
          JOIN blocking b ON b.plan_id = s.plan_id AND b.step_key = s.step_key
          JOIN invoices i ON i.id = s.invoice_id AND i.open_amount > 0
         WHERE NOT (${lift} AND (
                 EXISTS (SELECT 1 FROM payment_promises pp WHERE pp.customer_id = s.customer_id AND pp.status = 'open' AND s.invoice_id = ANY (pp.invoice_ids))
              OR EXISTS (SELECT 1 FROM payment_plans pl WHERE pl.customer_id = s.customer_id AND pl.status = 'active' AND s.invoice_id = ANY (pl.invoice_ids)
                           AND NOT EXISTS (SELECT 1 FROM payment_plan_installments pi WHERE pi.plan_id = pl.id AND pi.status = 'late'))))
         GROUP BY s.customer_id),
      wanted AS (
        SELECT scope.id, CASE WHEN hit.customer_id IS NULL THEN NULL
                              ELSE jsonb_build_object('step', ${policy.blockOrdersFromStep}::text, 'since', hit.since, 'invoices', to_jsonb(hit.invoices)) END AS block
          FROM scope LEFT JOIN hit ON hit.customer_id = scope.id)
      UPDATE credit_accounts ca SET collections_block = wanted.block, updated_at = now()
        FROM wanted
       WHERE ca.customer_id = wanted.id AND ca.collections_block IS DISTINCT FROM wanted.block`.execute(this.o.db);
    return Number(numAffectedRows ?? 0);
  }
}

type Company = { ready: boolean; missing: string[]; letterhead: Letterhead };

/** The one alert telling admins why letters and e-mails wait. */
export const HELD_ALERT = 'company_identity_incomplete';

const CHANNEL_WORDS = {
  fr: { email: 'e-mail', letter: 'courrier', call: 'appel', registered: 'LRAR' },
  en: { email: 'e-mail', letter: 'letter', call: 'call', registered: 'registered letter' },
} as const;

/** The step each invoice of an action moved to, by invoice number. */
const stepByNumber = (d: Decided) => new Map(d.invoices.map((a) => [a.row.number, d.plan.steps[a.stepIndex]!.key]));

const sum = <T>(rows: readonly T[], f: (r: T) => number) => rows.reduce((s, r) => s + f(r), 0);

/** An invoice's state, as an index in the plan's current version (found by step key; a step removed since keeps its index). */
function stateIndex(plan: DunningPlan, i: InvoiceRow): number {
  if (i.plan_id === plan.id) {
    const at = plan.steps.findIndex((s) => s.key === i.step_key);
    if (at >= 0) return at;
  }
  return Math.min(i.step_index ?? -1, plan.steps.length - 1);
}

function assignee(step: DunningStep, p: CollectionProfile): string | null {
  if (step.channel !== 'internal') return step.channel === 'email' ? null : p.collector;
  if (step.assignTo === 'owner') return p.owner?.name ?? p.escalationContact?.name ?? p.collector;
  return p.escalationContact?.name ?? p.owner?.name ?? p.collector;
}

