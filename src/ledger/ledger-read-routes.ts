import { CAN } from '../api-keys/roles.js';
import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { uuidSchema } from '../identifiers.js';
import type { LedgerReadService } from './ledger-read-service.js';

const READ_ROLES = CAN.readLedger;

const pageQuery = {
  customerId: uuidSchema.optional(),
  cursor: z.string().max(400).optional().describe('The nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

const invoiceSchema = z.object({
  number: z.string(),
  customerId: z.string(),
  issueDate: z.string(),
  dueDate: z.string(),
  amount: z.number().int(),
  openAmount: z.number().int(),
  currency: z.string(),
  status: z.enum(['open', 'overdue', 'paid']),
  daysLate: z.number().int().describe('Days past the due date: so far when open, at settlement when paid'),
  settledOn: z.string().nullable(),
  dueDateEstimated: z.boolean().describe('The due date was derived from the customer\'s terms (FEC import)'),
  factoring: z.object({ factor: z.string(), assignedOn: z.string().nullable(), recourse: z.boolean().nullable() }).nullable().describe('Assigned to a factor (who collects it)'),
  orderId: z.string().nullable(),
  orderHold: z.object({ status: z.string(), amount: z.number().int() }).nullable(),
  allocations: z.array(z.object({ kind: z.enum(['payment', 'credit_note']), reference: z.string(), date: z.string(), amount: z.number().int(), automatic: z.boolean() })),
});

const creditSchema = z.object({
  reference: z.string(),
  customerId: z.string(),
  date: z.string(),
  amount: z.number().int(),
  unapplied: z.number().int().describe('What is not yet allocated to an invoice (it lowers exposure)'),
  currency: z.string(),
  allocations: z.array(z.object({ invoiceNumber: z.string(), amount: z.number().int(), automatic: z.boolean() })),
});

const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export function ledgerReadRoutes(service: LedgerReadService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/invoices',
      tag: 'Ledger',
      summary: 'List invoices with their allocations, days late and order hold (by due date)',
      description:
        '`status=open`: anything still owed (overdue included); `overdue`: owed and due before today less the grace days; `paid`: nothing left open.',
      roles: READ_ROLES,
      query: z.strictObject({ ...pageQuery, status: z.enum(['open', 'overdue', 'paid']).optional() }),
      responses: { 200: { description: 'A page of invoices', schema: pageOf(invoiceSchema) } },
      handler: ({ query }) => service.invoices(query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/invoices/:number',
      tag: 'Ledger',
      summary: 'One invoice by its number',
      roles: READ_ROLES,
      params: z.strictObject({ number: z.string().min(1).max(100) }),
      responses: { 200: { description: 'The invoice', schema: invoiceSchema }, 404: { description: 'No such invoice' } },
      handler: ({ params }) => service.invoice(params.number),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/payments',
      tag: 'Ledger',
      summary: 'List payments with their allocations (by date)',
      roles: READ_ROLES,
      query: z.strictObject(pageQuery),
      responses: { 200: { description: 'A page of payments', schema: pageOf(creditSchema) } },
      handler: ({ query }) => service.credits('payment', query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/credit-notes',
      tag: 'Ledger',
      summary: 'List credit notes with their allocations (by date)',
      roles: READ_ROLES,
      query: z.strictObject(pageQuery),
      responses: { 200: { description: 'A page of credit notes', schema: pageOf(creditSchema) } },
      handler: ({ query }) => service.credits('credit_note', query),
    }),
  ];
}
