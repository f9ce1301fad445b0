import type { Agenda } from 'agenda';
import { recorded, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const DELIVER_WEBHOOKS = 'deliver-webhooks';

/** Webhook deliveries that are due, sent (each leased first, so workers never send one twice). */
export function defineDeliverWebhooks(agenda: Agenda, deps: JobDefinitionDeps & { webhooks: { deliverDue(limit?: number): Promise<JobCounts> } }): void {
  agenda.define(DELIVER_WEBHOOKS, recorded(DELIVER_WEBHOOKS, deps, () => deps.webhooks.deliverDue()), { concurrency: 1, lockLimit: 1 });
}
