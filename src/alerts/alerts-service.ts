import type { Kysely } from 'kysely';
import type { AlertType, DB, Severity } from '../db/schema.js';
import { Conflict, NotFound } from '../errors.js';
import type { Clock } from '../clock.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { WebhookOutboxStore } from '../webhooks/webhook-outbox-store.js';
import type { AuditService } from '../audit/audit-service.js';

import type { AlertRow, AlertsStore, Executor } from './alerts-store.js';

export type { AlertRow };

export interface AlertInput {
  type: AlertType;
  severity: Severity;
  customerId: string | null;
  /** The situation: the same key raises one open alert, however many runs see it. */
  dedupeKey: string;
  message: string;
  data: Record<string, unknown>;
  /** Where to check it: a BODACC announcement id, a statement date, an assessment id. */
  evidence?: { source: string; id?: string; date?: string; url?: string | null } | null;
  /**
   * An event rather than a state (an announcement, a sanction, a review date): once resolved it is
   * not raised again. A state (over the limit) is raised again while it lasts.
   */
  once?: boolean;
}

export interface AlertView {
  id: string;
  type: AlertType;
  severity: Severity;
  status: 'open' | 'acknowledged' | 'resolved';
  customerId: string | null;
  message: string;
  data: unknown;
  evidence: unknown;
  occurrences: number;
  createdAt: string;
  lastSeenAt: string;
  acknowledged: { at: string; by: string | null } | null;
  resolved: { at: string; by: string | null } | null;
  comment: string | null;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function alertView(r: AlertRow): AlertView {
  return {
    id: r.id,
    type: r.type,
    severity: r.severity,
    status: r.status,
    customerId: r.customer_id,
    message: r.message,
    data: r.data,
    evidence: r.evidence,
    occurrences: r.occurrences,
    createdAt: iso(r.created_at)!,
    lastSeenAt: iso(r.last_seen_at)!,
    acknowledged: r.acknowledged_at ? { at: iso(r.acknowledged_at)!, by: r.acknowledged_by } : null,
    resolved: r.resolved_at ? { at: iso(r.resolved_at)!, by: r.resolved_by } : null,
    comment: r.comment,
  };
}

/**
 * Alerts: raised deduplicated (one open alert per situation), acknowledged or resolved by a credit
 * manager, resolved by the system when the situation clears. A new alert writes its webhook
 * deliveries in the same transaction (an outbox), so no subscriber misses it.
 */
export class AlertsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: AlertsStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: WebhookOutboxStore,
  ) {}

  /** Raises each alert, or counts one more sighting of the open one; returns the alerts created. */
  async raise(alerts: readonly AlertInput[], trx?: Executor): Promise<AlertView[]> {
    if (alerts.length === 0) return [];
    const run = async (t: Executor) => {
      const now = this.clock.now();
      const created: AlertView[] = [];
      for (let i = 0; i < alerts.length; i += 1000) {
        const chunk = alerts.slice(i, i + 1000);
        const rows = await this.store.upsert(
          chunk.map((a) => ({ type: a.type, severity: a.severity, customer_id: a.customerId, dedupe_key: a.dedupeKey, message: a.message, data: a.data, evidence: a.evidence ?? null, once: a.once ?? false })),
          now,
          t,
        );
        const fresh = rows.filter((r) => r.inserted).map(alertView);
        if (fresh.length > 0) await this.enqueueDeliveries(fresh, now, t);
        created.push(...fresh);
      }
      return created;
    };
    return trx ? run(trx) : this.db.transaction().execute(run);
  }

  /** One delivery per new alert and matching subscription, in the alert's transaction. */
  private async enqueueDeliveries(alerts: AlertView[], now: Date, trx: Executor): Promise<void> {
    await this.outbox.enqueue(
      alerts.map((a) => ({ alertId: a.id, eventType: a.type, body: { event: `alert.${a.type}`, alert: a } })),
      now,
      trx,
    );
  }

  /** The system resolves open alerts whose situation has cleared (a limit no longer exceeded…). */
  async resolveSituations(dedupeKeys: readonly string[], comment: string, trx: Executor = this.db): Promise<number> {
    if (dedupeKeys.length === 0) return 0;
    return this.store.resolveOpen(dedupeKeys, { at: this.clock.now(), by: 'system', comment }, trx);
  }

  async list(filter: { status?: string; severity?: string; type?: string; customerId?: string; customerIds?: readonly string[]; afterSeq?: number; limit: number }) {
    const { afterSeq, ...rest } = filter;
    const rows = await this.store.list({ ...rest, ...(afterSeq !== undefined ? { beforeSeq: afterSeq } : {}) });
    const more = rows.length > filter.limit;
    const page = rows.slice(0, filter.limit);
    return { items: page.map(alertView), nextCursor: more ? String(page.at(-1)!.seq) : null };
  }

  async get(id: string): Promise<AlertView> {
    const row = await this.store.find(id);
    if (!row) throw new NotFound(`No alert ${id}`, 'alert_not_found');
    return alertView(row);
  }

  /** A credit manager acknowledges an alert, or resolves it, with a comment (audited). */
  async acknowledge(id: string, input: { comment: string; resolve: boolean }, actor: AuthContext): Promise<AlertView> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.store.findForUpdate(id, trx);
      if (!row) throw new NotFound(`No alert ${id}`, 'alert_not_found');
      if (row.status === 'resolved') throw new Conflict(`Alert ${id} is already resolved`, 'alert_resolved');
      const now = this.clock.now();
      const updated = await this.store.update(
        id,
        input.resolve
          ? { status: 'resolved', resolved_at: now, resolved_by: actor.name, comment: input.comment, ...(row.acknowledged_at ? {} : { acknowledged_at: now, acknowledged_by: actor.name }) }
          : { status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor.name, comment: input.comment },
        trx,
      );
      await this.audit.record(
        {
          actor,
          action: input.resolve ? 'alert.resolved' : 'alert.acknowledged',
          entityType: 'alert',
          entityId: id,
          customerId: row.customer_id,
          oldValue: { status: row.status },
          newValue: { status: updated.status },
          reason: input.comment,
        },
        trx,
      );
      return alertView(updated);
    });
  }
}
