import type { ScoringPolicy } from './scoring-policy.js';
import { sum, type ScoreReason, type SubScore } from './scorer-types.js';

/** The ledger's view of a customer as a payer (days beyond terms as paydex-index.ts measures them). */
export interface LedgerBehaviour {
  /** Amount-weighted days beyond terms over the last 12 months; null when nothing was due. */
  daysBeyondTerms: number | null;
  /** The same over the last 3 months, and over the 9 months before. */
  recentDaysBeyondTerms: number | null;
  earlierDaysBeyondTerms: number | null;
  overdueAmount: number;
  openAmount: number;
}

/** Pure: how the customer pays us — days beyond terms, the overdue share of what it owes, and the trend. */
export function scorePaymentBehaviour(b: LedgerBehaviour, policy: ScoringPolicy): SubScore {
  const p = policy.paymentBehaviour;
  const w = policy.weights.paymentBehaviour;
  const reasons: ScoreReason[] = [];
  const dbt = b.daysBeyondTerms;
  if (dbt !== null) {
    const detail = `${dbt} days beyond terms on average over 12 months (amount-weighted)`;
    if (dbt <= p.onTermsUpToDays) reasons.push({ code: 'pays_on_terms', logOdds: p.onTerms * w, detail });
    else if (dbt > p.veryLateOverDays) reasons.push({ code: 'pays_very_late', logOdds: p.veryLate * w, detail });
    else if (dbt > p.lateOverDays) reasons.push({ code: 'pays_late', logOdds: p.late * w, detail });
  }
  if (b.openAmount > 0 && b.overdueAmount / b.openAmount > p.overdueShareOver) {
    const share = Math.round((b.overdueAmount / b.openAmount) * 100);
    reasons.push({ code: 'overdue_share_high', logOdds: p.overdueShare * w, detail: `${share}% of what the customer owes is overdue` });
  }
  if (b.recentDaysBeyondTerms !== null && b.earlierDaysBeyondTerms !== null) {
    const change = Math.round((b.recentDaysBeyondTerms - b.earlierDaysBeyondTerms) * 10) / 10;
    const detail = `${b.recentDaysBeyondTerms} days beyond terms over the last 3 months against ${b.earlierDaysBeyondTerms} over the 9 before`;
    if (change >= p.trendDays) reasons.push({ code: 'payment_trend_worsening', logOdds: p.worsening * w, detail });
    else if (change <= -p.trendDays) reasons.push({ code: 'payment_trend_improving', logOdds: p.improving * w, detail });
  }
  return { name: 'payment_behaviour', logOdds: sum(reasons), reasons };
}
