import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { CAN, ROLES } from './roles.js';
import type { ApiKeysService } from './api-keys-service.js';

const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  role: z.enum(ROLES),
  prefix: z.string(),
  createdAt: z.string(),
  createdBy: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const createKeyBody = z.strictObject({
  name: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'at most 100 characters')
    .describe('Who uses the key; recorded as the actor in the audit log'),
  role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
});

export function apiKeysRoutes(service: ApiKeysService): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/api-keys',
      tag: 'API keys',
      summary: 'Create an API key (the secret is shown once)',
      roles: CAN.manageKeys,
      body: createKeyBody,
      responses: { 201: { description: 'The key and its secret', schema: z.object({ key: z.string(), apiKey: apiKeySchema }) } },
      handler: async ({ body, auth }) => reply(201, await service.create(body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/api-keys',
      tag: 'API keys',
      summary: 'List API keys (never their secrets)',
      roles: CAN.manageKeys,
      query: z.strictObject({ includeRevoked: z.enum(['true', 'false']).default('false') }),
      responses: { 200: { description: 'The keys', schema: z.object({ items: z.array(apiKeySchema) }) } },
      handler: async ({ query }) => ({ items: await service.list(query.includeRevoked === 'true') }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/api-keys/:id',
      tag: 'API keys',
      summary: 'Revoke an API key',
      roles: CAN.manageKeys,
      params: z.strictObject({ id: z.uuid('must be a UUID') }),
      responses: { 200: { description: 'The revoked key', schema: apiKeySchema }, 404: { description: 'No such key' } },
      handler: ({ params, auth }) => service.revoke(params.id, auth),
    }),
  ];
}
