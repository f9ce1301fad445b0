import type pg from 'pg';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, OrderChecksTable } from '../db/schema.js';

export type OrderCheckRow = Selectable<OrderChecksTable>;
type Trx = Transaction<DB>;

export interface CheckParams {
  orderId: string;
  customerId: string | null;
  customerExternalId: string | null;
  amount: number;
  currency: string;
  today: string;
  graceDays: number;
  defaultLimit: number;
  holdTtlHours: number;
  now: Date;
  policyVersion: number;
  actor: string;
}

export type CheckResult =
  | { outcome: 'created'; row: OrderCheckRow }
  | { outcome: 'existing'; row: OrderCheckRow; customerId: string }
  | { outcome: 'unknown_customer' }
  | { outcome: 'currency_mismatch'; currency: string };

export type RecheckResult =
  | { outcome: 'not_found' }
  | { outcome: 'unchanged'; row: OrderCheckRow }
  | { outcome: 'rechecked'; row: OrderCheckRow; previousDecision: OrderCheckRow['decision'] };

/** From checkMany() only: the account was locked by another transaction; check this order on its own. */
export type BatchResult = CheckResult | { outcome: 'deferred' };

interface RawResult {
  outcome: string;
  row?: Record<string, unknown>;
  currency?: string;
  customerId?: string;
}

function toResult(r: RawResult): CheckResult {
  if (r.outcome === 'created') return { outcome: 'created', row: fromJson(r.row!) };
  if (r.outcome === 'existing') return { outcome: 'existing', row: fromJson(r.row!), customerId: r.customerId! };
  if (r.outcome === 'currency_mismatch') return { outcome: 'currency_mismatch', currency: r.currency! };
  return { outcome: 'unknown_customer' };
}

/** A row read back through to_jsonb: timestamps arrive as strings. */
function fromJson(row: Record<string, unknown>): OrderCheckRow {
  return {
    ...(row as unknown as OrderCheckRow),
    expires_at: row.expires_at ? new Date(row.expires_at as string) : null,
    created_at: new Date(row.created_at as string),
    updated_at: new Date(row.updated_at as string),
  };
}

export class OrdersStore {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly pool: pg.Pool,
    private readonly prepared = false,
  ) {}

  /**
   * The whole check, atomically, in one round trip (see migration 20261123000300). A named
   * prepared statement on a PostgreSQL server (parsed once per connection); not on the embedded
   * database, which serves every connection from one session, where the names would collide.
   */
  async check(p: CheckParams): Promise<CheckResult> {
    const { rows } = await this.pool.query<{ result: RawResult }>({
      ...(this.prepared ? { name: 'vigie_order_check' } : {}),
      text: `SELECT vigie_order_check($1, $2::uuid, $3, $4::bigint, $5, $6::date, $7::int, $8::bigint, $9::int, $10::timestamptz, $11::int, $12) AS result`,
      values: [p.orderId, p.customerId, p.customerExternalId, p.amount, p.currency, p.today, p.graceDays, p.defaultLimit, p.holdTtlHours, p.now, p.policyVersion, p.actor],
    });
    return toResult(rows[0]!.result);
  }

  /**
   * Several checks in one round trip and one commit, each decided as check() would decide it
   * alone, in the order given (migration 20261125000800), except those answered `deferred`: their
   * account was locked by another transaction and they were not checked. All or nothing: if the
   * statement fails, none of the checks was recorded.
   */
  async checkMany(ps: readonly CheckParams[]): Promise<BatchResult[]> {
    const { rows } = await this.pool.query<{ result: RawResult }>({
      ...(this.prepared ? { name: 'vigie_order_checks' } : {}),
      text: `SELECT vigie_order_checks($1::text[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::date[], $7::int[], $8::bigint[], $9::int[], $10::timestamptz[], $11::int[], $12::text[]) AS result`,
      values: [
        ps.map((p) => p.orderId), ps.map((p) => p.customerId), ps.map((p) => p.customerExternalId), ps.map((p) => p.amount),
        ps.map((p) => p.currency), ps.map((p) => p.today), ps.map((p) => p.graceDays), ps.map((p) => p.defaultLimit),
        ps.map((p) => p.holdTtlHours), ps.map((p) => p.now), ps.map((p) => p.policyVersion), ps.map((p) => p.actor),
      ],
    });
    if (rows.length !== ps.length) throw new Error(`vigie_order_checks answered ${rows.length} results for ${ps.length} checks`);
    return rows.map((r) => (r.result.outcome === 'deferred' ? { outcome: 'deferred' } : toResult(r.result)));
  }

  /** vigie_order_recheck(): the order decided again against today's position, in `trx`. */
  async recheck(orderId: string, p: Omit<CheckParams, 'orderId' | 'customerId' | 'customerExternalId' | 'amount' | 'currency'>, trx: Trx): Promise<RecheckResult> {
    const { rows } = await sql<{ result: { outcome: string; row?: Record<string, unknown>; previousDecision?: OrderCheckRow['decision'] } }>`
      SELECT vigie_order_recheck(${orderId}, ${p.today}::date, ${p.graceDays}::int, ${p.defaultLimit}::bigint, ${p.holdTtlHours}::int,
                                 ${p.now}::timestamptz, ${p.policyVersion}::int, ${p.actor}) AS result`.execute(trx);
    const r = rows[0]!.result;
    if (r.outcome === 'not_found') return { outcome: 'not_found' };
    if (r.outcome === 'unchanged') return { outcome: 'unchanged', row: fromJson(r.row!) };
    return { outcome: 'rechecked', row: fromJson(r.row!), previousDecision: r.previousDecision! };
  }

  /** Orders of these customers waiting (review or blocked, not declined), checked since `since` (older ones are left to people). */
  async waitingOrders(customerIds: readonly string[], since: Date): Promise<string[]> {
    if (customerIds.length === 0) return [];
    const rows = await this.db
      .selectFrom('order_checks')
      .select('order_id')
      .where('decision', '<>', 'approved')
      .where('declined', 'is', null)
      .where('customer_id', '=', (eb) => eb.fn.any(eb.val([...customerIds])))
      .where('created_at', '>=', since)
      .orderBy('created_at')
      .execute();
    return rows.map((r) => r.order_id);
  }

  find(orderId: string, trx: Kysely<DB> | Trx = this.db): Promise<OrderCheckRow | undefined> {
    return trx.selectFrom('order_checks').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  findForUpdate(orderId: string, trx: Trx): Promise<OrderCheckRow | undefined> {
    return trx.selectFrom('order_checks').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
  }

  async update(
    orderId: string,
    patch: Partial<Omit<OrderCheckRow, 'order_id' | 'facts' | 'declined' | 'created_at' | 'updated_at'>> & { facts?: unknown; declined?: OrderCheckRow['declined'] },
    trx: Kysely<DB> | Trx = this.db,
  ): Promise<OrderCheckRow> {
    const { facts, declined, ...rest } = patch;
    return trx
      .updateTable('order_checks')
      .set({
        ...rest,
        ...(facts !== undefined ? { facts: JSON.stringify(facts) } : {}),
        ...(declined !== undefined ? { declined: declined === null ? null : JSON.stringify(declined) } : {}),
        updated_at: new Date(),
      })
      .where('order_id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Marks every hold past its time-to-live as expired (it had already stopped counting). */
  async expireHolds(now: Date): Promise<Array<{ order_id: string; customer_id: string }>> {
    return this.db
      .updateTable('order_checks')
      .set({ hold_status: 'expired', updated_at: now })
      .where('hold_status', '=', 'active')
      .where('expires_at', '<=', now)
      .returning(['order_id', 'customer_id'])
      .execute();
  }
}
