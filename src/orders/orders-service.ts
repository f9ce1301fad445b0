import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditService } from '../audit/audit-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import { explainReasons, type Decision, type Reason } from './order-rules.js';
import type { BatchResult, CheckParams, CheckResult, OrderCheckRow, OrdersStore } from './orders-store.js';
import Bottleneck from 'bottleneck';
import { CheckBatcher } from './check-batcher.js';
import type { WebhookOutboxStore } from '../webhooks/webhook-outbox-store.js';

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
  exposureComponents: { openReceivables: number; overdueReceivables: number; factoredReceivables?: number; activeHolds: number; unappliedCredits: number };
  /** An insured customer's cover when the order was checked, and the exposure basis the rules used. */
  insurance?: Facts['insurance'];
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
  /** When the order does not pass: what would make it pass. */
  toPass?: {
    available: number;
    /** The part of the order beyond the available credit, to be paid up front. */
    prepaymentToCover: number | null;
    overdueToPay: number | null;
    gradeCondition: string | null;
  };
  /** What the decision was made on, as it stood at the check. */
  snapshot: {
    limitSetAt: string | null;
    limitSetBy: string | null;
    graceDays: number;
    oldestOverdueDays: number | null;
    manualBlock: Facts['manualBlock'];
    autoBlock: Facts['autoBlock'] | null;
    collectionsBlock: Facts['collectionsBlock'] | null;
    riskGrade: string | null;
    riskGradeAt: string | null;
    assessmentId: string | null;
    dataAgeDays: { riskGrade: number | null; limit: number | null };
  };
  rechecks?: Facts['rechecks'];
}

export interface CheckOutcome {
  view: OrderCheckView;
  /** True when this order id had been checked before and the first answer is returned. */
  replayed: boolean;
}

/**
 * What a decision was made on, stored with the check by vigie_order_check(): the answer is rebuilt
 * from it on a retry, and GET /v1/order-checks/{orderId} shows it ("why was this order blocked on
 * that day").
 */
interface Facts {
  reasons: string[];
  exposure: OrderCheckView['exposureComponents'] & { total: number };
  insurance?: { insuredLimit: number; coveragePercent: number; insuredShare: number; netExposure: number; basis: 'gross' | 'net' } | null;
  creditLimit: number;
  creditLimitSource: 'explicit' | 'policy_default';
  available: number;
  limitSetAt?: string | null;
  limitSetBy?: string | null;
  oldestOverdueDays: number | null;
  graceDays: number;
  manualBlock: { reason: string | null; by?: string | null; at?: string | null } | null;
  collectionsBlock?: { step: string; since: string; invoices: string[] } | null;
  autoBlock?: { reasons: string[]; at: string | null } | null;
  riskGrade: string | null;
  riskGradeAt?: string | null;
  assessmentId?: string | null;
  checkedAt: string;
  policyVersion: number;
  override?: OrderCheckView['override'];
  /** Earlier answers, oldest first, kept by vigie_order_recheck(). */
  rechecks?: Array<{ at: string; by: string; previousDecision: Decision; previousReasons: string[]; decision: Decision; reasons: string[] }>;
}

export interface BatchMetrics {
  batchSize: { observe(n: number): void };
  batchFallbacks: { inc(): void };
  deferred: { inc(): void };
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

const AUTO_RECHECK: AuthContext = { keyId: null, name: 'auto-recheck', role: 'admin' };

const parseFacts = (row: OrderCheckRow): Facts => (typeof row.facts === 'string' ? JSON.parse(row.facts) : row.facts) as Facts;

/** The payment condition of each risk grade (the scoring policy's), quoted when an order does not pass. */
export type GradeConditions = Partial<Record<string, string>>;

export interface OrdersServiceOptions {
  db: Kysely<DB>;
  store: OrdersStore;
  credit: CreditService;
  policy: PolicyService;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  gradeConditions?: () => Promise<GradeConditions>;
  /** Where `order_check.approved` events are written for webhooks. */
  outbox?: WebhookOutboxStore;
  batching?: { maxBatch: number; lanes: number; waitingChecks?: number; metrics?: BatchMetrics };
}

/** The block-order API: the decision and its hold are one atomic step in the database. */
export class OrdersService {
  private readonly db: Kysely<DB>;
  private readonly store: OrdersStore;
  private readonly credit: CreditService;
  private readonly policy: PolicyService;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly gradeConditions: () => Promise<GradeConditions>;
  private readonly outbox: WebhookOutboxStore | undefined;

  constructor(options: OrdersServiceOptions) {
    ({ db: this.db, store: this.store, credit: this.credit, policy: this.policy, audit: this.audit, clock: this.clock, logger: this.logger } = options);
    this.gradeConditions = options.gradeConditions ?? (async () => ({}));
    this.outbox = options.outbox;
    const batching = options.batching ?? { maxBatch: 64, lanes: 2 };
    this.maxBatch = batching.maxBatch;
    this.waiting = new Bottleneck({ maxConcurrent: batching.waitingChecks ?? 4 });
    this.metrics = batching.metrics;
    this.batcher = new CheckBatcher((items) => this.runLane(items), batching.maxBatch, batching.lanes);
  }

  private readonly metrics: BatchMetrics | undefined;
  private readonly maxBatch: number;
  /** Deferred checks wait for their account on their own connections: never all of the pool's. */
  private readonly waiting: Bottleneck;
  private readonly batcher: CheckBatcher<CheckParams, CheckResult>;

  /**
   * One round trip for the batch. A check whose account another transaction holds comes back
   * `deferred` and is then checked on its own, waiting for that account like any single check
   * (by the batcher without holding up its lane; by checkMany in the order given). Should the batch
   * fail as a whole (nothing of it was then recorded), each check is sent again on its own, so
   * that one check's problem is that check's error alone.
   */
  private async runBatch(items: readonly CheckParams[]): Promise<Array<BatchResult | Error>> {
    this.metrics?.batchSize.observe(items.length);
    try {
      return await this.store.checkMany(items);
    } catch (err) {
      this.metrics?.batchFallbacks.inc();
      this.logger.warn({ err, checks: items.length }, 'order check batch failed; checking its orders one by one');
      const results: Array<CheckResult | Error> = [];
      for (const item of items) results.push(await this.store.check(item).catch(asError));
      return results;
    }
  }

  /** For the batcher: a deferred check is sent on its own at once, outside the lane. */
  private async runLane(items: readonly CheckParams[]): Promise<Array<CheckResult | Error | Promise<CheckResult>>> {
    const results = await this.runBatch(items);
    return results.map((r, i) => (!(r instanceof Error) && r.outcome === 'deferred' ? this.checkDeferred(items[i]!) : r));
  }

  private checkDeferred(item: CheckParams): Promise<CheckResult> {
    this.metrics?.deferred.inc();
    return this.waiting.schedule(() => this.store.check(item));
  }

  /**
   * One order check. Checks that arrive while earlier ones are with the database leave together
   * (see CheckBatcher); each is decided exactly as if it had been sent alone.
   */
  async check(input: OrderCheckInput, actor: AuthContext): Promise<CheckOutcome> {
    const c = await this.gradeConditions();
    const params = this.params(input, await this.policy.current(), actor);
    return this.outcome(input, await this.batcher.submit(params), c);
  }

  /**
   * Several orders in the order given, in round trips of up to maxBatch checks: one result per
   * order, or the error that order alone would have had (the others are still checked).
   */
  async checkMany(inputs: readonly OrderCheckInput[], actor: AuthContext): Promise<Array<CheckOutcome | Error>> {
    const c = await this.gradeConditions();
    const policy = await this.policy.current();
    const out: Array<CheckOutcome | Error> = [];
    for (let i = 0; i < inputs.length; i += this.maxBatch) {
      const chunk = inputs.slice(i, i + this.maxBatch);
      const params = chunk.map((input) => this.params(input, policy, actor));
      const results = await this.runBatch(params);
      for (const [k, input] of chunk.entries()) {
        let r = results[k]!;
        if (!(r instanceof Error) && r.outcome === 'deferred') r = await this.checkDeferred(params[k]!).catch(asError);
        if (r instanceof Error) out.push(r);
        else {
          try {
            out.push(this.outcome(input, r, c));
          } catch (err) {
            out.push(asError(err));
          }
        }
      }
    }
    return out;
  }

  private params(input: OrderCheckInput, policy: Awaited<ReturnType<PolicyService['current']>>, actor: AuthContext): CheckParams {
    return {
      orderId: input.orderId,
      customerId: input.customerId ?? null,
      customerExternalId: input.customerId ? null : (input.customerExternalId ?? null),
      amount: input.amount,
      currency: input.currency,
      today: this.credit.today(),
      graceDays: policy.overdueGraceDays,
      defaultLimit: policy.defaultCreditLimit,
      holdTtlHours: policy.holdTtlHours,
      now: this.clock.now(),
      policyVersion: policy.version,
      actor: actor.name,
    };
  }

  private outcome(input: OrderCheckInput, result: CheckResult, c: GradeConditions): CheckOutcome {
    switch (result.outcome) {
      case 'unknown_customer':
        throw input.customerId
          ? InvalidInput.field('body.customerId', `no customer ${input.customerId}`, 'customer_not_found')
          : InvalidInput.field('body.customerExternalId', `no customer with externalId "${input.customerExternalId}"`, 'customer_not_found');
      case 'currency_mismatch':
        throw InvalidInput.field('body.currency', `${input.currency} differs from the customer's currency ${result.currency}`, 'currency_mismatch');
      case 'existing':
        return { view: this.replay(result.row, input, result.customerId, c), replayed: true };
      case 'created':
        return { view: this.view(result.row, c), replayed: false };
    }
  }

  /** A retry gets the first answer, with the hold as it is now; a different order under the same id is a conflict. */
  private replay(existing: OrderCheckRow, input: OrderCheckInput, customerId: string, c: GradeConditions): OrderCheckView {
    const differences: Array<{ field: string; message: string }> = [];
    if (customerId !== existing.customer_id) differences.push({ field: input.customerId ? 'customerId' : 'customerExternalId', message: 'customer' });
    if (Number(existing.amount) !== input.amount) differences.push({ field: 'amount', message: `amount (first check: ${existing.amount})` });
    if (existing.currency !== input.currency) differences.push({ field: 'currency', message: `currency (first check: ${existing.currency})` });
    if (differences.length > 0) {
      throw new Conflict(
        `Order ${input.orderId} was already checked with a different ${differences.map((d) => d.message).join(', ')}; use a new order id for a different order`,
        'order_id_conflict',
        differences.map((d) => ({ field: `body.${d.field}`, message: d.message })),
      );
    }
    return this.view(existing, c);
  }

  /** The answer, rebuilt from the stored facts (the database decided; nothing is decided here), with the hold as it is now. */
  private view(row: OrderCheckRow, c: GradeConditions): OrderCheckView {
    const facts = parseFacts(row);
    const { total, ...components } = facts.exposure;
    const amount = Number(row.amount);
    const reasons = explainReasons(facts.reasons, {
      amount,
      currency: row.currency,
      exposureTotal: facts.insurance?.basis === 'net' ? facts.insurance.netExposure : total,
      exposureBasis: facts.insurance?.basis ?? 'gross',
      overdueAmount: components.overdueReceivables,
      oldestOverdueDays: facts.oldestOverdueDays,
      graceDays: facts.graceDays,
      creditLimit: facts.creditLimit,
      creditLimitSource: facts.creditLimitSource,
      available: facts.available,
      manualBlockReason: facts.manualBlock?.reason ?? null,
      collectionsBlock: facts.collectionsBlock ?? null,
    });
    const expiresAt = row.expires_at ? new Date(row.expires_at) : null;
    const expired = row.hold_status === 'active' && expiresAt !== null && expiresAt <= this.clock.now();
    const checkedAt = new Date(facts.checkedAt);
    const ageDays = (at: string | null | undefined) => (at ? Math.floor((checkedAt.getTime() - new Date(at).getTime()) / 86_400_000) : null);
    const codes = new Set(facts.reasons);
    return {
      orderId: row.order_id,
      customerId: row.customer_id,
      decision: row.decision,
      reasons,
      amount,
      currency: row.currency,
      exposure: total,
      exposureComponents: components,
      ...(facts.insurance ? { insurance: facts.insurance } : {}),
      creditLimit: facts.creditLimit,
      creditLimitSource: facts.creditLimitSource,
      available: facts.available,
      holdId: row.hold_id,
      holdStatus: expired ? 'expired' : row.hold_status,
      holdAmount: Number(row.hold_amount),
      holdExpiresAt: expiresAt?.toISOString() ?? null,
      checkedAt: checkedAt.toISOString(),
      policyVersion: facts.policyVersion,
      ...(facts.override ? { override: facts.override } : {}),
      ...(row.declined ? { declined: row.declined } : {}),
      ...(row.decision !== 'approved'
        ? {
            toPass: {
              available: Math.max(facts.available, 0),
              prepaymentToCover: codes.has('over_limit') ? amount - Math.max(facts.available, 0) : null,
              overdueToPay: codes.has('overdue_invoices') ? components.overdueReceivables : null,
              gradeCondition: facts.riskGrade ? (c[facts.riskGrade] ?? null) : null,
            },
          }
        : {}),
      snapshot: {
        limitSetAt: facts.limitSetAt ?? null,
        limitSetBy: facts.limitSetBy ?? null,
        graceDays: facts.graceDays,
        oldestOverdueDays: facts.oldestOverdueDays,
        manualBlock: facts.manualBlock,
        autoBlock: facts.autoBlock ?? null,
        collectionsBlock: facts.collectionsBlock ?? null,
        riskGrade: facts.riskGrade,
        riskGradeAt: facts.riskGradeAt ? new Date(facts.riskGradeAt).toISOString() : null,
        assessmentId: facts.assessmentId ?? null,
        dataAgeDays: { riskGrade: ageDays(facts.riskGradeAt), limit: ageDays(facts.limitSetAt) },
      },
      ...(facts.rechecks ? { rechecks: facts.rechecks } : {}),
    };
  }

  async get(orderId: string): Promise<OrderCheckView> {
    const c = await this.gradeConditions();
    const row = await this.store.find(orderId);
    if (!row) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
    return this.view(row, c);
  }

  /** The order was cancelled: its hold stops counting. Releasing twice answers the same. */
  async release(orderId: string, reason: string | undefined, actor: AuthContext): Promise<OrderCheckView> {
    const c = await this.gradeConditions();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.store.findForUpdate(orderId, trx);
      if (!row) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
      if (row.hold_status === 'released') return this.view(row, c);
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
      return this.view(updated, c);
    });
  }

  /** An order's check locked for a change: its customer's account first (as checks and re-checks take it), then the check. */
  private async lockCheck(orderId: string, trx: Transaction<DB>): Promise<OrderCheckRow> {
    const peek = await this.store.find(orderId, trx);
    if (!peek) throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
    await this.credit.lockAccount(peek.customer_id, trx);
    return (await this.store.findForUpdate(orderId, trx))!;
  }

  /**
   * A credit manager declines an order waiting in review or blocked, with a reason (audited): it
   * leaves the queue for good — no re-check or override changes it; the customer's next order is
   * checked anew. Declining it again answers the same.
   */
  async decline(orderId: string, reason: string, actor: AuthContext): Promise<OrderCheckView> {
    const c = await this.gradeConditions();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lockCheck(orderId, trx);
      if (row.declined) return this.view(row, c);
      if (row.decision === 'approved') throw new Conflict(`Order ${orderId} is approved: release its hold if it is cancelled`, 'already_approved');
      const declined = { by: actor.name, at: this.clock.now().toISOString(), reason };
      const updated = await this.store.update(orderId, { declined }, trx);
      await this.audit.record(
        { actor, action: 'order.declined', entityType: 'order', entityId: orderId, customerId: row.customer_id, oldValue: { decision: row.decision }, newValue: { declined: true }, reason },
        trx,
      );
      return this.view(updated, c);
    });
  }

  /** A credit manager approves one order that was sent to review or blocked; the hold is placed regardless of the limit. */
  async override(orderId: string, reason: string, actor: AuthContext): Promise<OrderCheckView> {
    const policy = await this.policy.current();
    const c = await this.gradeConditions();
    return this.db.transaction().execute(async (trx) => {
      const row = await this.lockCheck(orderId, trx);
      if (row.decision === 'approved') {
        throw new Conflict(`Order ${orderId} is already approved`, 'already_approved');
      }
      if (row.declined) throw new Conflict(`Order ${orderId} was declined by ${row.declined.by}: a new order is checked anew`, 'order_declined');
      const now = this.clock.now();
      const stored = this.view(row, c);
      const expiresAt = new Date(now.getTime() + policy.holdTtlHours * 3_600_000);
      const holdId = randomUUID();
      const facts = parseFacts(row);
      facts.override = { by: actor.name, at: now.toISOString(), reason, originalDecision: stored.decision, originalReasons: stored.reasons };
      const updated = await this.store.update(
        orderId,
        { decision: 'approved', hold_id: holdId, hold_status: 'active', hold_amount: Number(row.amount), expires_at: expiresAt, facts },
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
          newValue: { decision: 'approved', holdId, holdAmount: Number(row.amount) },
          reason,
        },
        trx,
      );
      return this.view(updated, c);
    });
  }

  /**
   * Decides a blocked or review order again against today's position (same order id and amount).
   * Approved now, its hold is placed and `order_check.approved` is sent to webhooks; the earlier
   * answers stay in `rechecks`. An order already approved is answered as it stands, so a retried
   * re-check gives the same answer.
   */
  async recheck(orderId: string, reason: string | null, actor: AuthContext): Promise<OrderCheckView & { recheck: 'rechecked' | 'unchanged' }> {
    const policy = await this.policy.current();
    const c = await this.gradeConditions();
    const params = this.params({ orderId, amount: 0, currency: '' }, policy, actor);
    return this.db.transaction().execute(async (trx) => {
      const result = await this.store.recheck(orderId, params, trx);
      if (result.outcome === 'not_found') throw new NotFound(`No order check for order ${orderId}`, 'order_check_not_found');
      const view = this.view(result.row, c);
      if (result.outcome === 'unchanged') return { ...view, recheck: 'unchanged' as const };
      await this.audit.record(
        {
          actor,
          action: 'order.rechecked',
          entityType: 'order',
          entityId: orderId,
          customerId: result.row.customer_id,
          oldValue: { decision: result.previousDecision },
          newValue: { decision: view.decision, reasons: view.reasons.map((r) => r.code), holdId: view.holdId },
          reason,
        },
        trx,
      );
      if (view.decision === 'approved') {
        await this.outbox?.enqueue([{ alertId: null, eventType: 'order_check.approved', body: { event: 'order_check.approved', orderCheck: view } }], params.now, trx);
      }
      return { ...view, recheck: 'rechecked' as const };
    });
  }

  /**
   * By policy (autoRecheckOrders): the orders of these customers waiting — in review or blocked —
   * re-checked
   * after a limit was raised or the ledger moved. Orders older than the hold time-to-live are left
   * to people.
   */
  async recheckWaiting(customerIds: readonly string[]): Promise<{ rechecked: number; approved: number }> {
    const policy = await this.policy.current();
    if (!policy.autoRecheckOrders) return { rechecked: 0, approved: 0 };
    const since = new Date(this.clock.now().getTime() - policy.holdTtlHours * 3_600_000);
    const counts = { rechecked: 0, approved: 0 };
    for (const orderId of await this.store.waitingOrders(customerIds, since)) {
      const out = await this.recheck(orderId, 'automatic re-check (policy autoRecheckOrders)', AUTO_RECHECK);
      if (out.recheck === 'rechecked') counts.rechecked++;
      if (out.decision === 'approved') counts.approved++;
    }
    return counts;
  }

  async expireHolds(): Promise<number> {
    return (await this.store.expireHolds(this.clock.now())).length;
  }
}
