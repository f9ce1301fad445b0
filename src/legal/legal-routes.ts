import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { CAN } from '../api-keys/roles.js';
import { uuidSchema } from '../identifiers.js';
import { closeBody, declarationBody, declaredBody, type InsolvencyService } from './insolvency-service.js';
import { openCaseBody, stepBody, type LegalCasesService } from './legal-cases-service.js';

const TAG = 'Legal';
const idParams = z.strictObject({ id: uuidSchema });
const loose = (description: string) => ({ description, schema: z.looseObject({}) });

export function legalRoutes(s: { insolvency: InsolvencyService; cases: LegalCasesService }): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/customers/:id/legal-cases',
      tag: TAG,
      summary: 'Opens an injonction de payer for chosen invoices (open, past due, not disputed, after a formal notice left unanswered): the dossier for the court of the debtor’s registered office (Cerfa 12946)',
      roles: CAN.collect,
      params: idParams,
      body: openCaseBody,
      responses: {
        201: loose('The case: court, décompte, steps, links to the dossier and the bundle'),
        400: { description: 'A field is invalid (named): an invoice unknown, settled, not due, disputed or factored; the court unknown' },
        404: { description: 'No such customer' },
        409: { description: 'No formal notice, or its deadline not passed; or the customer is in collective proceedings' },
      },
      handler: async ({ params, body, auth }) => reply(201, await s.cases.open(params.id, body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/legal-cases',
      tag: TAG,
      summary: 'Legal cases (injonctions de payer), newest first',
      roles: CAN.collect,
      query: z.strictObject({ customerId: uuidSchema.optional(), status: z.enum(['prepared', 'filed', 'order_issued', 'served', 'opposed', 'enforceable', 'paid', 'closed']).optional() }),
      responses: { 200: loose('{ items }') },
      handler: ({ query }) => s.cases.list(query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/legal-cases/:id',
      tag: TAG,
      summary: 'A legal case: court, décompte, steps and deadlines',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: loose('The case'), 404: { description: 'No such case' } },
      handler: async ({ params }) => s.cases.view(await s.cases.get(params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/legal-cases/:id/steps',
      tag: TAG,
      summary: 'Records a step (filed, order issued, served, opposed, paid, closed) with its date; the service and opposition deadlines follow',
      roles: CAN.collect,
      params: idParams,
      body: stepBody,
      responses: { 200: loose('The case'), 400: { description: 'A field is invalid (named); served after the deadline' }, 404: { description: 'No such case' }, 409: { description: 'Not a step that may follow' } },
      handler: ({ params, body, auth }) => s.cases.step(params.id, body, auth),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/legal-cases/:id/bundle',
      tag: TAG,
      summary: 'The litigation bundle as a ZIP, streamed: the dossier, the statement, the reminder log (CSV), the letters and formal notices',
      roles: CAN.collect,
      params: idParams,
      responses: { 200: { description: 'application/zip' }, 404: { description: 'No such case' } },
      // Once the archive has started, a failure can only cut the response short (the error handler does).
      handler: async ({ params, res }) => {
        await s.cases.bundle(params.id, res, (filename) => {
          res.status(200).setHeader('Content-Type', 'application/zip');
          res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
          res.flushHeaders();
        });
        return undefined;
      },
    }),
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
