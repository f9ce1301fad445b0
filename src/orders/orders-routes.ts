import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { currencySchema, uuidSchema } from '../identifiers.js';
import type { AuthContext } from '../api-keys/roles.js';
import { DomainError } from '../errors.js';
import type { Metrics } from '../http/metrics.js';
import { REASON_ORDER } from './order-rules.js';
import type { OrderCheckInput, OrdersService } from './orders-service.js';
import { MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE } from '../identifiers.js';

const orderId = z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters');

const checkItem = z
  .strictObject({
    orderId: orderId.describe('Your order id: a retry with the same id returns the first answer'),
    customerId: uuidSchema.optional(),
    customerExternalId: z.string().trim().min(1).max(100).optional(),
    amount: z
      .number({ error: 'must be an integer number of minor units (cents)' })
      .int('must be an integer number of minor units (cents), not a decimal')
      .positive('must be more than 0')
      .max(MAX_MINOR_UNITS, MAX_MINOR_UNITS_MESSAGE),
    currency: currencySchema,
  })
  .superRefine((v, ctx) => {
    if (!v.customerId === !v.customerExternalId) {
      ctx.addIssue({ code: 'custom', path: ['customerId'], message: 'give exactly one of customerId or customerExternalId' });
    }
  });

const reasonSchema = z.object({ code: z.enum(REASON_ORDER), message: z.string() }).loose();
const checkSchema = z.object({
  orderId: z.string(),
  customerId: z.string(),
  decision: z.enum(['approved', 'review', 'blocked']),
  reasons: z.array(reasonSchema),
  amount: z.number().int(),
  currency: z.string(),
  exposure: z.number().int(),
  exposureComponents: z.object({ openReceivables: z.number(), overdueReceivables: z.number(), factoredReceivables: z.number().optional(), activeHolds: z.number(), unappliedCredits: z.number() }),
  insurance: z
    .object({ insuredLimit: z.number(), coveragePercent: z.number(), insuredShare: z.number(), netExposure: z.number(), basis: z.enum(['gross', 'net']) })
    .optional()
    .describe("An insured customer's cover when checked, and the exposure basis the rules used"),
  creditLimit: z.number().int(),
  creditLimitSource: z.enum(['explicit', 'policy_default']),
  available: z.number().int(),
  holdId: z.string().nullable(),
  holdStatus: z.enum(['none', 'active', 'consumed', 'released', 'expired']),
  holdAmount: z.number().int(),
  holdExpiresAt: z.string().nullable(),
  checkedAt: z.string(),
  policyVersion: z.number().int(),
  override: z.object({ by: z.string(), at: z.string(), reason: z.string(), originalDecision: z.string(), originalReasons: z.array(reasonSchema) }).optional(),
  declined: z.object({ by: z.string(), at: z.string(), reason: z.string() }).optional().describe('A waiting order a credit manager declined: out of the queue for good'),
  toPass: z
    .object({
      available: z.number().int().describe('The credit available now (never negative)'),
      prepaymentToCover: z.number().int().nullable().describe('Over the limit: the part of the order to be paid up front'),
      overdueToPay: z.number().int().nullable().describe('Overdue invoices: what to pay before ordering again'),
      gradeCondition: z.string().nullable().describe("The payment condition of the customer's risk grade (scoring policy)"),
    })
    .optional()
    .describe('When the order does not pass: what would make it pass'),
  snapshot: z
    .object({
      limitSetAt: z.string().nullable(),
      limitSetBy: z.string().nullable(),
      graceDays: z.number().int(),
      oldestOverdueDays: z.number().int().nullable(),
      manualBlock: z.unknown(),
      autoBlock: z.unknown(),
      collectionsBlock: z.unknown().describe('Set when collections reached the step that blocks orders'),
      riskGrade: z.string().nullable(),
      riskGradeAt: z.string().nullable(),
      assessmentId: z.string().nullable(),
      dataAgeDays: z.object({ riskGrade: z.number().int().nullable(), limit: z.number().int().nullable() }),
    })
    .describe('What the decision was made on, as it stood at the check (or the last re-check)'),
  rechecks: z
    .array(z.object({ at: z.string(), by: z.string(), previousDecision: z.string(), previousReasons: z.array(z.string()), decision: z.string(), reasons: z.array(z.string()) }))
    .optional(),
});

const orderParams = z.strictObject({ orderId });
const MAX_BATCH_CHECKS = 500;

export function ordersRoutes(service: OrdersService, metrics: Metrics): RouteDef[] {
  const check = async (input: OrderCheckInput, auth: AuthContext) => {
    const outcome = await service.check(input, auth);
    if (!outcome.replayed) metrics.orderDecisions.inc({ decision: outcome.view.decision });
    return outcome;
  };
  return [
    defineRoute({
      method: 'post',
      path: '/v1/order-checks',
      tag: 'Order checks',
      summary: 'Check an order: approved (hold placed), review or blocked, with reasons',
      description:
        `Reasons are listed in this order: ${REASON_ORDER.join(', ')}. An approved order places a hold for its amount, atomically: ` +
        'concurrent checks never jointly pass the limit. Idempotent by orderId (header Idempotent-Replayed: true on a retry); ' +
        'the same orderId with another amount, currency or customer is a 409.',
      roles: ['order_system'],
      body: checkItem,
      responses: { 200: { description: 'The decision', schema: checkSchema }, 409: { description: 'orderId reused for a different order' } },
      handler: async ({ body, auth }) => {
        const outcome = await check(body, auth);
        return reply(200, outcome.view, outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {});
      },
    }),
    defineRoute({
      method: 'post',
      path: '/v1/order-checks/batch',
      tag: 'Order checks',
      summary: `Check up to ${MAX_BATCH_CHECKS} orders, each exactly as POST /v1/order-checks would`,
      description: 'Each order is checked and held on its own, in the order given; an order that fails gets an error entry, the others are still checked.',
      roles: ['order_system'],
      bulk: true,
      body: z.strictObject({ items: z.array(checkItem).min(1).max(MAX_BATCH_CHECKS) }),
      responses: {
        200: {
          description: 'One result per order',
          schema: z.object({
            results: z.array(z.union([checkSchema.extend({ replayed: z.boolean() }), z.object({ orderId: z.string(), error: z.object({ code: z.string(), message: z.string() }) })])),
          }),
        },
      },
      handler: async ({ body, auth, req }) => {
        const outcomes = await service.checkMany(body.items, auth);
        const results = outcomes.map((outcome, i) => {
          if (!(outcome instanceof Error)) {
            if (!outcome.replayed) metrics.orderDecisions.inc({ decision: outcome.view.decision });
            return { ...outcome.view, replayed: outcome.replayed };
          }
          const orderId = body.items[i]!.orderId;
          if (outcome instanceof DomainError) return { orderId, error: { code: outcome.code, message: outcome.message } };
          // The other orders were checked and may hold credit: answer for them rather than fail the whole call.
          req.log.error({ err: outcome, orderId }, 'order check failed');
          return { orderId, error: { code: 'internal_error', message: 'This order could not be checked; send it again (checks are idempotent by orderId)' } };
        });
        return { results };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/order-checks/:orderId',
      tag: 'Order checks',
      summary: 'An order check and its hold as they are now',
      roles: ['order_system', 'credit_manager'],
      params: orderParams,
      responses: { 200: { description: 'The check', schema: checkSchema }, 404: { description: 'Never checked' } },
      handler: ({ params }) => service.get(params.orderId),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/order-checks/:orderId/release',
      tag: 'Order checks',
      summary: 'Release the hold of a cancelled order',
      roles: ['order_system', 'credit_manager'],
      params: orderParams,
      body: z.strictObject({ reason: z.string().trim().max(1000).optional() }).optional().default({}),
      responses: { 200: { description: 'The released check', schema: checkSchema }, 409: { description: 'No active hold' } },
      handler: ({ params, body, auth }) => service.release(params.orderId, body?.reason, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/order-checks/:orderId/recheck',
      tag: 'Order checks',
      summary: "Decide a blocked or review order again against today's position (audited)",
      description:
        'Same order id and amount. Approved now, the hold is placed and the webhook event `order_check.approved` is sent; the earlier answers stay in `rechecks`. An order already approved is answered as it stands (`recheck: "unchanged"`), so a retry gives the same answer.',
      roles: ['order_system', 'credit_manager'],
      params: orderParams,
      body: z.strictObject({ reason: z.string().trim().max(1000).optional() }).optional().default({}),
      responses: {
        200: { description: 'The check as it now stands', schema: checkSchema.extend({ recheck: z.enum(['rechecked', 'unchanged']) }) },
        404: { description: 'Never checked' },
      },
      handler: ({ params, body, auth }) => service.recheck(params.orderId, body?.reason ?? null, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/order-checks/:orderId/override',
      tag: 'Order checks',
      summary: 'Approve one order sent to review or blocked (credit manager, audited)',
      roles: ['credit_manager'],
      params: orderParams,
      body: z.strictObject({ reason: z.string().trim().min(1, 'a reason is required').max(1000) }),
      responses: { 200: { description: 'The approved check', schema: checkSchema }, 409: { description: 'Already approved' } },
      handler: ({ params, body, auth }) => service.override(params.orderId, body.reason, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/order-checks/:orderId/decline',
      tag: 'Order checks',
      summary: 'Decline one order waiting in review or blocked (credit manager, audited): it leaves the queue for good',
      description: 'Re-checks and overrides leave a declined order as it is (override: 409 `order_declined`); declining it again answers the same. An approved order is not declined: release its hold.',
      roles: ['credit_manager'],
      params: orderParams,
      body: z.strictObject({ reason: z.string().trim().min(1, 'a reason is required').max(1000) }),
      responses: { 200: { description: 'The declined check', schema: checkSchema }, 404: { description: 'Never checked' }, 409: { description: 'Approved already' } },
      handler: ({ params, body, auth }) => service.decline(params.orderId, body.reason, auth),
    }),
  ];
}
