import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { DEFAULT_SCORING_POLICY, type ScoringPolicy } from '../../scorers/scoring-policy.js';
import { cachedValue } from '../policy/cached-value.js';

export interface ScoringPolicyVersion {
  version: number;
  policy: ScoringPolicy;
  createdAt: string;
  createdBy: string;
  reason: string;
}

const CACHE_MS = 5_000;

/** The scoring policy in force: versioned, audited, cached a few seconds like the credit policy. */
export class ScoringPolicyService {
  private readonly cache = cachedValue(CACHE_MS, () => this.load());

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
  ) {}

  current(): Promise<ScoringPolicyVersion> {
    return this.cache.get();
  }

  private async load(): Promise<ScoringPolicyVersion> {
    const latest = () => this.db.selectFrom('scoring_policies').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
    let row = await latest();
    if (!row) {
      await this.db
        .insertInto('scoring_policies')
        .values({ version: 1, policy: JSON.stringify(DEFAULT_SCORING_POLICY), created_by: 'configuration', reason: 'initial scoring policy' })
        .onConflict((oc) => oc.column('version').doNothing())
        .execute();
      row = (await latest())!;
    }
    return { version: row.version, policy: row.policy as ScoringPolicy, createdAt: row.created_at.toISOString(), createdBy: row.created_by, reason: row.reason };
  }

  async change(policy: ScoringPolicy, reason: string, actor: AuthContext): Promise<ScoringPolicyVersion> {
    const before = await this.current();
    await this.db.transaction().execute(async (trx) => {
      const last = await trx.selectFrom('scoring_policies').select('version').orderBy('version', 'desc').limit(1).forUpdate().executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      await trx.insertInto('scoring_policies').values({ version, policy: JSON.stringify(policy), created_by: actor.name, reason }).execute();
      await this.audit.record(
        {
          actor,
          action: 'scoring_policy.changed',
          entityType: 'scoring_policy',
          entityId: String(version),
          oldValue: { version: before.version, policy: before.policy },
          newValue: { version, policy },
          reason,
        },
        trx,
      );
    });
    this.cache.invalidate();
    return this.current();
  }
}
