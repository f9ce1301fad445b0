import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { NotFound } from '../errors.js';
import { addDays, type Clock } from '../clock.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CompaniesService, Freshness } from '../companies/companies-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { CreditStore } from '../credit/credit-store.js';
import type { PolicyService } from '../policy/policy-service.js';
import { assess, type Assessment, type AssessmentInput } from '../../scorers/assessment.js';
import { ratiosFromBce } from '../../scorers/financial-ratios.js';
import { FINANCIAL_MODEL } from '../../scorers/financial-scorer.js';
import type { Grade } from '../../scorers/scoring-policy.js';
import type { AssessmentRow, AssessmentsStore } from './assessments-store.js';
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

const RISK_ORDER: Grade[] = ['A', 'B', 'C', 'D', 'E', 'X'];

/**
 * Assessments: gathers what the sources and the ledger say, runs the pure engine under the policy
 * in force, and records customers' assessments; the customer's grade is what order checks read.
 */
export class AssessmentsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: AssessmentsStore,
    private readonly companies: CompaniesService,
    private readonly creditStore: CreditStore,
    private readonly credit: CreditService,
    private readonly creditPolicy: PolicyService,
    private readonly scoringPolicy: ScoringPolicyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** A prospect or a customer by SIREN; the ledger of the oldest customer with that SIREN is read when there is one. */
  async assessCompany(siren: string, options: AssessOptions = {}): Promise<AssessmentReport> {
    const customer = await this.store.customerBySiren(siren);
    return this.run(siren, customer ?? null, options);
  }

  private async run(
    siren: string,
    customer: { id: string; payment_terms_days: number; payment_terms_basis: string } | null,
    options: AssessOptions,
  ): Promise<AssessmentReport> {
    const [company, { version, policy }, creditPolicy] = await Promise.all([
      this.companies.company(siren, options.refresh ?? false),
      this.scoringPolicy.current(),
      this.creditPolicy.current(),
    ]);
    const today = this.credit.today();
    const ledger = customer ? await this.creditStore.ledgerBehaviour(customer.id, today, addDays(today, -creditPolicy.overdueGraceDays)) : null;
    const latest = company.financialStatements.latestComplete;
    const freshness = [...company.identity.freshness, company.legalEvents.freshness, company.financialStatements.freshness, company.sanctions.freshness];
    const input: AssessmentInput = {
      siren,
      facts: {
        identity: company.identity,
        legalEvents: company.legalEvents.items,
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
    const assessment = assess(input, policy, today);
    // Today's date is left out of the digest on purpose: the same data gives the same digest all month.
    const inputsHash = createHash('sha256')
      .update(JSON.stringify({ input: { ...input, facts: input.facts }, version, model: FINANCIAL_MODEL.version, month: today.slice(0, 7) }))
      .digest('hex');
    return {
      ...assessment,
      company: { name: company.identity.name, status: company.identity.status },
      customerId: customer?.id ?? null,
      policyVersion: version,
      freshness,
      inputsHash,
    };
  }

  /** Assesses a customer, keeps the assessment in its history and makes its grade the one order checks use. */
  async recordForCustomer(customerId: string, options: AssessOptions, actor: AuthContext): Promise<RecordedAssessment> {
    const customer = await this.store.customer(customerId);
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    const report = await this.run(customer.siren, customer, options);
    return this.db.transaction().execute(async (trx) => {
      const account = await this.credit.lockAccount(customerId, trx);
      const previous = await this.store.latestForCustomer(customerId, trx);
      const now = this.clock.now();
      const row = await this.store.insert(
        {
          customer_id: customerId,
          siren: report.siren,
          assessed_at: now,
          as_of: report.asOf,
          score: report.score,
          grade: report.grade,
          probability_of_default: report.probabilityOfDefault12m,
          recommended_limit: report.recommendedLimit.amount,
          currency: report.recommendedLimit.currency,
          payment_condition: report.paymentConditions.condition,
          confidence: report.confidence.level,
          policy_version: report.policyVersion,
          model_version: report.financial.modelVersion,
          inputs_hash: report.inputsHash,
          report,
          created_by: actor.name,
        },
        trx,
      );
      const previousGrade = account.risk_grade;
      if (previousGrade !== report.grade) {
        await this.creditStore.update(customerId, { risk_grade: report.grade, risk_grade_at: now }, trx);
        await this.audit.record(
          {
            actor,
            action: 'risk_grade.changed',
            entityType: 'customer',
            entityId: customerId,
            customerId,
            oldValue: { grade: previousGrade },
            newValue: { grade: report.grade, score: report.score, assessmentId: row.id },
            reason: gradeChangeReasons(report),
          },
          trx,
        );
      }
      const before = new Set(previous ? (previous.report as Assessment).reasons.map((r) => r.code) : []);
      const after = new Set(report.reasons.map((r) => r.code));
      return {
        ...report,
        id: row.id,
        assessedAt: row.assessed_at.toISOString(),
        createdBy: row.created_by,
        change: {
          previousGrade,
          direction: !previousGrade
            ? 'first'
            : previousGrade === report.grade
              ? 'unchanged'
              : RISK_ORDER.indexOf(report.grade) > RISK_ORDER.indexOf(previousGrade)
                ? 'downgrade'
                : 'upgrade',
          newReasons: [...after].filter((c) => !before.has(c)),
          goneReasons: previous ? [...before].filter((c) => !after.has(c)) : [],
        },
      };
    });
  }

  async history(customerId: string, limit: number) {
    const customer = await this.store.customer(customerId);
    if (!customer) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    const rows = await this.store.history(customerId, limit);
    return rows.map((r) => summary(r));
  }
}

/** What explains a grade: the facts that make it X first, then the reasons that weigh most. */
function gradeChangeReasons(report: AssessmentReport): string | null {
  const decisive = report.reasons.filter((r) => r.code === 'collective_proceedings' || r.code === 'company_ceased');
  const weighty = report.reasons.filter((r) => r.points !== 0).slice(0, 3);
  return [...decisive, ...weighty].map((r) => `${r.code}: ${r.detail}`).join('; ') || null;
}

export function summary(r: AssessmentRow) {
  const report = r.report as AssessmentReport;
  return {
    id: r.id,
    assessedAt: r.assessed_at.toISOString(),
    asOf: typeof r.as_of === 'string' ? r.as_of : new Date(r.as_of).toISOString().slice(0, 10),
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
