import type { AuditEvent, AuditService } from '../audit/audit-service.js';
import type { AlertInput, AlertsService } from '../alerts/alerts-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { MonitoringStore } from './monitoring-store.js';
import { SYSTEM, type Counts, type Rescorer } from './monitoring-common.js';
import { formatMoney } from '../collections/templates.js';

/** The reasons the automatic block stands for (a manual block and review reasons are not its to set). */
const AUTO_BLOCK_REASONS: readonly string[] = ['legal_proceedings', 'overdue_invoices', 'over_limit'];

/** The job exposure-watch: the automatic block, from the credit rules, with its alerts. */
export class ExposureWatchService {
  constructor(
    private readonly deps: {
      store: MonitoringStore;
      credit: CreditService;
      policy: PolicyService;
      alerts: AlertsService;
      audit: AuditService;
      rescore: Rescorer;
    },
  ) {}

  /**
   * Sets or clears the automatic block — distinct from a credit manager's manual block, which it
   * never touches — when exposure passes the limit, when invoices are overdue beyond the grace
   * days, or when the grade is X. A customer newly overdue is re-scored.
   */
  async run(customerIds: readonly string[] | null = null): Promise<Counts> {
    const policy = await this.deps.policy.current();
    const { rows, rule } = await this.deps.credit.positions(customerIds, policy);
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
          message: `Exposure${p.basis === 'net' ? ' net of the insured share' : ''} ${formatMoney(p.basis === 'net' ? p.net_total : p.total, p.currency, 'en')} exceeds the credit limit ${formatMoney(limit, p.currency, 'en')}`,
          data: { exposure: p.basis === 'net' ? p.net_total : p.total, basis: p.basis, creditLimit: limit, creditLimitSource: explicit ? 'explicit' : 'policy_default' },
        });
      } else if (was.includes('over_limit')) resolve.push(`limit_exceeded:${id}`);
      if (p.overdue > 0) {
        const days = p.oldest_overdue ? Math.round((Date.parse(today) - Date.parse(p.oldest_overdue)) / 86_400_000) : null;
        alerts.push({
          type: 'overdue',
          severity: days !== null && days > 60 ? 'high' : 'medium',
          customerId: id,
          dedupeKey: `overdue:${id}`,
          message: `${formatMoney(p.overdue, p.currency, 'en')} overdue beyond the ${policy.overdueGraceDays} grace days, the oldest ${days} days past due`,
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
    await this.deps.store.transaction(async (trx) => {
      await this.deps.store.setAutoBlocks(changes, now, trx);
      await this.deps.alerts.resolveSituations(resolve, 'the situation has cleared', trx);
      await this.deps.alerts.raise(alerts, trx);
      for (let i = 0; i < audits.length; i += 1000) await this.deps.audit.record(audits.slice(i, i + 1000), trx);
    });
    const rescored = newlyOverdue.length > 0 ? (await this.deps.rescore.rescoreCustomers(newlyOverdue)).assessed : 0;
    // The whole-portfolio run also re-aligns the portfolio page's sort keys.
    const resorted = customerIds === null ? await this.deps.credit.resyncPortfolioPositions() : 0;
    return { customers: rows.length, blocked: blockedCount, unblocked: unblockedCount, rescored, ...(customerIds === null ? { resorted } : {}) };
  }
}
