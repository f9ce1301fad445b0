import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, OrderChecksTable } from '../db/schema.js';
import type { CreditAccountRow } from '../credit/credit-store.js';

export type OrderCheckRow = Selectable<OrderChecksTable>;
type Trx = Transaction<DB>;

export class OrdersStore {
  constructor(private readonly db: Kysely<DB>) {}

  /**
   * One round trip: resolves the customer (by id or externalId), locks its credit account, and
   * reads any earlier check of this order id. The lock serialises every check and ledger write
   * for the customer, so the exposure read next is exact.
   */
  async lockForCheck(ref: { customerId?: string; customerExternalId?: string }, orderId: string, trx: Trx) {
    const where = ref.customerId ? sql`c.id = ${ref.customerId}::uuid` : sql`c.external_id = ${ref.customerExternalId!}`;
    const { rows } = await sql<CreditAccountRow & { existing: OrderCheckRow | null }>`
      SELECT ca.*, (SELECT to_jsonb(oc) FROM order_checks oc WHERE oc.order_id = ${orderId}) AS existing
        FROM customers c JOIN credit_accounts ca ON ca.customer_id = c.id
       WHERE ${where}
         FOR UPDATE OF ca`.execute(trx);
    return rows[0];
  }

  async insert(row: {
    order_id: string;
    customer_id: string;
    amount: number;
    currency: string;
    decision: OrderCheckRow['decision'];
    response: unknown;
    hold_id: string | null;
    hold_status: OrderCheckRow['hold_status'];
    hold_amount: number;
    expires_at: Date | null;
    checked_by: string;
  }, trx: Trx): Promise<void> {
    await trx.insertInto('order_checks').values({ ...row, response: JSON.stringify(row.response) }).execute();
  }

  find(orderId: string, trx: Kysely<DB> | Trx = this.db): Promise<OrderCheckRow | undefined> {
    return trx.selectFrom('order_checks').selectAll().where('order_id', '=', orderId).executeTakeFirst();
  }

  findForUpdate(orderId: string, trx: Trx): Promise<OrderCheckRow | undefined> {
    return trx.selectFrom('order_checks').selectAll().where('order_id', '=', orderId).forUpdate().executeTakeFirst();
  }

  async update(orderId: string, patch: Partial<Omit<OrderCheckRow, 'order_id' | 'response' | 'created_at' | 'updated_at'>> & { response?: unknown }, trx: Kysely<DB> | Trx = this.db) {
    const { response, ...rest } = patch;
    return trx
      .updateTable('order_checks')
      .set({ ...rest, ...(response !== undefined ? { response: JSON.stringify(response) } : {}), updated_at: new Date() })
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
