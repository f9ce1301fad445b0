import type { Kysely, Transaction } from 'kysely';
import type { AuditEntriesTable, DB } from '../db/schema.js';

/** An entry as the service hands it over (values not yet serialised). */
export type AuditInsert = Omit<AuditEntriesTable, 'id' | 'at'>;

export class AuditStore {
  constructor(private readonly db: Kysely<DB>) {}

  async insert(entries: AuditInsert[], trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    if (entries.length === 0) return;
    await trx
      .insertInto('audit_entries')
      .values(
        entries.map((e) => ({
          ...e,
          old_value: e.old_value === undefined ? null : JSON.stringify(e.old_value),
          new_value: e.new_value === undefined ? null : JSON.stringify(e.new_value),
        })),
      )
      .execute();
  }

  list(filter: { customerId?: string; entityType?: string; entityId?: string; afterId?: number; limit: number }) {
    let q = this.db.selectFrom('audit_entries').selectAll().orderBy('id', 'desc').limit(filter.limit + 1);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.entityType) q = q.where('entity_type', '=', filter.entityType);
    if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
    if (filter.afterId !== undefined) q = q.where('id', '<', filter.afterId);
    return q.execute();
  }
}
