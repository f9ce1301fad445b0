import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { AuditService } from './audit-service.js';

const entrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string(),
  customerId: z.string().nullable(),
  oldValue: z.unknown(),
  newValue: z.unknown(),
  reason: z.string().nullable(),
});

/** Read-only: there is no route that edits or deletes an audit entry, and the table refuses it too. */
export function auditRoutes(service: AuditService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/audit',
      tag: 'Audit',
      summary: 'The audit log, newest first',
      roles: ['credit_manager'],
      query: z.strictObject({
        customerId: z.uuid('must be a UUID').optional(),
        entityType: z.string().max(50).optional(),
        entityId: z.string().max(200).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
        cursor: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
      }),
      responses: { 200: { description: 'Entries', schema: z.object({ items: z.array(entrySchema), nextCursor: z.string().nullable() }) } },
      handler: ({ query }) => service.list(query),
    }),
  ];
}
