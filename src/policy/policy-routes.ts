import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { PolicyService } from './policy-service.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

const policySchema = z.object({
  version: z.number().int(),
  defaultCreditLimit: z.number().int(),
  overdueGraceDays: z.number().int(),
  holdTtlHours: z.number().int(),
  autoRecheckOrders: z.boolean(),
  exposureBasis: z.enum(['gross', 'net']),
  limitFollowsCover: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
  reason: z.string(),
});

const changeBody = z.strictObject({
  defaultCreditLimit: z
    .number()
    .int('must be an integer number of minor units')
    .min(0, 'must be 0 or more (0 sends orders of customers without a limit to review)')
    .max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE),
  overdueGraceDays: z.number().int().min(0).max(365),
  holdTtlHours: z.number().int().min(1).max(8760),
  autoRecheckOrders: z
    .boolean()
    .optional()
    .describe('Re-check orders waiting (review or blocked) when a limit is raised or a payment lands (webhook event order_check.approved); left out, unchanged'),
  exposureBasis: z
    .enum(['gross', 'net'])
    .optional()
    .describe("Orders of insured customers checked against the gross exposure or the net one (less the insurer's share up to the insured limit); left out, unchanged"),
  limitFollowsCover: z.boolean().optional().describe("A cover reduced or withdrawn lowers the customer's limit to the insured limit; left out, unchanged"),
  reason: z.string().trim().min(1, 'a reason is required').max(1000),
});

export function policyRoutes(service: PolicyService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/policy',
      tag: 'Policy',
      summary: 'The credit policy in force',
      roles: ['credit_manager'],
      responses: { 200: { description: 'The policy', schema: policySchema } },
      handler: () => service.current(),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/policy',
      tag: 'Policy',
      summary: 'Change the credit policy (a new version, audited)',
      roles: [],
      body: changeBody,
      responses: { 200: { description: 'The new policy', schema: policySchema } },
      handler: ({ body, auth }) => service.change(body, auth),
    }),
  ];
}
