import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { VersionedPolicy } from './versioned-policy.js';

/** The figures of the credit policy, as stored in each version. */
export interface CreditPolicyTerms {
  /** Limit (minor units of the customer's currency) for customers without an explicit one; 0 → every order to review. */
  defaultCreditLimit: number;
  /** Days after the due date before an invoice counts as overdue. */
  overdueGraceDays: number;
  /** Hours an approved order's hold counts against the limit without an invoice or release. */
  holdTtlHours: number;
  /** Orders waiting (review or blocked) are re-checked by themselves when a limit is raised or a payment lands. */
  autoRecheckOrders: boolean;
  /** Orders of insured customers are checked against the gross exposure or the net one (less the insured share). */
  exposureBasis: 'gross' | 'net';
  /** A credit-insurance cover reduced or withdrawn lowers the customer's limit to the insured limit. */
  limitFollowsCover: boolean;
}

export interface CreditPolicy extends CreditPolicyTerms {
  version: number;
  createdAt: string;
  createdBy: string;
  reason: string;
}

type Optional = 'autoRecheckOrders' | 'exposureBasis' | 'limitFollowsCover';
export type PolicyChange = Omit<CreditPolicyTerms, Optional> & Partial<{ [K in Optional]: CreditPolicyTerms[K] | undefined }> & { reason: string };

/**
 * The credit policy in force (versioned, audited, cached a few seconds: every order check needs it;
 * see VersionedPolicy). Its first version comes from the environment.
 */
export class PolicyService {
  private readonly versions: VersionedPolicy<CreditPolicyTerms>;

  constructor(db: Kysely<DB>, audit: AuditService, initial: Omit<PolicyChange, 'reason'>) {
    this.versions = new VersionedPolicy<CreditPolicyTerms>(db, {
      table: 'credit_policies',
      audit,
      entityType: 'credit_policy',
      action: 'policy.changed',
      initial: { policy: { autoRecheckOrders: false, exposureBasis: 'gross', limitFollowsCover: false, ...initial }, by: 'configuration', reason: 'initial policy from the environment' },
      toColumns: (p) => ({
        default_credit_limit: p.defaultCreditLimit,
        overdue_grace_days: p.overdueGraceDays,
        hold_ttl_hours: p.holdTtlHours,
        auto_recheck_orders: p.autoRecheckOrders,
        exposure_basis: p.exposureBasis,
        limit_follows_cover: p.limitFollowsCover,
      }),
      fromRow: (row) => ({
        defaultCreditLimit: Number(row.default_credit_limit),
        overdueGraceDays: Number(row.overdue_grace_days),
        holdTtlHours: Number(row.hold_ttl_hours),
        autoRecheckOrders: row.auto_recheck_orders === true,
        exposureBasis: row.exposure_basis === 'net' ? 'net' : 'gross',
        limitFollowsCover: row.limit_follows_cover === true,
      }),
      auditValue: (p) => ({ ...p }),
    });
  }

  async current(): Promise<CreditPolicy> {
    const v = await this.versions.current();
    return { version: v.version, ...v.policy, createdAt: v.createdAt, createdBy: v.createdBy, reason: v.reason };
  }

  async change(change: PolicyChange, actor: AuthContext): Promise<CreditPolicy> {
    const before = await this.current();
    const { reason, ...terms } = change;
    // Left out of a change, the optional terms stay as they were.
    await this.versions.change(
      {
        ...terms,
        autoRecheckOrders: terms.autoRecheckOrders ?? before.autoRecheckOrders,
        exposureBasis: terms.exposureBasis ?? before.exposureBasis,
        limitFollowsCover: terms.limitFollowsCover ?? before.limitFollowsCover,
      },
      reason,
      actor,
    );
    return this.current();
  }
}
