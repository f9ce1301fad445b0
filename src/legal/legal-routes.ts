import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { CAN } from '../api-keys/roles.js';
import { uuidSchema } from '../identifiers.js';
import { closeBody, declarationBody, declaredBody, type InsolvencyService } from './insolvency-service.js';

const TAG = 'Legal';
const idParams = z.strictObject({ id: uuidSchema });
const loose = (description: string) => ({ description, schema: z.looseObject({}) });

export function legalRoutes(s: { insolvency: InsolvencyService }): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/insolvency-cases',
      tag: TAG,
      summary: 'Collective proceedings of customers: each case with its judgment, mandataire, deadline to declare and status',
      roles: CAN.collect,
      query: z.strictObject({ customerId: uuidSchema.optional(), status: z.enum(['to_declare', 'declared', 'closed']).optional() }),
      responses: { 200: loose('{ items }') },
      handler: async ({ query }) => ({ items: await s.insolvency.list(query) }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/insolvency-cases/:id',
      tag: TAG,
      summary: 'A case, with the claims split at the judgment date (to declare, with penalties to the day before; born after it)',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The case and its claims'), 404: { description: 'No such case' } },
      handler: ({ params }) => s.insolvency.detail(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/insolvency-cases/:id/declaration',
      tag: TAG,
      summary: 'Drafts the déclaration de créance again with a mandataire, a creditor abroad (4 months) or goods under retention of title (audited)',
      roles: CAN.collect,
      params: idParams,
      body: declarationBody,
      responses: { 200: loose('The case, its new deadline and declaration'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such case' }, 409: { description: 'Already declared or closed' } },
      handler: ({ params, body, auth }) => s.insolvency.redraft(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/insolvency-cases/:id/declared',
      tag: TAG,
      summary: 'Records that the claim was declared (date, registered letter or e-filing reference): reminders stop',
      roles: CAN.collect,
      params: idParams,
      body: declaredBody,
      responses: { 200: loose('The case'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such case' }, 409: { description: 'Already declared or closed' } },
      handler: ({ params, body, auth }) => s.insolvency.declared(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/insolvency-cases/:id/close',
      tag: TAG,
      summary: 'Closes a case (the proceeding ended), with a reason (audited)',
      roles: ['credit_manager'],
      params: idParams,
      body: closeBody,
      responses: { 200: loose('The case'), 404: { description: 'No such case' }, 409: { description: 'Already closed' } },
      handler: ({ params, body, auth }) => s.insolvency.close(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/prepayment-only/lift',
      tag: TAG,
      summary: 'Lifts the prepayment-only mark a collective proceeding set, with a reason (audited)',
      roles: ['credit_manager'],
      params: idParams,
      body: closeBody,
      responses: { 200: loose('{ customerId, prepaymentOnly: null }'), 404: { description: 'No such customer' }, 409: { description: 'Not prepayment-only' } },
      handler: ({ params, body, auth }) => s.insolvency.liftPrepayment(params.id, body, auth),
    }),
  ];
}
