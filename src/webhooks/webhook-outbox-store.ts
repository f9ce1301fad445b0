import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/** Events that are not alerts, which webhooks can subscribe to beside the alert types. */
export const WEBHOOK_EVENTS = ['order_check.approved'] as const;

export interface OutboxEvent {
  /** The alert behind it, if it is one. */
  alertId: string | null;
  /** An alert type or one of WEBHOOK_EVENTS: what subscriptions filter on. */
  eventType: string;
  body: unknown;
}

/**
 * The webhook outbox: one delivery per event and matching active subscription, written in the
 * transaction of the change it reports, so no subscriber misses it (WebhooksService sends them).
 */
export class WebhookOutboxStore {
  async enqueue(events: readonly OutboxEvent[], now: Date, trx: Kysely<DB> | Transaction<DB>): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e) => ({ alert_id: e.alertId, event_type: e.eventType, body: JSON.stringify(e.body) }));
    await sql`
      INSERT INTO webhook_deliveries (webhook_id, alert_id, event_type, body, next_attempt_at, created_at)
      SELECT w.id, e.alert_id, e.event_type, e.body, ${now}::timestamptz, ${now}::timestamptz
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS e(alert_id uuid, event_type text, body text)
        JOIN webhooks w ON w.active AND (cardinality(w.alert_types) = 0 OR e.event_type = ANY (w.alert_types))`.execute(trx);
  }
}
