/** The scoring engine: pure functions, input in, result out. */
export { scoreFinancials, financialReasonCode, FINANCIAL_MODEL, type FinancialScore, type FinancialPolicy } from './financial-scorer.js';
export { ratiosFromBce, ratiosFromPolish, altmanZ2, derivedEquity, RATIO_LABELS, type CanonicalRatios, type RatioName } from './financial-ratios.js';
export type { FinancialModel } from './financial-model.js';
export { scoreLegal, type LegalScore } from './legal-scorer.js';
export { scoreFirmographics } from './firmographics-scorer.js';
export { scorePaymentBehaviour, type LedgerBehaviour } from './payment-behaviour-scorer.js';
export { paydexIndex, paydexFromDaysBeyondTerms } from './paydex-index.js';
export { assess, recommendLimit, type Assessment, type AssessmentInput } from './assessment.js';
export { DEFAULT_SCORING_POLICY, type ScoringPolicy, type Grade, type PaymentCondition } from './scoring-policy.js';
export type { CompanyFacts, ScoreReason } from './scorer-types.js';
export { auc, gini } from './metrics.js';
export { REASON_CODES, REASON_CODES_FR } from './reason-codes.js';
export { gradeInForce, DEFAULT_GRADE_HYSTERESIS_POINTS } from './grade-hysteresis.js';
