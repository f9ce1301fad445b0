import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { currencySchema, isoDateSchema, uuidSchema } from '../identifiers.js';
import type { CreditService } from './credit-service.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

const params = z.strictObject({ id: uuidSchema });
const reason = z.string().trim().min(1, 'a reason is required').max(1000, 'at most 1000 characters');

const exposureSchema = z.object({
  openReceivables: z.number().int().describe('Open invoices not yet overdue'),
  overdueReceivables: z.number().int().describe('Open invoices overdue beyond the grace days'),
  factoredReceivables: z.number().int().describe('Open invoices assigned to a factor with recourse'),
  activeHolds: z.number().int().describe('Approved orders not yet invoiced'),
  unappliedCredits: z.number().int().describe('Payments and credit notes not matched to an invoice (negative)'),
  total: z.number().int().describe('The sum of the components'),
});
const insuranceSchema = z
  .object({ insuredLimit: z.number().int(), coveragePercent: z.number(), insuredShare: z.number().int(), netExposure: z.number().int(), availableNet: z.number().int() })
  .nullable()
  .describe("An insured customer's cover: the insurer's share (coverage × the exposure up to the insured limit, rounded down) and the net exposure");
const limitSchema = z.object({
  amount: z.number().int(),
  source: z.enum(['explicit', 'policy_default']),
  reviewDate: z.string().nullable(),
  reviewDue: z.boolean(),
});

export const creditDetailSchema = z.object({
  credit: z.object({
    currency: z.string(),
    creditLimit: limitSchema,
    exposure: exposureSchema,
    factoredWithoutRecourse: z.number().int().describe('Open invoices assigned to a factor without recourse: outside the exposure'),
    insurance: insuranceSchema,
    basis: z.enum(['gross', 'net']).describe('The exposure orders are checked against (credit policy exposureBasis, for insured customers)'),
    available: z.number().int(),
    newOrders: z
      .object({ decision: z.enum(['approved', 'review', 'blocked']), reasons: z.array(z.string()) })
      .describe('What the credit rules say of a new order today: the rules that already fail whatever its amount (an order is checked against the available credit besides)'),
    blocked: z.boolean().describe('Manually or automatically blocked'),
    manualBlock: z.object({ reason: z.string().nullable(), at: z.string().nullable(), by: z.string().nullable() }).nullable(),
    autoBlock: z
      .object({ reasons: z.array(z.string()), at: z.string().nullable() })
      .nullable()
      .describe('Set by the exposure watch: over_limit, overdue_invoices, legal_proceedings'),
    riskGrade: z.string().nullable(),
    prepaymentOnly: z
      .object({ since: z.string(), reason: z.string(), caseId: z.string().nullable() })
      .nullable()
      .describe('Set when a collective proceeding opens (insolvency case): sell only against prepayment; lifted by a credit manager'),
    overdue: z.object({ amount: z.number().int(), oldestDays: z.number().int().nullable(), graceDays: z.number().int() }),
    aging: z.object({ notDue: z.number(), days1to30: z.number(), days31to60: z.number(), days61to90: z.number(), over90: z.number() }),
    paymentBehaviour: z.object({
      window: z.string(),
      daysBeyondTerms: z.number().nullable().describe('Amount-weighted average days beyond terms'),
      paydex: z.number().int().nullable().describe('1–100: 80 pays on terms, 100 thirty days early, 50 thirty days late, 20 120 days late'),
      observations: z.number().int(),
    }),
    limitSetAt: z.string().nullable(),
    limitSetBy: z.string().nullable(),
  }),
});

export function creditRoutes(service: CreditService): RouteDef[] {
  return [
    defineRoute({
      method: 'put',
      path: '/v1/customers/:id/credit-limit',
      tag: 'Credit limits',
      summary: "Set a customer's credit limit (audited)",
      description: 'A limit below the current exposure is accepted with a warning; new orders are then blocked. A limit of 0 means prepayment only.',
      roles: ['credit_manager'],
      params,
      body: z.strictObject({
        amount: z.number().int('must be an integer number of minor units').min(0, 'must be 0 or more').max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE),
        currency: currencySchema,
        reason,
        reviewDate: isoDateSchema.nullable().optional().describe('When the limit should be reviewed'),
      }),
      responses: {
        200: {
          description: 'The limit in force and the exposure against it',
          schema: z.object({
            customerId: z.string(),
            currency: z.string(),
            creditLimit: limitSchema,
            exposure: exposureSchema,
            available: z.number().int(),
            warnings: z.array(z.object({ code: z.string(), message: z.string() })),
          }),
        },
        404: { description: 'No such customer' },
      },
      handler: ({ params, body, auth }) => service.setLimit(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/block',
      tag: 'Credit limits',
      summary: 'Block new orders for a customer (audited)',
      roles: ['credit_manager'],
      params,
      body: z.strictObject({ reason }),
      responses: { 200: { description: 'Blocked' }, 409: { description: 'Already blocked' } },
      handler: ({ params, body, auth }) => service.setManualBlock(params.id, true, body.reason, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/unblock',
      tag: 'Credit limits',
      summary: 'Release a manual block (audited)',
      roles: ['credit_manager'],
      params,
      body: z.strictObject({ reason }),
      responses: { 200: { description: 'Released' }, 409: { description: 'Not blocked' } },
      handler: ({ params, body, auth }) => service.setManualBlock(params.id, false, body.reason, auth),
    }),
  ];
}
