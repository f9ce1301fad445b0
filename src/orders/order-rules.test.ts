import { describe, expect, it } from 'vitest';
import { decideOrder, REASON_ORDER, type DecisionInput } from './order-rules.js';
import type { CreditPosition } from '../credit/credit-position.js';

function position(over: { limit?: number; source?: 'explicit' | 'policy_default'; total?: number; overdue?: number } = {}): CreditPosition {
  const limit = over.limit ?? 100_000;
  const total = over.total ?? 0;
  return {
    currency: 'EUR',
    creditLimit: { amount: limit, source: over.source ?? 'explicit', reviewDate: null, reviewDue: false },
    exposure: { openReceivables: total - (over.overdue ?? 0), overdueReceivables: over.overdue ?? 0, activeHolds: 0, unappliedCredits: 0, total },
    available: limit - total,
    oldestOverdueDueDate: null,
  };
}

const input = (over: Partial<DecisionInput> = {}): DecisionInput => ({
  amount: 1_000,
  position: position(),
  graceDays: 0,
  oldestOverdueDays: null,
  manualBlock: null,
  riskGrade: null,
  ...over,
});

describe('decideOrder', () => {
  it.each([
    ['within the limit', input(), 'approved', []],
    ['exactly at the limit', input({ amount: 100_000 }), 'approved', []],
    ['one cent over the limit', input({ amount: 100_001 }), 'blocked', ['over_limit']],
    ['overdue invoices', input({ position: position({ total: 500, overdue: 200 }), oldestOverdueDays: 45 }), 'blocked', ['overdue_invoices']],
    ['manual block', input({ manualBlock: { reason: 'r' } }), 'blocked', ['manual_block']],
    ['grade X', input({ riskGrade: 'X' }), 'blocked', ['legal_proceedings']],
    ['grade E with a policy limit', input({ riskGrade: 'E', position: position({ source: 'policy_default' }) }), 'review', ['risk_grade']],
    ['grade E with an explicit limit', input({ riskGrade: 'E' }), 'approved', []],
    ['no limit and a default of 0', input({ position: position({ limit: 0, source: 'policy_default' }) }), 'review', ['no_limit']],
    ['an explicit limit of 0', input({ position: position({ limit: 0 }) }), 'blocked', ['over_limit']],
    ['review and blocked reasons together', input({ riskGrade: 'E', amount: 200_000, position: position({ source: 'policy_default' }) }), 'blocked', ['over_limit', 'risk_grade']],
  ])('%s → %s %j', (_label, i, decision, reasons) => {
    const out = decideOrder(i);
    expect(out.decision).toBe(decision);
    expect(out.reasons.map((r) => r.code)).toEqual(reasons);
  });

  it('lists every failing rule in REASON_ORDER', () => {
    const out = decideOrder(
      input({ riskGrade: 'X', manualBlock: { reason: null }, position: position({ total: 150_000, overdue: 10 }), oldestOverdueDays: 3 }),
    );
    expect(out.reasons.map((r) => r.code)).toEqual(REASON_ORDER.filter((c) => ['legal_proceedings', 'manual_block', 'overdue_invoices', 'over_limit'].includes(c)));
  });
});
