import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

/** The tables that keep a policy as numbered versions (version, …fields, created_at, created_by, reason). */
export type PolicyTable = 'credit_policies' | 'scoring_policies' | 'collections_policies' | 'company_settings';

export interface PolicyRow {
  version: number;
  created_at: Date;
  created_by: string;
  reason: string;
  [column: string]: unknown;
}

/** Reads and writes of a versioned policy table: the latest version, and a new version after the last. */
export class VersionedPolicyStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly table: PolicyTable,
  ) {}

  async latest(trx: Kysely<DB> | Transaction<DB> = this.db): Promise<PolicyRow | undefined> {
    const { rows } = await sql<PolicyRow>`SELECT * FROM ${sql.table(this.table)} ORDER BY version DESC LIMIT 1`.execute(trx);
    return rows[0];
  }

  /** Version 1, unless another process wrote it first. */
  async insertFirst(columns: Record<string, unknown>, by: string, reason: string): Promise<void> {
    await this.insert(1, columns, by, reason, this.db, true);
  }

  /**
   * The next version, after locking the last one: two concurrent changes are serialised (and the
   * primary key on version refuses a duplicate should that ever fail).
   */
  async insertNext(columns: Record<string, unknown>, by: string, reason: string, trx: Transaction<DB>): Promise<number> {
    const { rows } = await sql<{ version: number }>`SELECT version FROM ${sql.table(this.table)} ORDER BY version DESC LIMIT 1 FOR UPDATE`.execute(trx);
    const version = (rows[0]?.version ?? 0) + 1;
    await this.insert(version, columns, by, reason, trx, false);
    return version;
  }

  private async insert(version: number, columns: Record<string, unknown>, by: string, reason: string, trx: Kysely<DB> | Transaction<DB>, ifAbsent: boolean): Promise<void> {
    const names = ['version', ...Object.keys(columns), 'created_by', 'reason'];
    const values = [version, ...Object.values(columns), by, reason];
    await sql`
      INSERT INTO ${sql.table(this.table)} (${sql.join(names.map((n) => sql.ref(n)))})
      VALUES (${sql.join(values)})
      ${ifAbsent ? sql`ON CONFLICT (version) DO NOTHING` : sql``}`.execute(trx);
  }
}
