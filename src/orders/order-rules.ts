import type { CreditPosition } from '../credit/credit-position.js';
import { currencyMinorDigits } from '../identifiers.js';

export type Decision = 'approved' | 'review' | 'blocked';

/**
 * Every failing rule is reported, in this documented order (most fundamental first):
 * legal proceedings, manual block, overdue invoices, over limit, risk grade, no limit.
 */
export const REASON_ORDER = ['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit', 'risk_grade', 'no_limit'] as const;
export type ReasonCode = (typeof REASON_ORDER)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
  [data: string]: unknown;
}

export interface DecisionInput {
  amount: number;
  position: CreditPosition;
  graceDays: number;
  oldestOverdueDays: number | null;
  manualBlock: { reason: string | null } | null;
  riskGrade: string | null;
}

// Building an Intl.NumberFormat costs far more than formatting with one: keep one per currency.
const formats = new Map<string, Intl.NumberFormat>();
const money = (minor: number, currency: string) => {
  let f = formats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    formats.set(currency, f);
  }
  return f.format(minor / 10 ** currencyMinorDigits(currency));
};

/** Pure: the decision for one order against a customer's current position. */
export function decideOrder(input: DecisionInput): { decision: Decision; reasons: Reason[] } {
  const { position, amount } = input;
  const cur = position.currency;
  const reasons: Array<Reason & { severity: 'blocked' | 'review' }> = [];

  if (input.riskGrade === 'X') {
    reasons.push({
      code: 'legal_proceedings',
      severity: 'blocked',
      message: 'The customer is ceased or in collective proceedings (sauvegarde, redressement or liquidation judiciaire): risk grade X.',
    });
  }
  if (input.manualBlock) {
    reasons.push({
      code: 'manual_block',
      severity: 'blocked',
      message: `A credit manager blocked this customer${input.manualBlock.reason ? `: ${input.manualBlock.reason}` : ''}.`,
    });
  }
  const overdue = position.exposure.overdueReceivables;
  if (overdue > 0) {
    reasons.push({
      code: 'overdue_invoices',
      severity: 'blocked',
      message: `${money(overdue, cur)} is overdue, the oldest ${input.oldestOverdueDays} days past its due date (grace ${input.graceDays} days): pay what is due before ordering again.`,
      overdueAmount: overdue,
      oldestOverdueDays: input.oldestOverdueDays,
      graceDays: input.graceDays,
    });
  }
  const limit = position.creditLimit;
  const noLimit = limit.source === 'policy_default' && limit.amount === 0;
  if (!noLimit && position.exposure.total + amount > limit.amount) {
    const available = position.available;
    reasons.push({
      code: 'over_limit',
      severity: 'blocked',
      message:
        limit.amount === 0
          ? 'The credit limit is 0: prepayment only.'
          : `The order of ${money(amount, cur)} exceeds the available credit of ${money(Math.max(available, 0), cur)} (limit ${money(limit.amount, cur)}${limit.source === 'policy_default' ? ', the policy default' : ''}, exposure ${money(position.exposure.total, cur)}).`,
      available,
      creditLimit: limit.amount,
      exposure: position.exposure.total,
    });
  }
  if (input.riskGrade === 'E' && limit.source !== 'explicit') {
    reasons.push({
      code: 'risk_grade',
      severity: 'review',
      message: 'Risk grade E (very high risk) and no limit set by a credit manager: review before accepting.',
    });
  }
  if (noLimit) {
    reasons.push({
      code: 'no_limit',
      severity: 'review',
      message: 'No credit limit is set for this customer and the policy default is 0: every order goes to review.',
    });
  }
  reasons.sort((a, b) => REASON_ORDER.indexOf(a.code) - REASON_ORDER.indexOf(b.code));
  const decision: Decision = reasons.some((r) => r.severity === 'blocked') ? 'blocked' : reasons.length > 0 ? 'review' : 'approved';
  return { decision, reasons: reasons.map(({ severity: _s, ...r }) => r) };
}
