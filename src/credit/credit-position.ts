import type { CreditPolicy } from '../policy/policy-service.js';
import type { CreditAccountRow, ExposureSnapshot } from './credit-store.js';

export interface CreditPosition {
  currency: string;
  creditLimit: {
    amount: number;
    /** `explicit`: set by a credit manager; `policy_default`: none set, the policy's default applies. */
    source: 'explicit' | 'policy_default';
    reviewDate: string | null;
    reviewDue: boolean;
  };
  /** The four components add up to `total` (unapplied credits count negative). */
  exposure: {
    openReceivables: number;
    overdueReceivables: number;
    activeHolds: number;
    unappliedCredits: number;
    total: number;
  };
  available: number;
  oldestOverdueDueDate: string | null;
}

/** Pure: the limit in force and the exposure against it. */
export function creditPosition(account: CreditAccountRow, snapshot: ExposureSnapshot, policy: CreditPolicy, today: string): CreditPosition {
  const explicit = account.credit_limit !== null;
  const limit = explicit ? account.credit_limit! : policy.defaultCreditLimit;
  const unapplied = -snapshot.unappliedCredits;
  const total = snapshot.openReceivables + snapshot.overdueReceivables + snapshot.activeHolds + unapplied;
  return {
    currency: account.currency,
    creditLimit: {
      amount: limit,
      source: explicit ? 'explicit' : 'policy_default',
      reviewDate: account.limit_review_date,
      reviewDue: account.limit_review_date !== null && account.limit_review_date <= today,
    },
    exposure: {
      openReceivables: snapshot.openReceivables,
      overdueReceivables: snapshot.overdueReceivables,
      activeHolds: snapshot.activeHolds,
      unappliedCredits: unapplied === 0 ? 0 : unapplied,
      total,
    },
    available: limit - total,
    oldestOverdueDueDate: snapshot.oldestOverdueDueDate,
  };
}
