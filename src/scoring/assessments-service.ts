import { createHash } from 'node:crypto';
import { gradeInForce } from '../../scorers/grade-hysteresis.js';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { Conflict, NotFound } from '../errors.js';
import { addDays, type Clock } from '../clock.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditEvent, AuditService } from '../audit/audit-service.js';
import type { AlertInput, AlertsService } from '../alerts/alerts-service.js';
import type { CompaniesService, CompanyView, Freshness } from '../companies/companies-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { CreditStore, LedgerFigures } from '../credit/credit-store.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { LegalEventsStore } from '../monitoring/legal-events-store.js';
import type { LegalEvent } from '../../sources/source.js';
import { assess, type Assessment, type AssessmentInput } from '../../scorers/assessment.js';
import { ratiosFromBce } from '../../scorers/financial-ratios.js';
import { FINANCIAL_MODEL } from '../../scorers/financial-scorer.js';
import type { Grade, ScoringPolicy } from '../../scorers/scoring-policy.js';
import type { AssessmentRow, AssessmentsStore, InsertedAssessment } from './assessments-store.js';
import type { ScoringPolicyService } from './scoring-policy-service.js';

export interface AssessOptions {
  refresh?: boolean;
  /** Euro cents a month; for a customer without it, what the ledger invoiced over 12 months / 12. */
  monthlyPurchases?: number | undefined;
  termsDays?: number | undefined;
}

export interface AssessmentReport extends Assessment {
  company: { name: string | null; status: string | null };
  customerId: string | null;
  policyVersion: number;
  /** Where each part came from and how old it is. */
  freshness: Freshness[];
  inputsHash: string;
}

export interface RecordedAssessment extends AssessmentReport {
  id: string;
  assessedAt: string;
  createdBy: string;
  change: {
    previousGrade: Grade | null;
    direction: 'upgrade' | 'downgrade' | 'unchanged' | 'first';
    /** Reason codes this assessment has that the previous one did not, and the reverse. */
    newReasons: string[];
    goneReasons: string[];
  };
}

export interface GradeChange {
  customerId: string;
  from: Grade | null;
  to: Grade;
}

interface ChunkCustomer {
  id: string;
  seq: number;
  siren: string;
  payment_terms_days: number;
  payment_terms_basis: string;
  risk_grade: Grade | null;
}

interface CustomerRef {
  id: string;
  siren: string;
  payment_terms_days: number;
  payment_terms_basis: string;
}

const RISK_ORDER: Grade[] = ['A', 'B', 'C', 'D', 'E', 'X'];
const direction = (from: Grade | null, to: Grade) =>
  !from ? 'first' : from === to ? 'unchanged' : RISK_ORDER.indexOf(to) > RISK_ORDER.indexOf(from) ? 'downgrade' : 'upgrade';

/** Everything an assessment reads, from the company's sources, the portfolio's stored announcements and the ledger. */
function buildInput(company: CompanyView, storedEvents: readonly LegalEvent[], customer: CustomerRef | null, ledger: LedgerFigures | null, options: AssessOptions): AssessmentInput {
  const latest = company.financialStatements.latestComplete;
  const events = new Map(company.legalEvents.items.map((e) => [e.id, e]));
  for (const e of storedEvents) if (!events.has(e.id)) events.set(e.id, e);
  const freshness = [...company.identity.freshness, company.legalEvents.freshness, company.financialStatements.freshness, company.sanctions.freshness];
  const { freshness: _f, ...identity } = company.identity;
  return {
    siren: company.siren,
    facts: {
      identity: identity.siren ? identity : null,
      legalEvents: [...events.values()],
      sanctions: company.sanctions.items,
      latestStatementClosing: company.financialStatements.items.map((s) => s.closingDate).sort().at(-1) ?? null,
    },
    statement: latest ? { closingDate: latest.closingDate, ratios: ratiosFromBce(latest), revenue: latest.revenue || null } : null,
    ledger,
    needs: {
      monthlyPurchases: options.monthlyPurchases ?? (ledger && ledger.invoicedLast12Months > 0 ? Math.round(ledger.invoicedLast12Months / 12) : null),
      // End-of-month terms run about half a month longer than their days.
      termsDays: options.termsDays ?? (customer ? customer.payment_terms_days + (customer.payment_terms_basis === 'end_of_month' ? 15 : 0) : null),
    },
    sourceGaps: freshness
      .filter((f) => f.stale || !f.available)
      .map((f) => (f.available ? `${f.source}: stale, last fetched ${f.fetchedAt} (${f.error})` : `${f.source}: unavailable (${f.error})`)),
  };
}

/** A digest of everything an assessment reads. Today's date is left out: the same data gives the same digest all month. */
function inputsDigest(input: AssessmentInput, policyVersion: number, today: string): string {
  return createHash('sha256').update(JSON.stringify({ input, version: policyVersion, model: FINANCIAL_MODEL.version, month: today.slice(0, 7) })).digest('hex');
}

function report(company: CompanyView, input: AssessmentInput, customerId: string | null, policy: { version: number; policy: ScoringPolicy }, today: string, inputsHash = inputsDigest(input, policy.version, today)): AssessmentReport {
  return {
    ...assess(input, policy.policy, today),
    company: { name: company.identity.name, status: company.identity.status },
    customerId,
    policyVersion: policy.version,
    freshness: [...company.identity.freshness, company.legalEvents.freshness, company.financialStatements.freshness, company.sanctions.freshness],
    inputsHash,
  };
}

const SYSTEM: AuthContext = { keyId: null, name: 'monitoring', role: 'admin' };

export interface AssessmentsServiceOptions {
  db: Kysely<DB>;
  store: AssessmentsStore;
  companies: CompaniesService;
  legalEvents: LegalEventsStore;
  creditStore: CreditStore;
  credit: CreditService;
  creditPolicy: PolicyService;
  scoringPolicy: ScoringPolicyService;
  alerts: AlertsService;
  audit: AuditService;
  clock: Clock;
}

/**
 * Assessments: gathers what the sources and the ledger say, runs the pure engine under the policy
 * in force, and records customers' assessments; the customer's grade is what order checks read.
 */
export class AssessmentsService {
  private readonly db: Kysely<DB>;
  private readonly store: AssessmentsStore;
  private readonly companies: CompaniesService;
  private readonly legalEvents: LegalEventsStore;
  private readonly creditStore: CreditStore;
  private readonly credit: CreditService;
  private readonly creditPolicy: PolicyService;
  private readonly scoringPolicy: ScoringPolicyService;
  private readonly alerts: AlertsService;
  private readonly audit: AuditService;
  private readonly clock: Clock;

  constructor(options: AssessmentsServiceOptions) {
    ({ db: this.db, store: this.store, companies: this.companies, legalEvents: this.legalEvents, creditStore: this.creditStore, credit: this.credit, creditPolicy: this.creditPolicy, scoringPolicy: this.scoringPolicy, alerts: this.alerts, audit: this.audit, clock: this.clock } = options);
  }

  /** A prospect or a customer by SIREN; the ledger of the oldest customer with that SIREN is read when there is one. */
  async assessCompany(siren: string, options: AssessOptions = {}): Promise<AssessmentReport> {
    const customer = await this.store.customerBySiren(siren);
    return this.live(customer ? { ...customer, siren } : null, siren, options);
  }

  private async live(customer: CustomerRef | null, siren: string, options: AssessOptions): Promise<AssessmentReport> {
    const [company, policy, creditPolicy, stored] = await Promise.all([
      this.companies.company(siren, options.refresh ?? false),
      this.scoringPolicy.current(),
      this.creditPolicy.current(),
      this.legalEvents.bySirens([siren]),
    ]);
    const today = this.credit.today();
    const ledger = customer ? (await this.creditStore.ledgerBehaviour([customer.id], today, addDays(today, -creditPolicy.overdueGraceDays))).get(customer.id)! : null;
    return report(company, buildInput(company, stored.get(siren) ?? [], customer, ledger, options), customer?.id ?? null, policy, today);
  }

  /** Assesses a customer, keeps the assessment in its history and makes its grade the one order checks use. */
  async recordForCustomer(customerId: string, options: AssessOptions, actor: AuthContext): Promise<RecordedAssessment> {
    const customer = await this.store.customer(customerId);
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    if (!customer.siren) throw new Conflict(`Customer ${customerId} has no SIREN yet (created from an accounting file): set it before an assessment`, 'siren_missing');
    const assessed = await this.live({ ...customer, siren: customer.siren }, customer.siren, options);
    // Read before the transaction: with the embedded database a read on another connection would wait for it.
    const { policy } = await this.scoringPolicy.current();
    return this.db.transaction().execute(async (trx) => {
      const account = await this.credit.lockAccount(customerId, trx);
      const previous = await this.store.latestForCustomer(customerId, trx);
      const [row] = await this.record([{ customerId, report: assessed, previousGrade: account.risk_grade }], policy, actor, trx);
      const before = new Set(previous ? (previous.report as Assessment).reasons.map((r) => r.code) : []);
      const after = new Set(assessed.reasons.map((r) => r.code));
      return {
        ...assessed,
        id: row!.id,
        assessedAt: new Date(row!.assessed_at).toISOString(),
        createdBy: row!.created_by,
        change: {
          previousGrade: account.risk_grade,
          direction: direction(account.risk_grade, assessed.grade),
          newReasons: [...after].filter((c) => !before.has(c)),
          goneReasons: previous ? [...before].filter((c) => !after.has(c)) : [],
        },
      };
    });
  }

  /**
   * Re-scores customers (all of them, or `customerIds`) from stored data only, without calling
   * any source, set-based by chunks. Incremental: a customer whose inputs digest equals its latest
   * assessment's is not re-assessed.
   */
  async rescore(filter: { customerIds?: readonly string[] } = {}, chunkSize = 5000): Promise<{ customers: number; assessed: number; unchanged: number; gradeChanges: GradeChange[] }> {
    const [policy, creditPolicy] = await Promise.all([this.scoringPolicy.current(), this.creditPolicy.current()]);
    const today = this.credit.today();
    const overdueBefore = addDays(today, -creditPolicy.overdueGraceDays);
    const totals = { customers: 0, assessed: 0, unchanged: 0, gradeChanges: [] as GradeChange[] };
    // Customers in chunks; the next chunk is read while this one is scored and written.
    const chunks = filter.customerIds ? this.listedChunks(filter.customerIds, chunkSize) : this.allChunks(chunkSize);
    const load = async (customers: ChunkCustomer[]) => {
      const ids = customers.map((c) => c.id);
      const sirens = [...new Set(customers.map((c) => c.siren))];
      const [companies, stored, ledgers, hashes] = await Promise.all([
        this.companies.stored(sirens),
        this.legalEvents.bySirens(sirens),
        this.creditStore.ledgerBehaviour(ids, today, overdueBefore),
        this.store.latestHashes(ids),
      ]);
      return { customers, companies, stored, ledgers, hashes };
    };
    let next = await chunks.next();
    let loading = next.done ? null : load(next.value);
    // The previous chunk's write goes on while this one is scored: Node computes, the database writes.
    let writing: Promise<unknown> | null = null;
    while (loading) {
      const { customers, companies, stored, ledgers, hashes } = await loading;
      next = await chunks.next();
      loading = next.done ? null : load(next.value);
      const items: Array<{ customerId: string; report: AssessmentReport; previousGrade: Grade | null }> = [];
      for (const c of customers) {
        const company = companies.get(c.siren)!;
        const input = buildInput(company, stored.get(c.siren) ?? [], c, ledgers.get(c.id)!, {});
        const digest = inputsDigest(input, policy.version, today);
        if (hashes.get(c.id) === digest) totals.unchanged++;
        else items.push({ customerId: c.id, report: report(company, input, c.id, policy, today, digest), previousGrade: c.risk_grade });
      }
      await writing;
      writing = items.length > 0 ? this.db.transaction().execute((trx) => this.record(items, policy.policy, SYSTEM, trx)) : null;
      totals.customers += customers.length;
      totals.assessed += items.length;
      totals.gradeChanges.push(
        ...items
          .map((i) => ({ customerId: i.customerId, from: i.previousGrade, to: gradeInForce(i.previousGrade, i.report.score, i.report.grade, policy.policy) }))
          .filter((g) => g.from !== g.to),
      );
    }
    await writing;
    return totals;
  }

  private customersQuery() {
    return this.db
      .selectFrom('customers as c')
      .innerJoin('credit_accounts as a', 'a.customer_id', 'c.id')
      .select(['c.id', 'c.seq', 'c.siren', 'c.payment_terms_days', 'c.payment_terms_basis', 'a.risk_grade'])
      // A customer without a SIREN (created from an accounting file) cannot be looked up: left out until it has one.
      .where('c.siren', 'is not', null)
      .$narrowType<{ siren: string }>()
      .orderBy('c.seq');
  }

  private async *allChunks(size: number): AsyncGenerator<ChunkCustomer[]> {
    for (let after = 0; ; ) {
      const rows = await this.customersQuery().where('c.seq', '>', after).limit(size).execute();
      if (rows.length === 0) return;
      yield rows;
      after = rows.at(-1)!.seq;
      if (rows.length < size) return;
    }
  }

  private async *listedChunks(ids: readonly string[], size: number): AsyncGenerator<ChunkCustomer[]> {
    for (let i = 0; i < ids.length; i += size) {
      const slice = ids.slice(i, i + size);
      const rows = await this.customersQuery().where('c.id', '=', (eb) => eb.fn.any(eb.val([...slice]))).execute();
      if (rows.length > 0) yield rows;
    }
  }

  /**
   * Records assessments, set-based: the history rows, the new grades on the credit accounts, an
   * audit entry and an alert for each grade that moved.
   */
  private async record(
    items: Array<{ customerId: string; report: AssessmentReport; previousGrade: Grade | null }>,
    policy: ScoringPolicy,
    actor: AuthContext,
    trx: Transaction<DB>,
  ): Promise<InsertedAssessment[]> {
    const now = this.clock.now();
    const rows: InsertedAssessment[] = [];
    for (let i = 0; i < items.length; i += 1000) {
      rows.push(
        ...(await this.store.insertMany(
          items.slice(i, i + 1000).map(({ customerId, report: r }) => ({
            customer_id: customerId,
            siren: r.siren,
            assessed_at: now,
            as_of: r.asOf,
            score: r.score,
            grade: r.grade,
            probability_of_default: r.probabilityOfDefault12m,
            recommended_limit: r.recommendedLimit.amount,
            currency: r.recommendedLimit.currency,
            payment_condition: r.paymentConditions.condition,
            confidence: r.confidence.level,
            policy_version: r.policyVersion,
            model_version: r.financial.modelVersion,
            inputs_hash: r.inputsHash,
            // What history needs to explain a grade; the sources' ages are live data, not history.
            report: { ...r, freshness: undefined },
            created_by: actor.name,
          })),
          trx,
        )),
      );
    }
    const byCustomer = new Map(rows.map((r) => [r.customer_id!, r]));
    // The grade in force moves only when the score leaves the previous grade's band by the policy's
    // margin (or on X): a score wobbling on a boundary neither flips orders nor alerts.
    const changed = items
      .map((item) => ({ ...item, row: byCustomer.get(item.customerId)!, grade: gradeInForce(item.previousGrade, item.report.score, item.report.grade, policy) }))
      .filter((x) => x.previousGrade !== x.grade);
    if (changed.length === 0) return rows;
    // A first grade is recorded by its assessment; a grade that moves is also audited and alerted.
    const moved = changed.filter((c) => c.previousGrade !== null);
    changed.sort((a, b) => a.customerId.localeCompare(b.customerId));
    await this.creditStore.setGrades(changed.map((c) => ({ customerId: c.customerId, grade: c.grade, assessmentId: c.row.id })), now, trx);
    const audits: AuditEvent[] = moved.map((c) => ({
      actor,
      action: 'risk_grade.changed',
      entityType: 'customer',
      entityId: c.customerId,
      customerId: c.customerId,
      oldValue: { grade: c.previousGrade },
      newValue: { grade: c.grade, computedGrade: c.report.grade, score: c.report.score, assessmentId: c.row.id },
      reason: gradeChangeReasons(c.report),
    }));
    for (let i = 0; i < audits.length; i += 1000) await this.audit.record(audits.slice(i, i + 1000), trx);
    const alerts: AlertInput[] = moved.map((c) => {
      const dir = direction(c.previousGrade, c.grade) as 'upgrade' | 'downgrade';
      return {
        type: dir === 'downgrade' ? 'grade_downgrade' : 'grade_upgrade',
        severity: dir === 'upgrade' ? 'low' : c.grade === 'X' ? 'critical' : c.grade === 'E' || c.grade === 'D' ? 'high' : 'medium',
        customerId: c.customerId,
        dedupeKey: `grade_${dir}:${c.customerId}:${c.row.id}`,
        message: `Grade ${c.previousGrade} → ${c.grade} (score ${c.report.score}): ${gradeChangeReasons(c.report) ?? 'see the assessment'}`,
        data: { from: c.previousGrade, to: c.grade, score: c.report.score, assessmentId: c.row.id },
        evidence: { source: 'assessment', id: c.row.id, date: c.report.asOf },
      };
      });
    await this.alerts.raise(alerts, trx);
    return rows;
  }

  async history(customerId: string, limit: number) {
    const customer = await this.store.customer(customerId);
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    const rows = await this.store.history(customerId, limit);
    return rows.map((r) => summary(r));
  }
}

/** What explains a grade: the facts that make it X first, then the reasons that weigh most. */
function gradeChangeReasons(report: Assessment): string | null {
  const decisive = report.reasons.filter((r) => r.code === 'collective_proceedings' || r.code === 'company_ceased');
  const weighty = report.reasons.filter((r) => r.points !== 0).slice(0, 3);
  return [...decisive, ...weighty].map((r) => `${r.code}: ${r.detail}`).join('; ') || null;
}

export function summary(r: AssessmentRow) {
  const report = r.report as AssessmentReport;
  return {
    id: r.id,
    assessedAt: r.assessed_at.toISOString(),
    asOf: r.as_of,
    score: r.score,
    grade: r.grade,
    probabilityOfDefault12m: r.probability_of_default,
    recommendedLimit: { amount: r.recommended_limit, currency: r.currency },
    paymentCondition: r.payment_condition,
    confidence: r.confidence,
    policyVersion: r.policy_version,
    modelVersion: r.model_version,
    createdBy: r.created_by,
    reasons: report.reasons,
  };
}
