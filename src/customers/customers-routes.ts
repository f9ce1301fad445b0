import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { CAN } from '../api-keys/roles.js';
import type { CustomersService } from './customers-service.js';
import {
  createCustomerBody,
  customerIdParams,
  customerPageSchema,
  customerSchema,
  listCustomersQuery,
  updateCustomerBody,
} from './customers-schemas.js';

export interface CustomerDetailProvider {
  /** Extra sections for GET /v1/customers/{id} (credit, exposure, behaviour) contributed by other features. */
  (customerId: string): Promise<Record<string, unknown>>;
}

export function customersRoutes(service: CustomersService, detail?: { schema: z.ZodObject; provide: CustomerDetailProvider }): RouteDef[] {
  const detailSchema = detail ? customerSchema.extend(detail.schema.shape) : customerSchema;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/customers',
      tag: 'Customers',
      summary: 'Create a customer',
      roles: CAN.manageCustomers,
      body: createCustomerBody,
      responses: {
        201: { description: 'Created', schema: customerSchema },
        409: { description: 'externalId already used' },
      },
      handler: async ({ body }) => {
        const created = await service.create(body);
        return reply(201, created, { Location: `/v1/customers/${created.id}` });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers',
      tag: 'Customers',
      summary: 'List customers (filters, cursor pagination)',
      roles: CAN.readCustomers,
      query: listCustomersQuery,
      responses: { 200: { description: 'A page of customers', schema: customerPageSchema } },
      handler: ({ query }) => service.list(query),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/customers/:id',
      tag: 'Customers',
      summary: 'A customer, with its credit position',
      roles: CAN.readCustomers,
      params: customerIdParams,
      responses: { 200: { description: 'The customer', schema: detailSchema }, 404: { description: 'No such customer' } },
      handler: async ({ params }) => {
        const customer = await service.get(params.id);
        return detail ? { ...customer, ...(await detail.provide(params.id)) } : customer;
      },
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/customers/:id',
      tag: 'Customers',
      summary: 'Change a customer',
      roles: CAN.manageCustomers,
      params: customerIdParams,
      body: updateCustomerBody,
      responses: {
        200: { description: 'The updated customer', schema: customerSchema },
        404: { description: 'No such customer' },
        409: { description: 'externalId already used' },
      },
      handler: ({ params, body }) => service.update(params.id, body),
    }),
  ];
}
