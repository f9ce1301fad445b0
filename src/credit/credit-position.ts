import type { PositionRow } from './credit-store.js';

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
  /** What the credit rules say of a new order today, with the rules that already fail. */
  newOrders: { decision: PositionRow['decision']; reasons: string[] };
}

/** The position as the API shows it: vigie_credit_position() computed it; nothing is re-derived here. */
export function creditPosition(row: PositionRow, today: string): CreditPosition {
  return {
    currency: row.currency,
    creditLimit: {
      amount: row.limit_amount,
      source: row.limit_source,
      reviewDate: row.limit_review_date,
      reviewDue: row.limit_review_date !== null && row.limit_review_date <= today,
    },
    exposure: {
      openReceivables: row.open_current,
      overdueReceivables: row.overdue,
      activeHolds: row.held,
      unappliedCredits: row.unapplied === 0 ? 0 : -row.unapplied,
      total: row.total,
    },
    available: row.available,
    oldestOverdueDueDate: row.oldest_overdue,
    newOrders: { decision: row.decision, reasons: row.reasons },
  };
}
