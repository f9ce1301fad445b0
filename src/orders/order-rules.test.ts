import { describe, expect, it } from 'vitest';
import { explainReasons, type ReasonFacts } from './order-rules.js';

const facts: ReasonFacts = {
  amount: 4_000,
  currency: 'EUR',
  exposureTotal: 95_000,
  overdueAmount: 20_000,
  oldestOverdueDays: 45,
  graceDays: 15,
  creditLimit: 100_000,
  creditLimitSource: 'explicit',
  available: 5_000,
  manualBlockReason: 'litige en cours',
};

describe('explainReasons (the rules themselves are SQL: test/db/credit-rules.test.ts)', () => {
  it('words each reason with the figures behind it, in the order given', () => {
    const out = explainReasons(['manual_block', 'overdue_invoices', 'over_limit'], facts);
    expect(out.map((r) => r.code)).toEqual(['manual_block', 'overdue_invoices', 'over_limit']);
    expect(out[0]!.message).toBe('A credit manager blocked this customer: litige en cours.');
    expect(out[1]).toMatchObject({ overdueAmount: 20_000, oldestOverdueDays: 45, graceDays: 15 });
    expect(out[1]!.message).toContain('€200.00 is overdue, the oldest 45 days past its due date (grace 15 days)');
    expect(out[2]).toMatchObject({ available: 5_000, creditLimit: 100_000, exposure: 95_000 });
    expect(out[2]!.message).toContain('exceeds the available credit of €50.00');
  });

  it('a limit of 0 reads as prepayment only', () => {
    expect(explainReasons(['over_limit'], { ...facts, creditLimit: 0, available: -95_000 })[0]!.message).toBe('The credit limit is 0: prepayment only.');
  });

  it('refuses a code it does not know rather than stay silent', () => {
    expect(() => explainReasons(['made_up'], facts)).toThrow(/unknown reason code/);
  });
});
