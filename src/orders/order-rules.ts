import { currencyMinorDigits } from '../identifiers.js';

export type Decision = 'approved' | 'review' | 'blocked';

/**
 * The reasons an order is not approved, in the documented order (most fundamental first). Which
 * of them fail, and what decision follows, is decided in one place: vigie_credit_reasons() and
 * vigie_credit_decision() (migration 20261203001000). This file only words them for people.
 */
export const REASON_ORDER = ['legal_proceedings', 'manual_block', 'collections', 'overdue_invoices', 'over_limit', 'risk_grade', 'no_limit'] as const;
export type ReasonCode = (typeof REASON_ORDER)[number];

export interface Reason {
  code: ReasonCode;
  message: string;
  [data: string]: unknown;
}

/** The figures the decision was made on, as the order check stored them. */
export interface ReasonFacts {
  amount: number;
  currency: string;
  exposureTotal: number;
  overdueAmount: number;
  oldestOverdueDays: number | null;
  graceDays: number;
  creditLimit: number;
  creditLimitSource: 'explicit' | 'policy_default';
  available: number;
  manualBlockReason: string | null;
  /** The collections step that blocks orders, when it does. */
  collectionsBlock?: { step: string; since: string; invoices: string[] } | null;
  /** `net`: the exposure is net of the credit insurer's share (credit policy exposureBasis). */
  exposureBasis?: 'gross' | 'net';
}

// Building an Intl.NumberFormat costs far more than formatting with one: keep one per currency.
const formats = new Map<string, Intl.NumberFormat>();
export const money = (minor: number, currency: string) => {
  let f = formats.get(currency);
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    formats.set(currency, f);
  }
  return f.format(minor / 10 ** currencyMinorDigits(currency));
};

/** Pure: each reason code the rules returned, with its message and the figures behind it. */
export function explainReasons(codes: readonly string[], f: ReasonFacts): Reason[] {
  const cur = f.currency;
  return codes.map((code): Reason => {
    switch (code as ReasonCode) {
      case 'legal_proceedings':
        return { code: 'legal_proceedings', message: 'The customer is ceased or in collective proceedings (sauvegarde, redressement or liquidation judiciaire): risk grade X.' };
      case 'manual_block':
        return { code: 'manual_block', message: `A credit manager blocked this customer${f.manualBlockReason ? `: ${f.manualBlockReason}` : ''}.` };
      case 'collections': {
        const b = f.collectionsBlock;
        return {
          code: 'collections',
          message: b
            ? `Collections reached the "${b.step}" step on ${b.since} for invoice${b.invoices.length > 1 ? 's' : ''} ${b.invoices.join(', ')}: no new order on credit until it is settled or agreed.`
            : 'Collections reached the step that blocks new orders.',
          ...(b ? { step: b.step, since: b.since, invoices: b.invoices } : {}),
        };
      }
      case 'overdue_invoices':
        return {
          code: 'overdue_invoices',
          message: `${money(f.overdueAmount, cur)} is overdue, the oldest ${f.oldestOverdueDays} days past its due date (grace ${f.graceDays} days): pay what is due before ordering again.`,
          overdueAmount: f.overdueAmount,
          oldestOverdueDays: f.oldestOverdueDays,
          graceDays: f.graceDays,
        };
      case 'over_limit':
        return {
          code: 'over_limit',
          message:
            f.creditLimit === 0
              ? 'The credit limit is 0: prepayment only.'
              : `The order of ${money(f.amount, cur)} exceeds the available credit of ${money(Math.max(f.available, 0), cur)} (limit ${money(f.creditLimit, cur)}${f.creditLimitSource === 'policy_default' ? ', the policy default' : ''}, ${f.exposureBasis === 'net' ? 'exposure net of the insured share' : 'exposure'} ${money(f.exposureTotal, cur)}).`,
          available: f.available,
          creditLimit: f.creditLimit,
          exposure: f.exposureTotal,
        };
      case 'risk_grade':
        return { code: 'risk_grade', message: 'Risk grade E (very high risk) and no limit set by a credit manager: review before accepting.' };
      case 'no_limit':
        return { code: 'no_limit', message: 'No credit limit is set for this customer and the policy default is 0: every order goes to review.' };
      default:
        throw new Error(`unknown reason code ${code}`);
    }
  });
}
