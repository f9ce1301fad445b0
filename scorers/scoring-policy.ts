/**
 * What an admin can tune without touching code: the scale, the grade boundaries, the points of
 * the rule-based scorers (log-odds of default; positive = riskier), the limit rule and the
 * payment conditions by grade. Stored versioned; this is version 1.
 */
export type Grade = 'A' | 'B' | 'C' | 'D' | 'E' | 'X';
export type PaymentCondition = 'standard_terms' | 'shorter_terms' | 'deposit' | 'prepayment';

export interface ScoringPolicy {
  /** 12-month default rate of an average company: the score of a company with nothing remarkable. */
  baseDefaultRate12m: number;
  /** Score of a company at the base rate, and the points that halve its odds of default. */
  scale: { baseScore: number; pointsToDoubleOdds: number };
  /** Lowest score of grades A–D (below D's is E). */
  gradeFloors: { A: number; B: number; C: number; D: number };
  /**
   * Points by which a score must cross a grade boundary before the grade in force moves, so that a
   * score wobbling around a boundary does not alert at every re-score (absent: 3).
   */
  gradeHysteresisPoints?: number;
  weights: { financial: number; legal: number; firmographics: number; paymentBehaviour: number };
  legal: {
    recentRadiationMonths: number;
    recentRadiation: number;
    /** A company under a plan (sauvegarde or redressement) that is not closed. */
    underPlan: number;
    accountsLateAfterMonths: number;
    accountsLate: number;
    sanctionMonths: number;
    latePaymentSanction: number;
  };
  firmographics: {
    youngUnderYears: number;
    young: number;
    establishedOverYears: number;
    established: number;
    noEmployee: number;
    tenOrMoreEmployees: number;
    entrepreneurIndividuel: number;
    /** NAF divisions (first two digits) with higher failure rates: construction, hospitality, road transport… */
    riskySectors: string[];
    riskySector: number;
  };
  paymentBehaviour: {
    onTermsUpToDays: number;
    onTerms: number;
    lateOverDays: number;
    late: number;
    veryLateOverDays: number;
    veryLate: number;
    overdueShareOver: number;
    overdueShare: number;
    trendDays: number;
    worsening: number;
    improving: number;
  };
  limit: {
    equityShare: Record<'A' | 'B' | 'C' | 'D', number>;
    turnoverShare: Record<'A' | 'B' | 'C' | 'D', number>;
    /** Euros. */
    capByGrade: Record<'A' | 'B' | 'C' | 'D', number>;
    /** Euros: the most a company without published accounts gets. */
    withoutFinancials: Record<'A' | 'B' | 'C' | 'D', number>;
    /** Euros: limits are rounded down to this step. */
    roundTo: number;
  };
  conditions: Record<Grade, PaymentCondition>;
  /** Days of terms suggested with `shorter_terms`. */
  shorterTermsDays: number;
  depositShare: number;
}

export const DEFAULT_SCORING_POLICY: ScoringPolicy = {
  baseDefaultRate12m: 0.015,
  scale: { baseScore: 55, pointsToDoubleOdds: 12 },
  gradeFloors: { A: 75, B: 60, C: 45, D: 30 },
  gradeHysteresisPoints: 3,
  weights: { financial: 1, legal: 1, firmographics: 1, paymentBehaviour: 1 },
  legal: {
    recentRadiationMonths: 12,
    recentRadiation: 2,
    underPlan: 1.5,
    accountsLateAfterMonths: 19,
    accountsLate: 0.5,
    sanctionMonths: 36,
    latePaymentSanction: 0.7,
  },
  firmographics: {
    youngUnderYears: 3,
    young: 0.6,
    establishedOverYears: 10,
    established: -0.4,
    noEmployee: 0.3,
    tenOrMoreEmployees: -0.3,
    entrepreneurIndividuel: 0.3,
    riskySectors: ['41', '43', '49', '55', '56'],
    riskySector: 0.3,
  },
  paymentBehaviour: {
    onTermsUpToDays: 0,
    onTerms: -0.4,
    lateOverDays: 15,
    late: 0.7,
    veryLateOverDays: 45,
    veryLate: 1.5,
    overdueShareOver: 0.5,
    overdueShare: 0.5,
    trendDays: 10,
    worsening: 0.4,
    improving: -0.2,
  },
  limit: {
    equityShare: { A: 0.1, B: 0.08, C: 0.05, D: 0.02 },
    turnoverShare: { A: 0.03, B: 0.02, C: 0.01, D: 0.005 },
    capByGrade: { A: 500_000, B: 250_000, C: 100_000, D: 25_000 },
    withoutFinancials: { A: 15_000, B: 10_000, C: 5_000, D: 2_000 },
    roundTo: 500,
  },
  conditions: { A: 'standard_terms', B: 'standard_terms', C: 'shorter_terms', D: 'deposit', E: 'prepayment', X: 'prepayment' },
  shorterTermsDays: 30,
  depositShare: 0.3,
};
