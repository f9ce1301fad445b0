import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/** The monitoring jobs' reads and writes: set-based, for the whole portfolio or a list of customers. */
export class MonitoringStore {
  constructor(private readonly db: Kysely<DB>) {}

  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }

  async checkpoint(name: string): Promise<string | null> {
    const row = await this.db.selectFrom('monitoring_checkpoints').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value ?? null;
  }

  async setCheckpoint(name: string, value: string, at: Date): Promise<void> {
    await this.db
      .insertInto('monitoring_checkpoints')
      .values({ name, value, updated_at: at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  async portfolioSirens(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('customers').select('siren').distinct().where('siren', 'is not', null).execute();
    return new Set(rows.map((r) => r.siren!));
  }

  async customersBySiren(sirens: readonly string[], trx: Kysely<DB> | Transaction<DB> = this.db): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (sirens.length === 0) return out;
    const rows = await trx.selectFrom('customers').select(['id', 'siren']).where('siren', '=', (eb) => eb.fn.any(eb.val([...sirens]))).execute();
    for (const r of rows) out.set(r.siren!, [...(out.get(r.siren!) ?? []), r.id]);
    return out;
  }

  async setAutoBlocks(changes: Array<{ id: string; blocked: boolean; reasons: string[] }>, at: Date, trx: Kysely<DB> | Transaction<DB> = this.db): Promise<void> {
    if (changes.length === 0) return;
    const sorted = [...changes].sort((a, b) => a.id.localeCompare(b.id));
    await sql`
      UPDATE credit_accounts a
         SET auto_block = v.blocked, auto_block_reasons = v.reasons,
             auto_blocked_at = CASE WHEN v.blocked THEN coalesce(a.auto_blocked_at, ${at}) END, updated_at = ${at}
        FROM jsonb_to_recordset(${JSON.stringify(sorted)}::jsonb) AS v(id uuid, blocked boolean, reasons jsonb)
       WHERE a.customer_id = v.id`.execute(trx);
  }

  /**
   * The SIRENs whose registry or financial data is past its TTL (or never fetched), or whose
   * BODACC history was never fetched; largest exposure first, then the oldest data.
   */
  async staleSirens(registryBefore: Date, financialsBefore: Date, limit: number): Promise<string[]> {
    const { rows } = await sql<{ siren: string }>`
      SELECT c.siren
        FROM customers c
        LEFT JOIN source_results r ON r.source = 'recherche-entreprises' AND r.key = c.siren
        LEFT JOIN source_results f ON f.source = 'ratios-inpi-bce' AND f.key = c.siren
        LEFT JOIN source_results b ON b.source = 'bodacc' AND b.key = c.siren
        LEFT JOIN (SELECT customer_id, sum(open_amount) AS open FROM invoices WHERE open_amount > 0 GROUP BY customer_id) i ON i.customer_id = c.id
       WHERE c.siren IS NOT NULL
         AND (r.fetched_at IS NULL OR r.fetched_at < ${registryBefore} OR f.fetched_at IS NULL OR f.fetched_at < ${financialsBefore} OR b.key IS NULL)
       GROUP BY c.siren
       ORDER BY sum(coalesce(i.open, 0)) DESC, min(least(r.fetched_at, f.fetched_at)) ASC NULLS FIRST, c.siren
       LIMIT ${limit}`.execute(this.db);
    return rows.map((r) => r.siren);
  }

  reviewsDue(until: string) {
    return this.db
      .selectFrom('credit_accounts')
      .select(['customer_id', 'limit_review_date', 'credit_limit', 'currency'])
      .where('limit_review_date', 'is not', null)
      .where('limit_review_date', '<=', until)
      .execute();
  }
}
