import { z } from 'zod';
import type { ScoringPolicy } from '../../scorers/scoring-policy.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

const logOdds = z.number().min(-10).max(10);
const share = z.number().min(0).max(1);
const euros = z.number().int().min(0).max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE);
const days = z.number().int().min(0).max(3650);
const byGrade = <T extends z.ZodType>(t: T) => z.strictObject({ A: t, B: t, C: t, D: t });
const condition = z.enum(['standard_terms', 'shorter_terms', 'deposit', 'prepayment']);

/** The scoring policy document; every number bounded so a typo cannot turn the engine upside down. */
export const scoringPolicySchema = z
  .strictObject({
    baseDefaultRate12m: z.number().gt(0).lt(1),
    scale: z.strictObject({ baseScore: z.number().min(0).max(100), pointsToDoubleOdds: z.number().gt(0).max(100) }),
    gradeFloors: byGrade(z.number().min(0).max(100)),
    gradeHysteresisPoints: z.number().min(0).max(20).optional().describe('Points a score must pass a grade boundary by before the grade moves (default 3)'),
    weights: z.strictObject({ financial: share.max(5), legal: share.max(5), firmographics: share.max(5), paymentBehaviour: share.max(5) }),
    legal: z.strictObject({
      recentRadiationMonths: days,
      recentRadiation: logOdds,
      underPlan: logOdds,
      accountsLateAfterMonths: days,
      accountsLate: logOdds,
      sanctionMonths: days,
      latePaymentSanction: logOdds,
    }),
    firmographics: z.strictObject({
      youngUnderYears: days,
      young: logOdds,
      establishedOverYears: days,
      established: logOdds,
      noEmployee: logOdds,
      tenOrMoreEmployees: logOdds,
      entrepreneurIndividuel: logOdds,
      riskySectors: z.array(z.string().regex(/^\d{2}$/, 'a NAF division: two digits')).max(100),
      riskySector: logOdds,
    }),
    paymentBehaviour: z.strictObject({
      onTermsUpToDays: z.number().int().min(-365).max(365),
      onTerms: logOdds,
      lateOverDays: days,
      late: logOdds,
      veryLateOverDays: days,
      veryLate: logOdds,
      overdueShareOver: share,
      overdueShare: logOdds,
      trendDays: days,
      worsening: logOdds,
      improving: logOdds,
    }),
    limit: z.strictObject({
      equityShare: byGrade(share),
      turnoverShare: byGrade(share),
      capByGrade: byGrade(euros),
      withoutFinancials: byGrade(euros),
      roundTo: z.number().int().min(1).max(1_000_000),
    }),
    conditions: z.strictObject({ A: condition, B: condition, C: condition, D: condition, E: condition, X: condition }),
    shorterTermsDays: z.number().int().min(0).max(60),
    depositShare: share,
  })
  .superRefine((p, ctx) => {
    const f = p.gradeFloors;
    if (!(f.A > f.B && f.B > f.C && f.C > f.D)) ctx.addIssue({ code: 'custom', path: ['gradeFloors'], message: 'must decrease from A to D' });
  }) satisfies z.ZodType<ScoringPolicy>;

export const scoringPolicyVersionSchema = z.object({
  version: z.number().int(),
  policy: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  createdBy: z.string(),
  reason: z.string(),
});
