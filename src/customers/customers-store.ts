import { sql, type Kysely, type Transaction } from 'kysely';
import type { CustomerRow, DB, NewCustomerRow } from '../db/schema.js';

export type Executor = Kysely<DB> | Transaction<DB>;

export interface CustomerFilter {
  q?: string;
  siren?: string;
  externalId?: string;
  currency?: string;
  afterSeq?: number;
  limit: number;
}

export class CustomersStore {
  constructor(private readonly db: Kysely<DB>) {}

  insert(row: NewCustomerRow, trx: Executor = this.db): Promise<CustomerRow> {
    return trx.insertInto('customers').values(row).returningAll().executeTakeFirstOrThrow();
  }

  update(id: string, patch: Omit<Partial<NewCustomerRow>, 'created_at' | 'updated_at'>, trx: Executor = this.db): Promise<CustomerRow | undefined> {
    return trx
      .updateTable('customers')
      .set({ ...patch, updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
  }

  findById(id: string, trx: Executor = this.db): Promise<CustomerRow | undefined> {
    return trx.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByExternalId(externalId: string, trx: Executor = this.db): Promise<CustomerRow | undefined> {
    return trx.selectFrom('customers').selectAll().where('external_id', '=', externalId).executeTakeFirst();
  }

  list(filter: CustomerFilter): Promise<CustomerRow[]> {
    let q = this.db.selectFrom('customers').selectAll().orderBy('seq').limit(filter.limit + 1);
    if (filter.q) q = q.where('name', 'ilike', `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.siren) q = q.where('siren', '=', filter.siren);
    if (filter.externalId) q = q.where('external_id', '=', filter.externalId);
    if (filter.currency) q = q.where('currency', '=', filter.currency);
    if (filter.afterSeq !== undefined) q = q.where('seq', '>', filter.afterSeq);
    return q.execute();
  }
}
