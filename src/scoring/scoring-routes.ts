import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { sirenSchema, uuidSchema } from '../identifiers.js';
import type { AssessmentsService } from './assessments-service.js';
import type { ScoringPolicyService } from './scoring-policy-service.js';
import { scoringPolicySchema, scoringPolicyVersionSchema } from './scoring-policy-schemas.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

const monthlyPurchases = z.coerce
  .number()
  .int('must be an integer number of euro cents')
  .min(0)
  .max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE)
  .describe('Expected purchases a month, in euro cents: the customer-needs bound of the limit');
const termsDays = z.coerce.number().int().min(0).max(120).describe('Payment terms in days (end-of-month terms: add about 15)');

const reasonSchema = z.object({
  code: z.string(),
  scorer: z.string(),
  points: z.number().describe('Score points: positive = safer'),
  logOdds: z.number().describe('Log-odds of default added: positive = riskier'),
  detail: z.string(),
  evidence: z.object({ source: z.string(), id: z.string().optional(), date: z.string().optional(), url: z.string().nullable().optional() }).optional(),
});

const assessmentSchema = z.object({
  siren: z.string(),
  asOf: z.string(),
  company: z.object({ name: z.string().nullable(), status: z.string().nullable() }),
  customerId: z.string().nullable(),
  score: z.number().int().describe('0–100, higher = safer'),
  grade: z.enum(['A', 'B', 'C', 'D', 'E', 'X']).describe('A very low risk … E very high; X ceased or in collective proceedings'),
  probabilityOfDefault12m: z.number(),
  confidence: z.object({ level: z.enum(['high', 'medium', 'low']), value: z.number(), missing: z.array(z.string()) }),
  recommendedLimit: z.object({
    amount: z.number().int().describe('Euro cents'),
    currency: z.literal('EUR'),
    basis: z.array(z.object({ code: z.string(), amount: z.number().int(), detail: z.string(), binding: z.boolean() })),
    reason: z.object({ code: z.string(), detail: z.string() }),
  }),
  paymentConditions: z.object({ condition: z.enum(['standard_terms', 'shorter_terms', 'deposit', 'prepayment']), code: z.string(), detail: z.string() }),
  reasons: z.array(reasonSchema),
  financial: z.object({ modelVersion: z.string().nullable(), coverage: z.number(), missing: z.array(z.string()), logOdds: z.number(), statementDate: z.string().nullable() }),
  legal: z.object({ proceedings: z.unknown(), ceased: z.unknown() }),
  policyVersion: z.number().int(),
  freshness: z.array(z.unknown()),
  inputsHash: z.string(),
});

export function scoringRoutes(assessments: AssessmentsService, policies: ScoringPolicyService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/companies/:siren/assessment',
      tag: 'Scoring',
      summary: 'Assess a company: score, grade, probability of default, recommended limit and payment conditions, with every reason',
      description:
        'Reads the stored source answers within their TTL and refreshes stale ones within the sources\' rate limits (`refresh=true` forces it). When the SIREN is a customer, its payment behaviour in the ledger counts too. Nothing is recorded: see POST /v1/customers/{id}/assessments.',
      roles: ['sales', 'credit_manager'],
      params: z.strictObject({ siren: sirenSchema }),
      query: z.strictObject({
        refresh: z.enum(['true', 'false']).default('false'),
        expectedMonthlyPurchases: monthlyPurchases.optional(),
        termsDays: termsDays.optional(),
      }),
      responses: { 200: { description: 'The assessment', schema: assessmentSchema }, 404: { description: 'Unknown SIREN' }, 503: { description: 'The registry cannot be reached and nothing is stored' } },
      handler: ({ params, query }) =>
        assessments.assessCompany(params.siren, { refresh: query.refresh === 'true', monthlyPurchases: query.expectedMonthlyPurchases, termsDays: query.termsDays }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/assessments',
      tag: 'Scoring',
      summary: "Assess a customer and record it: its grade becomes the one order checks use (a change is audited)",
      roles: ['credit_manager'],
      params: z.strictObject({ id: uuidSchema }),
      body: z.strictObject({ expectedMonthlyPurchases: monthlyPurchases.optional(), refresh: z.boolean().default(false) }).default({ refresh: false }),
      responses: {
        201: {
          description: 'The recorded assessment, with what changed since the previous one',
          schema: assessmentSchema.extend({
            id: z.string(),
            assessedAt: z.string(),
            createdBy: z.string(),
            change: z.object({
              previousGrade: z.string().nullable(),
              direction: z.enum(['upgrade', 'downgrade', 'unchanged', 'first']),
              newReasons: z.array(z.string()),
              goneReasons: z.array(z.string()),
            }),
          }),
        },
        404: { description: 'Unknown customer or SIREN' },
      },
      handler: async ({ params, body, auth }) =>
        reply(201, await assessments.recordForCustomer(params.id, { refresh: body.refresh, monthlyPurchases: body.expectedMonthlyPurchases }, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id/assessments',
      tag: 'Scoring',
      summary: "A customer's assessments, newest first: how its grade moved, and why",
      roles: ['sales', 'credit_manager'],
      params: z.strictObject({ id: uuidSchema }),
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) }),
      responses: { 200: { description: 'The history' } },
      handler: async ({ params, query }) => ({ items: await assessments.history(params.id, query.limit) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/scoring-policy',
      tag: 'Scoring',
      summary: 'The scoring policy in force: scale, grade boundaries, points, limit rule and conditions by grade',
      roles: ['credit_manager'],
      responses: { 200: { description: 'The policy', schema: scoringPolicyVersionSchema } },
      handler: () => policies.current(),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/scoring-policy',
      tag: 'Scoring',
      summary: 'Change the scoring policy (admin; a new version, audited)',
      roles: [],
      body: z.strictObject({ policy: scoringPolicySchema, reason: z.string().trim().min(1, 'a reason is required').max(1000) }),
      responses: { 200: { description: 'The new version', schema: scoringPolicyVersionSchema } },
      handler: ({ body, auth }) => policies.change(body.policy, body.reason, auth),
    }),
  ];
}
