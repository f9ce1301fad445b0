import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditStore } from './audit-store.js';

export interface AuditEvent {
  actor: AuthContext;
  action: string;
  entityType: string;
  entityId: string;
  customerId?: string | null;
  oldValue?: unknown;
  newValue?: unknown;
  reason?: string | null;
}

export interface AuditEntryView {
  id: number;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  customerId: string | null;
  oldValue: unknown;
  newValue: unknown;
  reason: string | null;
}

/** The append-only audit log: written in the caller's transaction so a change and its entry land together. */
export class AuditService {
  constructor(private readonly store: AuditStore) {}

  async record(event: AuditEvent | AuditEvent[], trx?: Kysely<DB> | Transaction<DB>): Promise<void> {
    const events = Array.isArray(event) ? event : [event];
    await this.store.insert(
      events.map((e) => ({
        actor: e.actor.name,
        actor_key_id: e.actor.keyId,
        action: e.action,
        entity_type: e.entityType,
        entity_id: e.entityId,
        customer_id: e.customerId ?? null,
        old_value: e.oldValue ?? null,
        new_value: e.newValue ?? null,
        reason: e.reason ?? null,
      })),
      trx,
    );
  }

  async list(filter: { customerId?: string; entityType?: string; entityId?: string; cursor?: number; limit: number }) {
    const rows = await this.store.list({ ...filter, afterId: filter.cursor });
    const page = rows.slice(0, filter.limit);
    return {
      items: page.map(
        (r): AuditEntryView => ({
          id: r.id,
          at: r.at.toISOString(),
          actor: r.actor,
          action: r.action,
          entityType: r.entity_type,
          entityId: r.entity_id,
          customerId: r.customer_id,
          oldValue: r.old_value,
          newValue: r.new_value,
          reason: r.reason,
        }),
      ),
      nextCursor: rows.length > filter.limit ? String(page[page.length - 1]!.id) : null,
    };
  }
}
