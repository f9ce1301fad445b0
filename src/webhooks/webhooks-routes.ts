import { z } from 'zod';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { uuidSchema } from '../identifiers.js';
import { ALERT_TYPES } from '../alerts/alerts-routes.js';
import { WEBHOOK_EVENTS } from './webhook-outbox-store.js';

import type { WebhooksService } from './webhooks-service.js';

/** What a subscription may name: alert types and events. */
export const SUBSCRIBABLE = [...ALERT_TYPES, ...WEBHOOK_EVENTS] as const;
/** A new subscription, as the API and the settings page take it. */
export const createWebhookBody = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  description: z.string().trim().max(500).optional(),
  alertTypes: z
    .array(z.enum(SUBSCRIBABLE))
    .max(SUBSCRIBABLE.length)
    .default([])
    .describe('Alert types and events (order_check.approved) to receive; empty: every one'),
});

const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  alertTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: z.string(),
  createdBy: z.string(),
});

export function webhooksRoutes(service: WebhooksService): RouteDef[] {
  const params = z.strictObject({ id: uuidSchema });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/webhooks',
      tag: 'Webhooks',
      summary: 'Subscribe a URL to alerts (admin). The signing secret is returned once.',
      description: 'Each delivery is a POST of `{"event":"alert.<type>","alert":{…}}` with the headers `Vigie-Event`, `Vigie-Delivery` (an id to deduplicate on) and `Vigie-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. A non-2xx answer or a timeout is retried with backoff for 24 hours.',
      roles: [],
      body: createWebhookBody,
      responses: { 201: { description: 'The subscription, with its secret', schema: webhookSchema.extend({ secret: z.string() }) } },
      handler: async ({ body, auth }) => reply(201, await service.create(body, auth)),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhooks',
      tag: 'Webhooks',
      summary: 'Webhook subscriptions (admin)',
      roles: [],
      responses: { 200: { description: 'Subscriptions', schema: z.object({ items: z.array(webhookSchema) }) } },
      handler: () => service.list(),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/webhooks/:id',
      tag: 'Webhooks',
      summary: 'Remove a subscription (admin); its pending deliveries are not sent',
      roles: [],
      params,
      responses: { 204: { description: 'Removed' }, 404: { description: 'Unknown or already removed' } },
      handler: async ({ params, auth }) => {
        await service.remove(params.id, auth);
        return reply(204, undefined);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/webhooks/:id/deliveries',
      tag: 'Webhooks',
      summary: 'The delivery log of a subscription, newest first (admin)',
      roles: [],
      params,
      query: z.strictObject({ status: z.enum(['pending', 'delivered', 'failed']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      responses: { 200: { description: 'Deliveries' } },
      handler: ({ params, query }) => service.deliveries(params.id, query),
    }),
  ];
}
