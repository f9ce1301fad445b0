import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { daysBetween, type Clock } from '../clock.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import { decideOrder, type Decision, type Reason } from './order-rules.js';
import type { OrderCheckRow, OrdersStore } from './orders-store.js';

export interface OrderCheckInput {
  orderId: string;
  customerId?: string | undefined;
  customerExternalId?: string | undefined;
  amount: number;
  currency: string;
}

export interface OrderCheckView {
  orderId: string;
  customerId: string;
  decision: Decision;
  reasons: Reason[];
  amount: number;
  currency: string;
  /** Exposure before this order, and its components. */
  exposure: number;
  exposureComponents: { openReceivables: number; overdueReceivables: number; activeHolds: number; unappliedCredits: number };
  creditLimit: number;
  creditLimitSource: 'explicit' | 'policy_default';
  /** Credit limit less exposure, before this order. */
  available: number;
  holdId: string | null;
  holdStatus: OrderCheckRow['hold_status'];
  holdAmount: number;
  holdExpiresAt: string | null;
  checkedAt: string;
  policyVersion: number;
  override?: { by: string; at: string; reason: string; originalDecision: Decision; originalReasons: Reason[] };
}

export interface CheckOutcome {
  view: OrderCheckView;
  /** True when this order id had been checked before and the first answer is returned. */
  replayed: boolean;
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string }).code === '23505';
}

/** The block-order API: decide, and place the hold in the same transaction as the decision. */
export class OrdersService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly store: OrdersStore,
    private readonly credit: CreditService,
    private readonly policy: PolicyService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async check(input: OrderCheckInput, actor: AuthContext): Promise<CheckOutcome> {
    // Read before the transaction opens: nothing may query outside it while it holds the lock.
    const policy = await this.policy.current();
    try {
      return await this.db.transaction().execute(async (trx) => {
        const account = await this.store.lockForCheck(input, input.orderId, trx);
        if (!account) {
          throw input.customerId
            ? InvalidInput.field('body.customerId', `no customer ${input.customerId}`, 'customer_not_found')
            : InvalidInput.field('body.customerExternalId', `no customer with externalId "${input.customerExternalId}"`, 'customer_not_found');
        }
        const { existing, ...acct } = account;
        if (existing) return { view: this.replay(existing, input, account.customer_id), replayed: true };
        if (input.currency !== acct.currency) {
          throw InvalidInput.field('body.currency', `${input.currency} differs from the customer's currency ${acct.currency}`, 'currency_mismatch');
        }
        const position = await this.credit.position(acct, trx, policy);
        const today = this.credit.today();
        const { decision, reasons } = decideOrder({
          amount: input.amount,
          position,
          today,
          graceDays: position.graceDays,
          oldestOverdueDays: position.oldestOverdueDueDate ? daysBetween(position.oldestOverdueDueDate, today) : null,
          manualBlock: acct.manual_block ? { reason: acct.manual_block_reason } : null,
          riskGrade: acct.risk_grade,
        });
        const now = this.clock.now();
        const approved = decision === 'approved';
        const holdId = approved ? randomUUID() : null;
        const expiresAt = approved ? new Date(now.getTime() + policy.holdTtlHours * 3_600_000) : null;
        const { openReceivables, overdueReceivables, activeHolds, unappliedCredits, total } = position.exposure;
        const view: OrderCheckView = {
          orderId: input.orderId,
          customerId: acct.customer_id,
          decision,
          reasons,
          amount: input.amount,
          currency: input.currency,
          exposure: total,
          exposureComponents: { openReceivables, overdueReceivables, activeHolds, unappliedCredits },
          creditLimit: position.creditLimit.amount,
          creditLimitSource: position.creditLimit.source,
          available: position.available,
          holdId,
          holdStatus: approved ? 'active' : 'none',
          holdAmount: approved ? input.amount : 0,
          holdExpiresAt: expiresAt?.toISOString() ?? null,
          checkedAt: now.toISOString(),
          policyVersion: policy.version,
        };
        await this.store.insert(
          {
            order_id: input.orderId,
            customer_id: acct.customer_id,
            amount: input.amount,
            currency: input.currency,
            decision,
            response: view,
            hold_id: holdId,
            hold_status: view.holdStatus,
            hold_amount: view.holdAmount,
            expires_at: expiresAt,
            checked_by: actor.name,
          },
          trx,
        );
        return { view, replayed: false };
      });
    } catch (err) {
      // The same order id checked at the same moment for another customer: the first one won.
      if (isUniqueViolation(err)) {
        const existing = await this.store.find(input.orderId);
        if (existing) return { view: this.replay(existing, input, null), replayed: true };
      }
      throw err;
    }
  }

  /** A retry gets the first answer, with the hold as it is now; a different order under the same id is a conflict. */
  private replay(existing: OrderCheckRow, input: OrderCheckInput, customerId: string | null): OrderCheckView {
    const differences: string[] = [];
    if (customerId !== null && existing.customer_id !== customerId) differences.push('customer');
    if (customerId === null && input.customerId && input.customerId !== existing.customer_id) differences.push('customer');
    if (Number(existing.amount) !== input.amount) differences.push(`amount (first check: ${existing.amount})`);
    if (existing.currency !== input.currency) differences.push(`currency (first check: ${existing.currency})`);
    if (differences.length > 0) {
      throw new Conflict(
        `Order ${input.orderId} was already checked with a different ${differences.join(', ')}; use a new order id for a different order`,
        'order_id_conflict',
        differences.map((d) => ({ field: `body.${d.split(' ')[0]}`, message: d })),
      );
    }
    return this.current(existing);
  }

  private current(row: OrderCheckRow): OrderCheckView {
    const stored = (typeof row.response === 'string' ? JSON.parse(row.response) : row.response) as OrderCheckView;
    const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
    const expired = row.hold_status === 'active' && expiresAt !== null && expiresAt <= this.clock.now();
    return {
      ...stored,
      holdStatus: expired ? 'expired' : row.hold_status,
      holdAmount: Number(row.hold_amount),
      holdExpiresAt: expiresAt?.toISOString() ?? null,
    };
  }

  async get(orderId: string): Promise<OrderCheckView> {
    const row = await this.store.find(orderId);
    if (!row) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
    return this.current(row);
  }

  /** The order was cancelled: its hold stops counting. Releasing twice answers the same. */
  async release(orderId: string, reason: string | undefined, actor: AuthContext): Promise<OrderCheckView> {
    return this.db.transaction().execute(async (trx) => {
      const row = await this.store.findForUpdate(orderId, trx);
      if (!row) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
      if (row.hold_status === 'released') return this.current(row);
      if (row.hold_status !== 'active') {
        throw new Conflict(`Order ${orderId} has no active hold to release (hold: ${row.hold_status})`, 'hold_not_active');
      }
      const updated = await this.store.update(orderId, { hold_status: 'released' }, trx);
      await this.audit.record(
        {
          actor,
          action: 'order.released',
          entityType: 'order',
          entityId: orderId,
          customerId: row.customer_id,
          oldValue: { holdStatus: row.hold_status, holdAmount: row.hold_amount },
          newValue: { holdStatus: 'released' },
          reason: reason ?? null,
        },
        trx,
      );
      return this.current(updated);
    });
  }

  /** A credit manager approves one order that was sent to review or blocked; the hold is placed regardless of the limit. */
  async override(orderId: string, reason: string, actor: AuthContext): Promise<OrderCheckView> {
    const policy = await this.policy.current();
    return this.db.transaction().execute(async (trx) => {
      const peek = await this.store.find(orderId, trx);
      if (!peek) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
      await this.credit.lockAccount(peek.customer_id, trx);
      const row = (await this.store.findForUpdate(orderId, trx))!;
      if (row.decision === 'approved') {
        throw new Conflict(`Order ${orderId} is already approved${(this.current(row).override ? ' (overridden)' : '')}`, 'already_approved');
      }
      const now = this.clock.now();
      const stored = this.current(row);
      const expiresAt = new Date(now.getTime() + policy.holdTtlHours * 3_600_000);
      const view: OrderCheckView = {
        ...stored,
        decision: 'approved',
        holdId: randomUUID(),
        holdStatus: 'active',
        holdAmount: Number(row.amount),
        holdExpiresAt: expiresAt.toISOString(),
        override: { by: actor.name, at: now.toISOString(), reason, originalDecision: stored.decision, originalReasons: stored.reasons },
      };
      const updated = await this.store.update(
        orderId,
        { decision: 'approved', hold_id: view.holdId, hold_status: 'active', hold_amount: Number(row.amount), expires_at: expiresAt, response: view },
        trx,
      );
      await this.audit.record(
        {
          actor,
          action: 'order.overridden',
          entityType: 'order',
          entityId: orderId,
          customerId: row.customer_id,
          oldValue: { decision: stored.decision, reasons: stored.reasons.map((r) => r.code) },
          newValue: { decision: 'approved', holdId: view.holdId, holdAmount: view.holdAmount },
          reason,
        },
        trx,
      );
      return this.current(updated);
    });
  }

  async expireHolds(): Promise<number> {
    return (await this.store.expireHolds(this.clock.now())).length;
  }
}
