import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { Conflict, InvalidInput, NotFound } from '../errors.js';
import { addDays, addMonths, dayIn, daysBetween, type Clock } from '../clock.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { CreditPolicy, PolicyService } from '../policy/policy-service.js';
import { paydexIndex } from '../../scorers/paydex-index.js';
import type { CreditAccountRow, CreditStore } from './credit-store.js';
import { creditPosition, type CreditPosition } from './credit-position.js';

export interface SetLimitInput {
  amount: number;
  currency: string;
  reason: string;
  reviewDate?: string | null | undefined;
}

export interface Warning {
  code: string;
  message: string;
}

export class CreditService {
  private readonly limitRaised: Array<(customerIds: string[]) => void> = [];

  /** Called after a committed limit change that raised the limit in force (waiting orders may now pass). */
  onLimitRaised(listener: (customerIds: string[]) => void): void {
    this.limitRaised.push(listener);
  }

  private readonly db: Kysely<DB>;
  private readonly store: CreditStore;
  private readonly policy: PolicyService;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  /** The calendar due dates are read in (VIGIE_TIMEZONE). */
  private readonly timeZone: string;

  constructor(options: { db: Kysely<DB>; store: CreditStore; policy: PolicyService; audit: AuditService; clock: Clock; timeZone: string }) {
    ({ db: this.db, store: this.store, policy: this.policy, audit: this.audit, clock: this.clock, timeZone: this.timeZone } = options);
  }

  today(): string {
    return dayIn(this.timeZone, this.clock.now());
  }

  /**
   * Today in the service's time zone, and the first due date that is not yet overdue: an invoice
   * due before `overdueBefore` (today less the policy's grace days) is overdue.
   */
  async overdueThreshold(policy?: CreditPolicy): Promise<{ today: string; overdueBefore: string; graceDays: number }> {
    policy ??= await this.policy.current();
    const today = this.today();
    return { today, overdueBefore: addDays(today, -policy.overdueGraceDays), graceDays: policy.overdueGraceDays };
  }

  /**
   * The limit in force and the exposure against it, read inside `trx` (after the account lock when
   * deciding). Inside a transaction, pass the policy read beforehand: a query on another pooled
   * connection while the transaction is open would wait on it with the embedded database, which
   * runs one transaction at a time.
   */
  async position(account: CreditAccountRow, trx: Kysely<DB> | Transaction<DB> = this.db, policy?: CreditPolicy): Promise<CreditPosition & { graceDays: number }> {
    const rule = await this.rule(policy);
    const [row] = await this.store.positions([account.customer_id], rule, trx);
    return { ...creditPosition(row!, rule.today), graceDays: rule.graceDays };
  }

  /** Positions of these customers, or (null) of the whole portfolio, by the one rule; with what it was evaluated with. */
  async positions(customerIds: readonly string[] | null, policy?: CreditPolicy) {
    const rule = await this.rule(policy);
    return { rows: await this.store.positions(customerIds, rule), rule };
  }

  /** The portfolio's sort keys of the customers written to since the last call, brought up to date (before a portfolio page reads them). */
  refreshStalePortfolioPositions(): Promise<number> {
    return this.store.refreshStalePortfolioPositions();
  }

  /** The portfolio's sort keys brought back to the position function for every customer (see CreditStore). */
  resyncPortfolioPositions(): Promise<number> {
    return this.store.resyncPortfolioPositions();
  }

  /** What the credit rules are evaluated with now: the policy's default limit, the overdue threshold, the instant, the exposure basis. */
  async rule(policy?: CreditPolicy): Promise<{ defaultLimit: number; overdueBefore: string; today: string; graceDays: number; now: Date; exposureBasis: 'gross' | 'net' }> {
    policy ??= await this.policy.current();
    return { defaultLimit: policy.defaultCreditLimit, ...(await this.overdueThreshold(policy)), now: this.clock.now(), exposureBasis: policy.exposureBasis };
  }

  /** Takes the customer's account lock in `trx` (see CreditStore.lock). */
  async lockAccount(customerId: string, trx: Transaction<DB>): Promise<CreditAccountRow> {
    return this.account(customerId, trx);
  }

  private async account(customerId: string, trx?: Transaction<DB>): Promise<CreditAccountRow> {
    const account = trx ? await this.store.lock(customerId, trx) : await this.store.find(customerId);
    if (!account) throw new NotFound(`No customer ${customerId}`, 'customer_not_found');
    return account;
  }

  /** Everything GET /v1/customers/{id} shows about credit. */
  async detail(customerId: string) {
    const account = await this.account(customerId);
    const position = await this.position(account);
    const today = this.today();
    const [aging, observations] = await Promise.all([this.store.aging(customerId, today), this.store.paymentObservations(customerId, today)]);
    const { oldestOverdueDueDate, graceDays, ...rest } = position;
    return {
      credit: {
        ...rest,
        blocked: account.manual_block || account.auto_block,
        manualBlock: account.manual_block
          ? { reason: account.manual_block_reason, at: toIso(account.manual_blocked_at), by: account.manual_blocked_by }
          : null,
        autoBlock: account.auto_block ? { reasons: account.auto_block_reasons, at: toIso(account.auto_blocked_at) } : null,
        riskGrade: account.risk_grade,
        prepaymentOnly: (account.prepayment_only as { since: string; reason: string; caseId: string | null } | null) ?? null,
        overdue: {
          amount: position.exposure.overdueReceivables,
          oldestDays: oldestOverdueDueDate ? daysBetween(oldestOverdueDueDate, today) : null,
          graceDays,
        },
        aging,
        paymentBehaviour: { window: 'last 12 months', ...paydexIndex(observations) },
        limitSetAt: toIso(account.limit_set_at),
        limitSetBy: account.limit_set_by,
      },
    };
  }

  /**
   * The payment index over time: at the end of each of the last `months` months and today, as the
   * ledger shows it now (see CreditStore.paymentObservationsAsOf), each by the one index formula.
   */
  async paymentHistory(customerId: string, months = 12) {
    await this.account(customerId);
    const today = this.today();
    const days = [...Array.from({ length: months }, (_x, i) => addDays(addMonths(`${today.slice(0, 7)}-01`, i - months + 1), -1)), today];
    const byDay = await this.store.paymentObservationsAsOf(customerId, days);
    return days.map((asOf) => ({ asOf, ...paydexIndex(byDay.get(asOf) ?? []) }));
  }

  async setLimit(customerId: string, input: SetLimitInput, actor: AuthContext) {
    const policy = await this.policy.current();
    const result = await this.db.transaction().execute(async (trx) => {
      const before = await this.account(customerId, trx);
      if (input.currency !== before.currency) {
        throw InvalidInput.field('body.currency', `the customer's currency is ${before.currency}; a limit is set in that currency`, 'currency_mismatch');
      }
      const after = await this.store.update(
        customerId,
        {
          credit_limit: input.amount,
          limit_review_date: input.reviewDate ?? null,
          limit_set_at: this.clock.now(),
          limit_set_by: actor.name,
        },
        trx,
      );
      await this.audit.record(
        {
          actor,
          action: 'credit_limit.set',
          entityType: 'customer',
          entityId: customerId,
          customerId,
          oldValue: { amount: before.credit_limit, currency: before.currency, reviewDate: before.limit_review_date },
          newValue: { amount: after.credit_limit, currency: after.currency, reviewDate: after.limit_review_date },
          reason: input.reason,
        },
        trx,
      );
      const position = await this.position(after, trx, policy);
      const warnings: Warning[] = [];
      if (position.exposure.total > input.amount) {
        warnings.push({
          code: 'limit_below_exposure',
          message: `The new limit (${input.amount}) is below the current exposure (${position.exposure.total}): new orders will be blocked until exposure falls under it.`,
        });
      }
      const { graceDays: _g, oldestOverdueDueDate: _o, ...view } = position;
      const raised = input.amount > (before.credit_limit ?? policy.defaultCreditLimit);
      return { customerId, ...view, warnings, raised };
    });
    const { raised, ...view } = result;
    if (raised) for (const l of this.limitRaised) l([customerId]);
    return view;
  }

  async setManualBlock(customerId: string, blocked: boolean, reason: string, actor: AuthContext) {
    return this.db.transaction().execute(async (trx) => {
      const before = await this.account(customerId, trx);
      if (before.manual_block === blocked) {
        throw new Conflict(blocked ? 'The customer is already blocked' : 'The customer is not blocked', blocked ? 'already_blocked' : 'not_blocked');
      }
      const now = this.clock.now();
      const after = await this.store.update(
        customerId,
        blocked
          ? { manual_block: true, manual_block_reason: reason, manual_blocked_at: now, manual_blocked_by: actor.name }
          : { manual_block: false, manual_block_reason: null, manual_blocked_at: null, manual_blocked_by: null },
        trx,
      );
      await this.audit.record(
        {
          actor,
          action: blocked ? 'customer.blocked' : 'customer.unblocked',
          entityType: 'customer',
          entityId: customerId,
          customerId,
          oldValue: { blocked: before.manual_block, reason: before.manual_block_reason },
          newValue: { blocked: after.manual_block, reason: after.manual_block_reason },
          reason,
        },
        trx,
      );
      return {
        customerId,
        blocked: after.manual_block,
        manualBlock: after.manual_block ? { reason: after.manual_block_reason, at: toIso(after.manual_blocked_at), by: after.manual_blocked_by } : null,
      };
    });
  }
}

function toIso(v: Date | string | null): string | null {
  return v === null ? null : new Date(v).toISOString();
}
