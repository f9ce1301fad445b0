import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export interface StoredResult {
  data: unknown;
  fetchedAt: Date;
}

/** The last good answer of each source per key, and the last error. */
export class CompaniesStore {
  constructor(private readonly db: Kysely<DB>) {}

  async get(source: string, key: string): Promise<StoredResult | undefined> {
    const row = await this.db.selectFrom('source_results').select(['data', 'fetched_at']).where('source', '=', source).where('key', '=', key).executeTakeFirst();
    return row ? { data: row.data, fetchedAt: new Date(row.fetched_at) } : undefined;
  }

  async put(source: string, key: string, data: unknown, at: Date): Promise<void> {
    await this.db
      .insertInto('source_results')
      .values({ source, key, data: JSON.stringify(data), fetched_at: at, last_error: null, last_error_at: null })
      .onConflict((oc) => oc.columns(['source', 'key']).doUpdateSet({ data: JSON.stringify(data), fetched_at: at, last_error: null, last_error_at: null }))
      .execute();
  }

  async recordError(source: string, key: string, message: string, at: Date): Promise<void> {
    await this.db.updateTable('source_results').set({ last_error: message, last_error_at: at }).where('source', '=', source).where('key', '=', key).execute();
  }
}
