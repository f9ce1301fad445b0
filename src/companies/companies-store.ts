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

  /** Many keys of several sources in one round trip: source → key → stored answer (and its last error). */
  async getMany(sources: readonly string[], keys: readonly string[]): Promise<Map<string, Map<string, StoredResult & { lastError: string | null }>>> {
    const out = new Map<string, Map<string, StoredResult & { lastError: string | null }>>(sources.map((s) => [s, new Map()]));
    if (keys.length === 0) return out;
    const rows = await this.db
      .selectFrom('source_results')
      .select(['source', 'key', 'data', 'fetched_at', 'last_error'])
      .where('source', 'in', [...sources])
      .where('key', '=', (eb) => eb.fn.any(eb.val([...keys])))
      .execute();
    for (const r of rows) out.get(r.source)!.set(r.key, { data: r.data, fetchedAt: new Date(r.fetched_at), lastError: r.last_error });
    return out;
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
