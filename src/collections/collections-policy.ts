import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import { VersionedPolicy, type PolicyVersion } from '../policy/versioned-policy.js';

const planId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lower-case letters, digits, "-" or "_" (at most 63)');

export const collectionsPolicySchema = z.strictObject({
  defaultPlanId: planId.describe('The dunning plan of customers without one of their own or by grade'),
  planByGrade: z
    .partialRecord(z.enum(['A', 'B', 'C', 'D', 'E', 'X']), planId)
    .default({})
    .describe('A plan per risk grade (e.g. a tighter plan for D and E); a customer\'s own plan wins'),
  blockOrdersFromStep: z
    .string()
    .min(1)
    .max(63)
    .nullable()
    .describe('Orders are blocked (reason "collections") once an open invoice reached this step key of its plan, or any later step; null: never'),
  liftBlockInGoodStanding: z.boolean().describe('Invoices under a promise to pay or a payment plan in good standing do not block orders'),
  installmentGraceDays: z.number().int().min(0).max(90).describe('Days after a late installment before its payment plan is defaulted and dunning resumes on the whole remainder'),
  formalNoticeDeadlineDays: z.number().int().min(1).max(60).describe('The deadline a formal notice gives (8 days in French practice)'),
});
export type CollectionsPolicy = z.output<typeof collectionsPolicySchema>;

export const DEFAULT_COLLECTIONS_POLICY: CollectionsPolicy = {
  defaultPlanId: 'standard',
  planByGrade: {},
  blockOrdersFromStep: 'formal_notice',
  liftBlockInGoodStanding: true,
  installmentGraceDays: 7,
  formalNoticeDeadlineDays: 8,
};

/** The collections policy in force: versioned, audited, cached a few seconds like the other policies. */
export class CollectionsPolicyService {
  private readonly versions: VersionedPolicy<CollectionsPolicy>;

  constructor(db: Kysely<DB>, audit: AuditService) {
    this.versions = new VersionedPolicy<CollectionsPolicy>(db, {
      table: 'collections_policies',
      audit,
      entityType: 'collections_policy',
      action: 'collections_policy.changed',
      initial: { policy: DEFAULT_COLLECTIONS_POLICY, by: 'configuration', reason: 'initial collections policy' },
      toColumns: (policy) => ({ policy: JSON.stringify(policy) }),
      fromRow: (row) => ({ ...DEFAULT_COLLECTIONS_POLICY, ...(row.policy as Partial<CollectionsPolicy>) }),
    });
  }

  current(): Promise<PolicyVersion<CollectionsPolicy>> {
    return this.versions.current();
  }

  change(policy: CollectionsPolicy, reason: string, actor: AuthContext): Promise<PolicyVersion<CollectionsPolicy>> {
    return this.versions.change(policy, reason, actor);
  }
}
