import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { DEFAULT_SCORING_POLICY, type ScoringPolicy } from '../../scorers/scoring-policy.js';
import { VersionedPolicy, type PolicyVersion } from '../policy/versioned-policy.js';

export type ScoringPolicyVersion = PolicyVersion<ScoringPolicy>;

/** The scoring policy in force: versioned, audited, cached a few seconds like the credit policy. */
export class ScoringPolicyService {
  private readonly versions: VersionedPolicy<ScoringPolicy>;

  constructor(db: Kysely<DB>, audit: AuditService) {
    this.versions = new VersionedPolicy<ScoringPolicy>(db, {
      table: 'scoring_policies',
      audit,
      entityType: 'scoring_policy',
      action: 'scoring_policy.changed',
      initial: { policy: DEFAULT_SCORING_POLICY, by: 'configuration', reason: 'initial scoring policy' },
      toColumns: (policy) => ({ policy: JSON.stringify(policy) }),
      fromRow: (row) => row.policy as ScoringPolicy,
    });
  }

  current(): Promise<ScoringPolicyVersion> {
    return this.versions.current();
  }

  change(policy: ScoringPolicy, reason: string, actor: AuthContext): Promise<ScoringPolicyVersion> {
    return this.versions.change(policy, reason, actor);
  }
}
