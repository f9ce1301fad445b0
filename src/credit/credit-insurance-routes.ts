import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { CAN } from '../api-keys/roles.js';
import { uuidSchema } from '../identifiers.js';
import { coverBody, factoringBody, reasonBody, type CreditInsuranceService } from './credit-insurance-service.js';

const TAG = 'Credit insurance and factoring';
const customerParams = z.strictObject({ id: uuidSchema });
const invoiceParams = z.strictObject({ number: z.string().min(1).max(100) });
const loose = (description: string) => ({ description, schema: z.looseObject({}) });

export function creditInsuranceRoutes(s: CreditInsuranceService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id/credit-insurance',
      tag: TAG,
      summary: "A customer's credit-insurance cover: insurer, coverage, insured limit and its decisions, claim deadline",
      roles: [...CAN.readCustomers],
      params: customerParams,
      responses: { 200: loose('The cover with the history of decisions'), 404: { description: 'No cover for this customer' } },
      handler: ({ params }) => s.get(params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/customers/:id/credit-insurance',
      tag: TAG,
      summary: "Records the insurer's decision on a customer (agreed, reduced, withdrawn), audited; less cover raises cover_reduced and, by policy, lowers the limit",
      roles: ['credit_manager'],
      params: customerParams,
      body: coverBody,
      responses: { 200: loose('The cover, and the limit lowered if it was'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such customer' } },
      handler: ({ params, body, auth }) => s.put(params.id, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/invoices/:number/factoring',
      tag: TAG,
      summary: 'Assigns an invoice to a factor (with or without recourse), audited: it leaves dunning and is shown apart in the exposure',
      roles: ['credit_manager'],
      params: invoiceParams,
      body: factoringBody,
      responses: { 200: loose('The invoice and its factor'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such invoice' }, 409: { description: 'Already assigned' } },
      handler: ({ params, body, auth }) => s.factor(params.number, body, auth),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/invoices/:number/factoring/end',
      tag: TAG,
      summary: 'The factor handed the invoice back (audited): it counts as ours again',
      roles: ['credit_manager'],
      params: invoiceParams,
      body: reasonBody,
      responses: { 200: loose('The invoice'), 404: { description: 'No such invoice' }, 409: { description: 'Not assigned to a factor' } },
      handler: ({ params, body, auth }) => s.unfactor(params.number, body, auth),
    }),
  ];
}
