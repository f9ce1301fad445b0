import { addDays, type Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditEvent, AuditService } from '../audit/audit-service.js';
import type { AlertInput, AlertsService } from '../alerts/alerts-service.js';
import type { Severity } from '../db/schema.js';
import type { CompaniesService } from '../companies/companies-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { AssessmentsService, GradeChange } from '../scoring/assessments-service.js';
import type { BodaccSource } from '../../sources/bodacc/bodacc-source.js';
import type { LegalEvent, SourceName } from '../../sources/source.js';
import type { LegalEventsStore } from './legal-events-store.js';
import type { MonitoringStore } from './monitoring-store.js';

export interface MonitoringOptions {
  /** On the first BODACC run, how many days back to start. */
  bodaccFirstDays: number;
  /** Companies refreshed per run of the refresh job (spread over the day by its schedule). */
  refreshBatch: number;
  registryTtlMs: number;
  financialsTtlMs: number;
  limitReviewNoticeDays: number;
}

const SYSTEM: AuthContext = { keyId: null, name: 'monitoring', role: 'admin' };
const CHECKPOINT = 'bodacc-delta';

const EVENT_SEVERITY: Record<string, Severity> = {
  liquidation_judiciaire: 'critical',
  redressement_judiciaire: 'high',
  sauvegarde: 'high',
  radiation: 'high',
  plan: 'medium',
  cloture: 'medium',
  vente_cession: 'medium',
  other: 'low',
};

type Counts = Record<string, number>;

/** The reasons the automatic block stands for (a manual block and review reasons are not its to set). */
const AUTO_BLOCK_REASONS: readonly string[] = ['legal_proceedings', 'overdue_invoices', 'over_limit'];

/**
 * Portfolio monitoring: the daily BODACC walk, the refresh of stale registry and financial data,
 * re-scoring, the exposure watch (the automatic block) and limit review reminders. Every method
 * is idempotent: running it twice raises nothing twice.
 */
export class MonitoringService {
  constructor(
    private readonly store: MonitoringStore,
    private readonly legalEvents: LegalEventsStore,
    private readonly bodacc: BodaccSource,
    private readonly companies: CompaniesService,
    private readonly assessments: AssessmentsService,
    private readonly alerts: AlertsService,
    private readonly credit: CreditService,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: MonitoringOptions,
  ) {}

  /**
   * Every announcement published since the last complete day, for the whole portfolio at once (by
   * publication date, paginated), matched to customers' SIRENs. Each day is checkpointed once
   * complete; today is read again by the next run (its announcements are stored once by id).
   */
  async bodaccDelta(): Promise<Counts> {
    const today = this.credit.today();
    const last = await this.store.checkpoint(CHECKPOINT);
    const from = last ? addDays(last, 1) : addDays(today, -this.options.bodaccFirstDays);
    const sirens = await this.store.portfolioSirens();
    const counts = { days: 0, requests: 0, announcements: 0, matched: 0, newEvents: 0, alerts: 0, rescored: 0, gradeChanges: 0 };
    for await (const day of this.bodacc.publishedByDay(from, today)) {
      counts.days++;
      counts.requests += day.requests;
      counts.announcements += new Set(day.events.map((e) => e.id)).size;
      const matched = day.events.filter((e) => sirens.has(e.siren));
      counts.matched += matched.length;
      // An announcement is stored with its alerts, or neither: a re-run then raises them.
      const { fresh, owners, raised } = await this.store.transaction(async (trx) => {
        const stored = await this.legalEvents.insertNew(matched, this.clock.now(), trx);
        const bySiren = await this.store.customersBySiren([...new Set(stored.map((e) => e.siren))], trx);
        const alerts = stored.filter((e) => e.kind !== 'depot_des_comptes').flatMap((e) => (bySiren.get(e.siren) ?? []).map((customerId) => legalEventAlert(customerId, e)));
        return { fresh: stored, owners: bySiren, raised: (await this.alerts.raise(alerts, trx)).length };
      });
      counts.newEvents += fresh.length;
      counts.alerts += raised;
      if (fresh.length > 0) {
        const r = await this.rescoreCustomers([...new Set(fresh.flatMap((e) => owners.get(e.siren) ?? []))]);
        counts.rescored += r.assessed;
        counts.gradeChanges += r.gradeChanges;
      }
      if (day.day < today) await this.store.setCheckpoint(CHECKPOINT, day.day, this.clock.now());
    }
    return counts;
  }

  /**
   * Re-fetches the registry and financial statements past their TTL, largest exposure first, a
   * batch per run (each source's limiter keeps within its published rate), and a new customer's
   * BODACC history once; the DGCCRF list too. A company whose status, latest statement or
   * announcements changed is re-scored at once.
   */
  async refreshSources(): Promise<Counts> {
    const now = this.clock.now();
    const sirens = await this.store.staleSirens(new Date(now.getTime() - this.options.registryTtlMs), new Date(now.getTime() - this.options.financialsTtlMs), this.options.refreshBatch);
    const before = await this.companies.stored(sirens);
    const failures = new Map<SourceName, number>();
    const successes = new Set<SourceName>();
    const changed: string[] = [];
    const fail = (s: SourceName) => failures.set(s, (failures.get(s) ?? 0) + 1);
    for (const siren of sirens) {
      const { identity, statements, events } = await this.companies.refreshForMonitoring(siren);
      for (const part of [identity, statements, events]) {
        if (part.freshness.stale || !part.freshness.available) fail(part.freshness.source);
        else successes.add(part.freshness.source);
      }
      const was = before.get(siren)!;
      const latest = (statements.data ?? []).map((s) => s.closingDate).sort().at(-1) ?? null;
      const wasLatest = was.financialStatements.items.map((s) => s.closingDate).sort().at(-1) ?? null;
      if (identity.data && (identity.data.status !== was.identity.status || identity.data.radiatedOn !== was.identity.radiatedOn)) changed.push(siren);
      else if (latest !== wasLatest || (events.data?.length ?? 0) !== was.legalEvents.items.length) changed.push(siren);
    }

    const sanctions = await this.companies.sanctionList(false);
    let sanctionAlerts = 0;
    const sanctioned = new Set<string>();
    if (!sanctions.freshness.available || sanctions.freshness.stale) fail('dgccrf');
    else {
      successes.add('dgccrf');
      const portfolio = await this.store.portfolioSirens();
      const hits = (sanctions.data ?? []).filter((s) => s.siren && portfolio.has(s.siren));
      const owners = await this.store.customersBySiren([...new Set(hits.map((s) => s.siren!))]);
      const created = await this.alerts.raise(
        hits.flatMap((s) =>
          (owners.get(s.siren!) ?? []).map((customerId) => ({
            type: 'sanction_published' as const,
            severity: 'high' as const,
            customerId,
            dedupeKey: `sanction_published:${customerId}:${s.date}`,
            message: `Fined ${(s.amount / 100).toLocaleString('fr-FR')} € by the DGCCRF on ${s.date} for paying its suppliers late`,
            data: { date: s.date, amount: s.amount, currency: 'EUR', name: s.name, siret: s.siret },
            evidence: { source: 'dgccrf', date: s.date },
            once: true,
          })),
        ),
      );
      sanctionAlerts = created.length;
      for (const a of created) if (a.customerId) sanctioned.add(a.customerId);
    }

    await this.alerts.raise(
      [...failures.entries()].map(([source, n]) => ({
        type: 'source_stale' as const,
        severity: 'medium' as const,
        customerId: null,
        dedupeKey: `source_stale:${source}`,
        message: `${source} could not be reached for ${n} compan${n === 1 ? 'y' : 'ies'}: their last good data is used, flagged stale`,
        data: { source, failures: n },
        evidence: { source },
      })),
    );
    await this.alerts.resolveSituations(
      [...successes].filter((s) => !failures.has(s)).map((s) => `source_stale:${s}`),
      'the source answers again',
    );

    const owners = await this.store.customersBySiren([...new Set(changed)]);
    const r = await this.rescoreCustomers([...new Set([...[...owners.values()].flat(), ...sanctioned])]);
    return { refreshed: sirens.length, changed: new Set(changed).size, failures: [...failures.values()].reduce((a, b) => a + b, 0), sanctionAlerts, rescored: r.assessed };
  }

  /** Re-scores these customers now; a grade into or out of X re-runs the exposure watch for them. */
  async rescoreCustomers(customerIds: readonly string[]): Promise<{ assessed: number; gradeChanges: number }> {
    if (customerIds.length === 0) return { assessed: 0, gradeChanges: 0 };
    const r = await this.assessments.rescore({ customerIds });
    await this.afterGradeChanges(r.gradeChanges);
    return { assessed: r.assessed, gradeChanges: r.gradeChanges.length };
  }

  /** The nightly re-score of the whole portfolio (unchanged inputs are skipped). */
  async rescorePortfolio(): Promise<Counts> {
    const r = await this.assessments.rescore();
    await this.afterGradeChanges(r.gradeChanges);
    return { customers: r.customers, assessed: r.assessed, unchanged: r.unchanged, gradeChanges: r.gradeChanges.length };
  }

  private async afterGradeChanges(changes: GradeChange[]) {
    const ids = changes.filter((c) => (c.from === 'X') !== (c.to === 'X')).map((c) => c.customerId);
    if (ids.length > 0) await this.exposureWatch(ids);
  }

  /**
   * Sets or clears the automatic block — distinct from a credit manager's manual block, which it
   * never touches — when exposure passes the limit, when invoices are overdue beyond the grace
   * days, or when the grade is X. A customer newly overdue is re-scored.
   */
  async exposureWatch(customerIds: readonly string[] | null = null): Promise<Counts> {
    const policy = await this.policy.current();
    const { rows, rule } = await this.credit.positions(customerIds, policy);
    const { today, now } = rule;
    const changes: Array<{ id: string; blocked: boolean; reasons: string[] }> = [];
    const alerts: AlertInput[] = [];
    const resolve: string[] = [];
    const audits: AuditEvent[] = [];
    const newlyOverdue: string[] = [];
    let blockedCount = 0;
    let unblockedCount = 0;
    for (const p of rows) {
      // The rules (vigie_credit_reasons) say which fail today; the watch acts on those it owns.
      const reasons = p.reasons.filter((code) => AUTO_BLOCK_REASONS.includes(code));
      const overLimit = reasons.includes('over_limit');
      const limit = p.limit_amount;
      const explicit = p.limit_source === 'explicit';
      const was = p.auto_block_reasons ?? [];
      const id = p.customer_id;
      if (overLimit) {
        alerts.push({
          type: 'limit_exceeded',
          severity: 'high',
          customerId: id,
          dedupeKey: `limit_exceeded:${id}`,
          message: `Exposure ${p.total} exceeds the credit limit ${limit} (minor units)`,
          data: { exposure: p.total, creditLimit: limit, creditLimitSource: explicit ? 'explicit' : 'policy_default' },
        });
      } else if (was.includes('over_limit')) resolve.push(`limit_exceeded:${id}`);
      if (p.overdue > 0) {
        const days = p.oldest_overdue ? Math.round((Date.parse(today) - Date.parse(p.oldest_overdue)) / 86_400_000) : null;
        alerts.push({
          type: 'overdue',
          severity: days !== null && days > 60 ? 'high' : 'medium',
          customerId: id,
          dedupeKey: `overdue:${id}`,
          message: `${p.overdue} (minor units) overdue beyond the ${policy.overdueGraceDays} grace days, the oldest ${days} days past due`,
          data: { overdueAmount: p.overdue, oldestOverdueDueDate: p.oldest_overdue, oldestOverdueDays: days, graceDays: policy.overdueGraceDays },
        });
        if (!was.includes('overdue_invoices')) newlyOverdue.push(id);
      } else if (was.includes('overdue_invoices')) resolve.push(`overdue:${id}`);

      const blocked = reasons.length > 0;
      if (blocked === p.auto_block && JSON.stringify(reasons) === JSON.stringify(was)) continue;
      changes.push({ id, blocked, reasons });
      if (blocked && !p.auto_block) {
        blockedCount++;
        alerts.push({
          type: 'auto_blocked',
          severity: 'high',
          customerId: id,
          dedupeKey: `auto_blocked:${id}`,
          message: `New orders blocked automatically: ${reasons.join(', ')}`,
          data: { reasons, exposure: p.total, creditLimit: limit, overdueAmount: p.overdue, grade: p.risk_grade },
        });
      } else if (!blocked && p.auto_block) {
        unblockedCount++;
        resolve.push(`auto_blocked:${id}`);
        alerts.push({
          type: 'auto_unblocked',
          severity: 'low',
          customerId: id,
          dedupeKey: `auto_unblocked:${id}:${now.getTime()}`,
          once: true,
          message: `The automatic block is lifted (was: ${was.join(', ')})`,
          data: { previousReasons: was, exposure: p.total, creditLimit: limit },
        });
      }
      if (blocked !== p.auto_block) {
        audits.push({
          actor: SYSTEM,
          action: blocked ? 'customer.auto_blocked' : 'customer.auto_unblocked',
          entityType: 'customer',
          entityId: id,
          customerId: id,
          oldValue: { autoBlock: p.auto_block, reasons: was },
          newValue: { autoBlock: blocked, reasons },
          reason: blocked ? reasons.join(', ') : 'the causes of the automatic block have cleared',
        });
      }
    }
    // The blocks, their alerts and their audit entries land together.
    await this.store.transaction(async (trx) => {
      await this.store.setAutoBlocks(changes, now, trx);
      await this.alerts.resolveSituations(resolve, 'the situation has cleared', trx);
      await this.alerts.raise(alerts, trx);
      for (let i = 0; i < audits.length; i += 1000) await this.audit.record(audits.slice(i, i + 1000), trx);
    });
    const rescored = newlyOverdue.length > 0 ? (await this.rescoreCustomers(newlyOverdue)).assessed : 0;
    return { customers: rows.length, blocked: blockedCount, unblocked: unblockedCount, rescored };
  }

  /** Alerts for limits whose review date is near or past. */
  async limitReviews(): Promise<Counts> {
    const today = this.credit.today();
    const due = await this.store.reviewsDue(addDays(today, this.options.limitReviewNoticeDays));
    const created = await this.alerts.raise(
      due.map((d) => ({
        type: 'limit_review_due' as const,
        severity: d.limit_review_date! < today ? 'high' : 'medium',
        customerId: d.customer_id,
        dedupeKey: `limit_review_due:${d.customer_id}:${d.limit_review_date}`,
        message: `The credit limit (${d.credit_limit ?? 'policy default'} ${d.currency}) is due for review on ${d.limit_review_date}${d.limit_review_date! < today ? ' (past)' : ''}`,
        data: { reviewDate: d.limit_review_date, creditLimit: d.credit_limit, currency: d.currency },
        once: true,
      })),
    );
    return { due: due.length, alerts: created.length };
  }
}

function legalEventAlert(customerId: string, e: LegalEvent): AlertInput {
  const nature = e.judgment?.nature ? `: ${e.judgment.nature}` : '';
  return {
    type: 'legal_event',
    severity: EVENT_SEVERITY[e.kind] ?? 'low',
    customerId,
    dedupeKey: `legal_event:${customerId}:${e.id}`,
    message: `BODACC ${e.kind.replace(/_/g, ' ')} published on ${e.publishedOn}${nature} (${e.id})`,
    data: { kind: e.kind, publishedOn: e.publishedOn, judgment: e.judgment, court: e.court, correction: e.correction },
    evidence: { source: 'bodacc', id: e.id, date: e.publishedOn, url: e.url },
    once: true,
  };
}
