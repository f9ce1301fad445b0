import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { uuidSchema } from '../identifiers.js';
import type { AlertsService } from './alerts-service.js';

export const ALERT_TYPES = ['legal_event', 'grade_downgrade', 'grade_upgrade', 'limit_exceeded', 'overdue', 'auto_blocked', 'auto_unblocked', 'limit_review_due', 'source_stale', 'sanction_published', 'promise_broken', 'installment_late', 'formal_notice_due', 'dispute_opened', 'email_failed', 'insolvency_opened', 'claim_deadline', 'cover_reduced', 'insurer_claim_due', 'legal_case_deadline', 'company_identity_incomplete', 'late_payment_rate_missing'] as const;
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

const alertSchema = z.object({
  id: z.string(),
  type: z.enum(ALERT_TYPES),
  severity: z.enum(SEVERITIES),
  status: z.enum(['open', 'acknowledged', 'resolved']),
  customerId: z.string().nullable(),
  message: z.string(),
  data: z.unknown().describe('What triggered it'),
  evidence: z.unknown().describe('Where to check it: source, announcement id, statement date'),
  occurrences: z.number().int().describe('How many runs saw this situation'),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  acknowledged: z.object({ at: z.string(), by: z.string().nullable() }).nullable(),
  resolved: z.object({ at: z.string(), by: z.string().nullable() }).nullable(),
  comment: z.string().nullable(),
});

export function alertsRoutes(service: AlertsService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/alerts',
      tag: 'Alerts',
      summary: 'Alerts, newest first, with filters',
      roles: ['credit_manager'],
      query: z.strictObject({
        status: z.enum(['open', 'acknowledged', 'resolved']).optional(),
        severity: z.enum(SEVERITIES).optional(),
        type: z.enum(ALERT_TYPES).optional(),
        customerId: uuidSchema.optional(),
        cursor: z.string().regex(/^\d{1,18}$/, 'a cursor returned as nextCursor').optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50),
      }),
      responses: { 200: { description: 'A page of alerts', schema: z.object({ items: z.array(alertSchema), nextCursor: z.string().nullable() }) } },
      handler: ({ query }) =>
        service.list({
          status: query.status,
          severity: query.severity,
          type: query.type,
          customerId: query.customerId,
          afterSeq: query.cursor === undefined ? undefined : Number(query.cursor),
          limit: query.limit,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/alerts/:id',
      tag: 'Alerts',
      summary: 'One alert',
      roles: ['credit_manager'],
      params: z.strictObject({ id: uuidSchema }),
      responses: { 200: { description: 'The alert', schema: alertSchema }, 404: { description: 'Unknown alert' } },
      handler: ({ params }) => service.get(params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/alerts/:id/ack',
      tag: 'Alerts',
      summary: 'Acknowledge an alert, or resolve it (`resolve: true`), with a comment (audited)',
      roles: ['credit_manager'],
      params: z.strictObject({ id: uuidSchema }),
      body: z.strictObject({
        comment: z.string().trim().min(1, 'a comment is required').max(2000),
        resolve: z.boolean().default(false),
      }),
      responses: { 200: { description: 'The alert', schema: alertSchema }, 404: { description: 'Unknown alert' }, 409: { description: 'Already resolved' } },
      handler: ({ params, body, auth }) => service.acknowledge(params.id, body, auth),
    }),
  ];
}
