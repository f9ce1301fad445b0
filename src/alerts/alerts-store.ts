import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { AlertsTable, AlertType, DB, Severity } from '../db/schema.js';

export type Executor = Kysely<DB> | Transaction<DB>;
export type AlertRow = Selectable<AlertsTable>;

export interface NewAlertRow {
  type: AlertType;
  severity: Severity;
  customer_id: string | null;
  dedupe_key: string;
  message: string;
  data: unknown;
  evidence: unknown;
  /** An event, not a state: once resolved, never raised again. */
  once: boolean;
}

/** The alerts table: deduplicated inserts (one open alert per situation), reads, and status changes. */
export class AlertsStore {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * Inserts each alert, or counts one more sighting of its open one, set-based; an event alert
   * (`once`) that was resolved is not raised again. Rows come back with `inserted`.
   */
  async upsert(alerts: readonly NewAlertRow[], now: Date, trx: Executor): Promise<Array<AlertRow & { inserted: boolean }>> {
    const { rows } = await sql<AlertRow & { inserted: boolean }>`
      INSERT INTO alerts (type, severity, customer_id, dedupe_key, message, data, evidence, created_at, last_seen_at)
      SELECT a.type, a.severity, a.customer_id, a.dedupe_key, a.message, a.data, a.evidence, ${now}::timestamptz, ${now}::timestamptz
        FROM jsonb_to_recordset(${JSON.stringify(alerts)}::jsonb)
             AS a(type text, severity text, customer_id uuid, dedupe_key text, message text, data jsonb, evidence jsonb, once boolean)
       WHERE NOT (a.once AND EXISTS (SELECT 1 FROM alerts x WHERE x.dedupe_key = a.dedupe_key AND x.status = 'resolved'))
      ON CONFLICT (dedupe_key) WHERE status <> 'resolved'
      DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at, occurrences = alerts.occurrences + 1, data = EXCLUDED.data, message = EXCLUDED.message
      RETURNING *, (xmax = 0) AS inserted`.execute(trx);
    return rows;
  }

  async resolveOpen(dedupeKeys: readonly string[], patch: { at: Date; by: string; comment: string }, trx: Executor = this.db): Promise<number> {
    const res = await trx
      .updateTable('alerts')
      .set({ status: 'resolved', resolved_at: patch.at, resolved_by: patch.by, comment: patch.comment })
      .where('dedupe_key', 'in', [...dedupeKeys])
      .where('status', '<>', 'resolved')
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** Newest first, keyset by seq; one row more than `limit` says there is a next page. */
  list(filter: { status?: string; severity?: string; type?: string; customerId?: string; customerIds?: readonly string[]; beforeSeq?: number; limit: number }): Promise<AlertRow[]> {
    let q = this.db.selectFrom('alerts').selectAll().orderBy('seq', 'desc').limit(filter.limit + 1);
    if (filter.status) q = q.where('status', '=', filter.status as AlertRow['status']);
    if (filter.severity) q = q.where('severity', '=', filter.severity as Severity);
    if (filter.type) q = q.where('type', '=', filter.type as AlertType);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.customerIds) q = filter.customerIds.length ? q.where('customer_id', 'in', [...filter.customerIds]) : q.where(sql<boolean>`false`);
    if (filter.beforeSeq !== undefined) q = q.where('seq', '<', filter.beforeSeq);
    return q.execute();
  }

  find(id: string, trx: Executor = this.db): Promise<AlertRow | undefined> {
    return trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findForUpdate(id: string, trx: Transaction<DB>): Promise<AlertRow | undefined> {
    return trx.selectFrom('alerts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
  }

  update(id: string, patch: Updateable<AlertsTable>, trx: Transaction<DB>): Promise<AlertRow> {
    return trx.updateTable('alerts').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }
}
