import type { FinancialModel } from './financial-model.js';
import { derivedEquity, type CanonicalRatios } from './financial-ratios.js';
import { scoreFinancials, type FinancialScore } from './financial-scorer.js';
import { scoreFirmographics } from './firmographics-scorer.js';
import { scoreLegal, type LegalScore } from './legal-scorer.js';
import { logit, sigmoid } from './metrics.js';
import { scorePaymentBehaviour, type LedgerBehaviour } from './payment-behaviour-scorer.js';
import type { Grade, PaymentCondition, ScoringPolicy } from './scoring-policy.js';
import { monthsBetween, type CompanyFacts, type ScoreReason, type SubScore } from './scorer-types.js';

export interface AssessmentInput {
  siren: string;
  facts: CompanyFacts;
  /** The latest complete statement, as canonical ratios, with its turnover (euros). */
  statement: { closingDate: string; ratios: CanonicalRatios; revenue: number | null } | null;
  /** The ledger's figures when the company is a customer. */
  ledger: LedgerBehaviour | null;
  /** The customer's needs: expected monthly purchases (euro cents) and payment terms in days. */
  needs: { monthlyPurchases: number | null; termsDays: number | null };
  /** Sources that could not be read (their data is missing or stale). */
  sourceGaps: string[];
  financialModel?: FinancialModel;
}

export interface AssessmentReason extends ScoreReason {
  scorer: SubScore['name'] | 'limit' | 'conditions' | 'data';
  /** Score points (positive = safer); the points of all reasons add up to score − base score. */
  points: number;
}

export interface LimitBasis {
  code: 'limit_equity_share' | 'limit_turnover_share' | 'limit_customer_needs' | 'limit_no_financials' | 'limit_grade_cap';
  amount: number;
  detail: string;
  binding: boolean;
}

export interface Assessment {
  siren: string;
  asOf: string;
  score: number;
  grade: Grade;
  probabilityOfDefault12m: number;
  confidence: { level: 'high' | 'medium' | 'low'; value: number; missing: string[] };
  recommendedLimit: { amount: number; currency: 'EUR'; basis: LimitBasis[]; reason: { code: string; detail: string } };
  paymentConditions: { condition: PaymentCondition; detail: string; code: string };
  reasons: AssessmentReason[];
  financial: Pick<FinancialScore, 'coverage' | 'missing' | 'logOdds'> & { modelVersion: string | null; statementDate: string | null };
  legal: Pick<LegalScore, 'proceedings' | 'ceased'>;
}

// One formatter, built once: formatting through toLocaleString builds one per call.
const EUROS = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });
const euros = (cents: number) => `${EUROS.format(cents / 100)} €`;

/** Pure: the whole assessment of one company at one date under one policy. */
export function assess(input: AssessmentInput, policy: ScoringPolicy, today: string): Assessment {
  const pointsPerLogOdds = policy.scale.pointsToDoubleOdds / Math.LN2;
  const toPoints = (logOdds: number) => Math.round(-logOdds * pointsPerLogOdds * 10) / 10 || 0;

  const fin = input.statement
    ? scoreFinancials(input.statement.ratios, { weight: policy.weights.financial, ...(input.financialModel ? { model: input.financialModel } : {}) }, { statementDate: input.statement.closingDate })
    : null;
  const legal = scoreLegal(input.facts, policy, today);
  const firmo = scoreFirmographics(input.facts.identity, policy, today);
  const behaviour = input.ledger ? scorePaymentBehaviour(input.ledger, policy) : null;

  const reasons: AssessmentReason[] = [];
  const add = (scorer: AssessmentReason['scorer'], r: ScoreReason) => reasons.push({ ...r, scorer, points: toPoints(r.logOdds) });
  // The statement's date is in each detail and in `financial.statementDate`.
  for (const c of fin?.contributions ?? []) add('financial', { code: c.code, logOdds: c.logOdds, detail: c.detail });
  for (const r of legal.reasons) add('legal', r);
  for (const r of firmo.reasons) add('firmographics', r);
  for (const r of behaviour?.reasons ?? []) add('payment_behaviour', r);

  // Missing data lowers confidence and is said; it never counts as a zero.
  const missing: string[] = [];
  let confidence = 1;
  if (!input.statement) {
    missing.push('financial statements');
    confidence -= 0.35;
    add('data', { code: 'financials_missing', logOdds: 0, detail: 'no published financial statement: the financial part of the score is left out, not counted as zero' });
  } else {
    if (fin!.missing.length > 0) {
      confidence -= 0.35 * (1 - fin!.coverage);
      missing.push(...fin!.missing.map((m) => `ratio ${m}`));
      add('data', {
        code: 'financials_partial',
        logOdds: 0,
        detail: `${fin!.missing.length} ratio(s) not published in the ${input.statement.closingDate} statement (${fin!.missing.join(', ')}): they count for nothing`,
      });
    }
    const age = monthsBetween(input.statement.closingDate, today);
    if (age > 24) {
      confidence -= 0.15;
      missing.push('recent financial statements');
      add('data', { code: 'financials_outdated', logOdds: 0, detail: `the latest statement closes on ${input.statement.closingDate}, ${age} months ago` });
    }
  }
  if (!input.facts.identity) {
    confidence -= 0.3;
    missing.push('identity');
  }
  confidence -= 0.03 * firmo.missing.filter((m) => m !== 'identity').length;
  missing.push(...firmo.missing.filter((m) => m !== 'identity'));
  for (const gap of input.sourceGaps) {
    confidence -= 0.1;
    missing.push(gap);
    add('data', { code: 'source_unavailable', logOdds: 0, detail: gap });
  }
  confidence = Math.max(0, Math.round(confidence * 100) / 100);

  const logOdds = reasons.reduce((s, r) => s + r.logOdds, 0);
  const pd = sigmoid(logit(policy.baseDefaultRate12m) + logOdds);
  const score = Math.max(0, Math.min(100, Math.round(policy.scale.baseScore - logOdds * pointsPerLogOdds)));
  const f = policy.gradeFloors;
  const grade: Grade =
    legal.proceedings || legal.ceased ? 'X' : score >= f.A ? 'A' : score >= f.B ? 'B' : score >= f.C ? 'C' : score >= f.D ? 'D' : 'E';

  const limit = recommendLimit(input, policy, grade);
  reasons.push({ code: limit.reason.code, logOdds: 0, points: 0, scorer: 'limit', detail: limit.reason.detail });
  const conditions = paymentConditions(policy, grade, limit.amount, input.needs.termsDays);
  reasons.push({ code: conditions.code, logOdds: 0, points: 0, scorer: 'conditions', detail: conditions.detail });

  return {
    siren: input.siren,
    asOf: today,
    score,
    grade,
    probabilityOfDefault12m: Math.round(pd * 1e5) / 1e5,
    confidence: { level: confidence >= 0.75 ? 'high' : confidence >= 0.5 ? 'medium' : 'low', value: confidence, missing },
    recommendedLimit: limit,
    paymentConditions: conditions,
    reasons: reasons.sort((a, b) => Math.abs(b.points) - Math.abs(a.points)),
    financial: {
      modelVersion: fin?.modelVersion ?? null,
      coverage: fin?.coverage ?? 0,
      missing: fin?.missing ?? [],
      logOdds: fin?.logOdds ?? 0,
      statementDate: input.statement?.closingDate ?? null,
    },
    legal: { proceedings: legal.proceedings, ceased: legal.ceased },
  };
}

/**
 * The lowest of: a share of equity and a share of turnover by grade, and the customer's needs
 * (monthly purchases × terms); capped by grade; 0 for E and X and for negative equity. Without
 * published accounts, a small amount by grade stands in for the financial bounds.
 */
export function recommendLimit(input: Pick<AssessmentInput, 'statement' | 'needs'>, policy: ScoringPolicy, grade: Grade): Assessment['recommendedLimit'] {
  const zero = (code: string, detail: string) => ({ amount: 0, currency: 'EUR' as const, basis: [], reason: { code, detail } });
  if (grade === 'X' || grade === 'E') {
    return zero('limit_zero_grade', `grade ${grade}: no credit${grade === 'X' ? ' (ceased or in collective proceedings)' : ' (very high risk)'}`);
  }
  const ratios = input.statement?.ratios ?? null;
  if (ratios?.equityRatio != null && ratios.equityRatio < 0) {
    return zero('limit_negative_equity', `negative equity (autonomie financière ${Math.round(ratios.equityRatio * 1000) / 10}% in the ${input.statement!.closingDate} statement): no credit`);
  }
  const l = policy.limit;
  const basis: LimitBasis[] = [];
  const revenue = input.statement?.revenue ?? null;
  const equity = ratios ? derivedEquity(ratios, revenue) : null;
  if (equity !== null) {
    basis.push({ code: 'limit_equity_share', amount: Math.round(equity * l.equityShare[grade] * 100), detail: `${l.equityShare[grade] * 100}% of equity (${euros(equity * 100)}, derived from the ratios)`, binding: false });
  }
  if (revenue !== null && revenue > 0) {
    basis.push({ code: 'limit_turnover_share', amount: Math.round(revenue * l.turnoverShare[grade] * 100), detail: `${l.turnoverShare[grade] * 100}% of turnover (${euros(revenue * 100)})`, binding: false });
  }
  if (basis.length === 0) {
    basis.push({ code: 'limit_no_financials', amount: l.withoutFinancials[grade] * 100, detail: `no equity or turnover published: at most ${euros(l.withoutFinancials[grade] * 100)} for grade ${grade}`, binding: false });
  }
  const { monthlyPurchases, termsDays } = input.needs;
  if (monthlyPurchases !== null) {
    const days = termsDays ?? 30;
    basis.push({ code: 'limit_customer_needs', amount: Math.round((monthlyPurchases * days) / 30), detail: `${euros(monthlyPurchases)} of purchases a month × ${days} days of terms`, binding: false });
  }
  basis.push({ code: 'limit_grade_cap', amount: l.capByGrade[grade] * 100, detail: `the cap for grade ${grade}`, binding: false });
  const lowest = basis.reduce((m, b) => (b.amount < m.amount ? b : m));
  lowest.binding = true;
  const step = l.roundTo * 100;
  const amount = Math.max(0, Math.floor(lowest.amount / step) * step);
  return { amount, currency: 'EUR', basis, reason: { code: lowest.code, detail: `${euros(amount)}: ${lowest.detail}` } };
}

const CONDITION_TEXT: Record<PaymentCondition, (p: ScoringPolicy, terms: number | null) => string> = {
  standard_terms: (_p, terms) => `the usual terms${terms ? ` (${terms} days)` : ''}, within the legal maximum of 60 days or 45 days end of month`,
  shorter_terms: (p) => `shorter terms: ${p.shorterTermsDays} days net`,
  deposit: (p) => `a deposit of ${p.depositShare * 100}% with the order, the balance at ${p.shorterTermsDays} days`,
  prepayment: () => 'payment before delivery only',
};

function paymentConditions(policy: ScoringPolicy, grade: Grade, limit: number, termsDays: number | null): Assessment['paymentConditions'] {
  const condition: PaymentCondition = limit === 0 ? 'prepayment' : policy.conditions[grade];
  return {
    condition,
    code: limit === 0 && policy.conditions[grade] !== 'prepayment' ? 'conditions_no_credit' : 'conditions_by_grade',
    detail: `${CONDITION_TEXT[condition](policy, termsDays)} (${limit === 0 ? 'no credit recommended' : `grade ${grade}`})`,
  };
}
