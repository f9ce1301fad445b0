import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { DB, WebhookDeliveriesTable, WebhooksTable } from '../db/schema.js';

export type WebhookRow = Selectable<WebhooksTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;

/** Webhook subscriptions and their deliveries (the outbox itself is WebhookOutboxStore). */
export class WebhooksStore {
  constructor(private readonly db: Kysely<DB>) {}

  insert(row: { url: string; description: string | null; secret: string; alert_types: string[]; created_by: string }, trx: Transaction<DB>): Promise<WebhookRow> {
    return trx.insertInto('webhooks').values(row).returningAll().executeTakeFirstOrThrow();
  }

  list(): Promise<WebhookRow[]> {
    return this.db.selectFrom('webhooks').selectAll().orderBy('created_at').execute();
  }

  async exists(id: string): Promise<boolean> {
    return (await this.db.selectFrom('webhooks').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
  }

  /** Deactivates an active subscription (undefined when there is none) and fails its pending deliveries. */
  async deactivate(id: string, trx: Transaction<DB>): Promise<WebhookRow | undefined> {
    const row = await trx.updateTable('webhooks').set({ active: false }).where('id', '=', id).where('active', '=', true).returningAll().executeTakeFirst();
    if (row) {
      await trx.updateTable('webhook_deliveries').set({ status: 'failed', last_error: 'subscription removed' }).where('webhook_id', '=', id).where('status', '=', 'pending').execute();
    }
    return row;
  }

  deliveries(webhookId: string, filter: { status?: DeliveryRow['status']; limit: number }): Promise<DeliveryRow[]> {
    let q = this.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId).orderBy('seq', 'desc').limit(filter.limit);
    if (filter.status) q = q.where('status', '=', filter.status);
    return q.execute();
  }

  /**
   * The deliveries due now, leased (their next attempt pushed out to `leaseUntil`) so that several
   * workers never send the same one at once; with their subscription's URL and secret.
   */
  async leaseDue(now: Date, leaseUntil: Date, limit: number): Promise<Array<DeliveryRow & { url: string; secret: string }>> {
    const { rows } = await sql<DeliveryRow & { url: string; secret: string }>`
      WITH due AS (
        SELECT id FROM webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= ${now}
         ORDER BY next_attempt_at
         LIMIT ${limit}
         FOR UPDATE SKIP LOCKED
      )
      UPDATE webhook_deliveries d SET next_attempt_at = ${leaseUntil}
        FROM due, webhooks w
       WHERE d.id = due.id AND w.id = d.webhook_id
      RETURNING d.*, w.url, w.secret`.execute(this.db);
    return rows;
  }

  async recordAttempt(id: string, patch: Updateable<WebhookDeliveriesTable>): Promise<void> {
    await this.db.updateTable('webhook_deliveries').set(patch).where('id', '=', id).execute();
  }
}
