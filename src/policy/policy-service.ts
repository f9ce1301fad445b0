import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { cachedValue } from './cached-value.js';

export interface CreditPolicy {
  version: number;
  /** Limit (minor units of the customer's currency) for customers without an explicit one; 0 → every order to review. */
  defaultCreditLimit: number;
  /** Days after the due date before an invoice counts as overdue. */
  overdueGraceDays: number;
  /** Hours an approved order's hold counts against the limit without an invoice or release. */
  holdTtlHours: number;
  /** Orders waiting in review are re-checked by themselves when a limit is raised or a payment lands. */
  autoRecheckReview: boolean;
  createdAt: string;
  createdBy: string;
  reason: string;
}

export type PolicyChange = Pick<CreditPolicy, 'defaultCreditLimit' | 'overdueGraceDays' | 'holdTtlHours'> & { autoRecheckReview?: boolean | undefined; reason: string };

const CACHE_MS = 5_000;

/**
 * The credit policy in force (versioned, audited). Reads are cached for a few seconds because every
 * order check needs it; a change made in this process is visible at once, in others within CACHE_MS.
 */
export class PolicyService {
  private readonly cache = cachedValue(CACHE_MS, () => this.load());

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly initial: Omit<PolicyChange, 'reason'>,
  ) {}

  current(): Promise<CreditPolicy> {
    return this.cache.get();
  }

  private async load(): Promise<CreditPolicy> {
    let row = await this.db.selectFrom('credit_policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) {
      // First use: the environment's values become version 1.
      await this.db
        .insertInto('credit_policies')
        .values({
          version: 1,
          default_credit_limit: this.initial.defaultCreditLimit,
          overdue_grace_days: this.initial.overdueGraceDays,
          hold_ttl_hours: this.initial.holdTtlHours,
          created_by: 'configuration',
          reason: 'initial policy from the environment',
        })
        .onConflict((oc) => oc.column('version').doNothing())
        .execute();
      row = await this.db.selectFrom('credit_policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirstOrThrow();
    }
    return {
      version: row.version,
      defaultCreditLimit: row.default_credit_limit,
      overdueGraceDays: row.overdue_grace_days,
      holdTtlHours: row.hold_ttl_hours,
      autoRecheckReview: row.auto_recheck_review,
      createdAt: row.created_at.toISOString(),
      createdBy: row.created_by,
      reason: row.reason,
    };
  }

  async change(change: PolicyChange, actor: AuthContext): Promise<CreditPolicy> {
    const before = await this.current();
    await this.db.transaction().execute(async (trx) => {
      // The primary key on version makes two concurrent changes fail rather than both become "version n+1".
      const last = await trx.selectFrom('credit_policies').select('version').orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      await trx
        .insertInto('credit_policies')
        .values({
          version,
          default_credit_limit: change.defaultCreditLimit,
          overdue_grace_days: change.overdueGraceDays,
          hold_ttl_hours: change.holdTtlHours,
          // Left out of a change, the setting stays as it was.
          auto_recheck_review: change.autoRecheckReview ?? before.autoRecheckReview,
          created_by: actor.name,
          reason: change.reason,
        })
        .execute();
      const { version: _v, createdAt: _c, createdBy: _b, reason: _r, ...oldValue } = before;
      await this.audit.record(
        {
          actor,
          action: 'policy.changed',
          entityType: 'credit_policy',
          entityId: String(version),
          oldValue: { version: before.version, ...oldValue },
          newValue: {
            version,
            defaultCreditLimit: change.defaultCreditLimit,
            overdueGraceDays: change.overdueGraceDays,
            holdTtlHours: change.holdTtlHours,
            autoRecheckReview: change.autoRecheckReview ?? before.autoRecheckReview,
          },
          reason: change.reason,
        },
        trx,
      );
    });
    this.cache.invalidate();
    return this.current();
  }
}
