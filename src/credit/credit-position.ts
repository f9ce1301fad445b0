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
  /** The components add up to `total` (unapplied credits count negative). */
  exposure: {
    openReceivables: number;
    overdueReceivables: number;
    /** Invoices assigned to a factor with recourse. */
    factoredReceivables: number;
    activeHolds: number;
    unappliedCredits: number;
    total: number;
  };
  /** Invoices assigned to a factor without recourse: the factor carries the risk; not in the exposure. */
  factoredWithoutRecourse: number;
  /** For an insured customer: the insurer's share of the exposure (coverage × the exposure up to the insured limit) and the net exposure. */
  insurance: { insuredLimit: number; coveragePercent: number; insuredShare: number; netExposure: number; availableNet: number } | null;
  /** The exposure orders are checked against: `net` for an insured customer when the policy says so. */
  basis: 'gross' | 'net';
  /** The limit less the exposure the orders are checked against. */
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
      factoredReceivables: row.factored,
      activeHolds: row.held,
      unappliedCredits: row.unapplied === 0 ? 0 : -row.unapplied,
      total: row.total,
    },
    factoredWithoutRecourse: row.factored_without_recourse,
    insurance:
      row.insured_limit === null
        ? null
        : { insuredLimit: row.insured_limit, coveragePercent: (row.insured_coverage_bp ?? 0) / 100, insuredShare: row.insured, netExposure: row.net_total, availableNet: row.available_net },
    basis: row.basis,
    available: row.basis === 'net' ? row.available_net : row.available,
    oldestOverdueDueDate: row.oldest_overdue,
    newOrders: { decision: row.decision, reasons: row.reasons },
  };
}
