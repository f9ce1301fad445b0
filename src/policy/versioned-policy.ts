import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { cachedValue } from './cached-value.js';
import { VersionedPolicyStore, type PolicyRow, type PolicyTable } from './versioned-policy-store.js';

export interface PolicyVersion<T> {
  version: number;
  policy: T;
  createdAt: string;
  createdBy: string;
  reason: string;
}

const CACHE_MS = 5_000;

/**
 * A policy kept as numbered versions (the credit policy, the scoring policy): the one in force is
 * read through a cache of a few seconds, since nearly every request needs it (a change made in this
 * process is visible at once, in others within CACHE_MS); its first version is written from
 * `initial` the first time it is read; a change is a new version, audited with the old and new values.
 */
export class VersionedPolicy<T> {
  private readonly store: VersionedPolicyStore;
  private readonly cache = cachedValue(CACHE_MS, () => this.load());

  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: {
      table: PolicyTable;
      audit: AuditService;
      /** Audit entity type and action: `credit_policy`/`policy.changed`, `scoring_policy`/`scoring_policy.changed`. */
      entityType: string;
      action: string;
      initial: { policy: T; by: string; reason: string };
      toColumns: (policy: T) => Record<string, unknown>;
      fromRow: (row: PolicyRow) => T;
      /** How a version appears in the audit log (default `{ policy }`). */
      auditValue?: (policy: T) => Record<string, unknown>;
    },
  ) {
    this.store = new VersionedPolicyStore(db, options.table);
  }

  current(): Promise<PolicyVersion<T>> {
    return this.cache.get();
  }

  private async load(): Promise<PolicyVersion<T>> {
    let row = await this.store.latest();
    if (!row) {
      const { policy, by, reason } = this.options.initial;
      await this.store.insertFirst(this.options.toColumns(policy), by, reason);
      row = (await this.store.latest())!;
    }
    return { version: row.version, policy: this.options.fromRow(row), createdAt: new Date(row.created_at).toISOString(), createdBy: row.created_by, reason: row.reason };
  }

  async change(policy: T, reason: string, actor: AuthContext): Promise<PolicyVersion<T>> {
    const before = await this.current();
    const audited = this.options.auditValue ?? ((p: T) => ({ policy: p }));
    await this.db.transaction().execute(async (trx) => {
      const version = await this.store.insertNext(this.options.toColumns(policy), actor.name, reason, trx);
      await this.options.audit.record(
        {
          actor,
          action: this.options.action,
          entityType: this.options.entityType,
          entityId: String(version),
          oldValue: { version: before.version, ...audited(before.policy) },
          newValue: { version, ...audited(policy) },
          reason,
        },
        trx,
      );
    });
    this.cache.invalidate();
    return this.current();
  }
}
