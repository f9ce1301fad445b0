import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { REASON_ORDER } from '../../src/orders/order-rules.js';
import { createTestDatabase } from '../setup/test-database.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  await migrateToLatest(database.db);
});
afterAll(async () => {
  await database?.close();
});

interface Case {
  amount?: number;
  limit?: number;
  source?: 'explicit' | 'policy_default';
  total?: number;
  overdue?: number;
  grade?: string | null;
  manual?: boolean;
  collections?: boolean;
}

/** vigie_credit_reasons() and vigie_credit_decision(): the one home of the order rules. */
async function decide(c: Case) {
  const { rows } = await database.pool.query<{ reasons: string[]; decision: string }>(
    'SELECT r AS reasons, vigie_credit_decision(r) AS decision FROM vigie_credit_reasons($1, $2, $3, $4, $5, $6, $7, $8) AS r',
    [c.grade ?? null, c.manual ?? false, c.collections ?? false, c.overdue ?? 0, c.total ?? 0, c.amount ?? 1_000, c.limit ?? 100_000, c.source ?? 'explicit'],
  );
  return rows[0]!;
}

describe('the credit rules (SQL)', () => {
  it.each<[string, Case, string, string[]]>([
    ['within the limit', {}, 'approved', []],
    ['exactly at the limit', { amount: 100_000 }, 'approved', []],
    ['one cent over the limit', { amount: 100_001 }, 'blocked', ['over_limit']],
    ['overdue invoices', { total: 500, overdue: 200 }, 'blocked', ['overdue_invoices']],
    ['manual block', { manual: true }, 'blocked', ['manual_block']],
    ['collections at the blocking step', { collections: true }, 'blocked', ['collections']],
    ['grade X', { grade: 'X' }, 'blocked', ['legal_proceedings']],
    ['grade E with a policy limit', { grade: 'E', source: 'policy_default' }, 'review', ['risk_grade']],
    ['grade E with an explicit limit', { grade: 'E' }, 'approved', []],
    ['no limit and a default of 0', { limit: 0, source: 'policy_default' }, 'review', ['no_limit']],
    ['an explicit limit of 0', { limit: 0 }, 'blocked', ['over_limit']],
    ['review and blocked reasons together', { grade: 'E', amount: 200_000, source: 'policy_default' }, 'blocked', ['over_limit', 'risk_grade']],
    ['an order of 0 at the limit (what the customer view asks)', { amount: 0, total: 100_000 }, 'approved', []],
    ['an order of 0 past the limit', { amount: 0, total: 100_001 }, 'blocked', ['over_limit']],
  ])('%s → %s %j', async (_label, c, decision, reasons) => {
    expect(await decide(c)).toEqual({ reasons, decision });
  });

  it('lists every failing rule in REASON_ORDER', async () => {
    const out = await decide({ grade: 'X', manual: true, collections: true, total: 150_000, overdue: 10, source: 'explicit' });
    expect(out.reasons).toEqual(REASON_ORDER.filter((c) => ['legal_proceedings', 'manual_block', 'collections', 'overdue_invoices', 'over_limit'].includes(c)));
  });

  it('the order check plans the position inline, on the indexes (no function scan, no sequential scan)', async () => {
    const client = await database.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query(
        `EXPLAIN SELECT * FROM vigie_credit_position('00000000-0000-0000-0000-000000000000', NULL, 0, '2026-01-01', now(), 5000, 9000)`,
      );
      const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toContain('Function Scan');
      expect(plan).toContain('invoices_open_idx');
      expect(plan).toContain('order_checks_active_idx');
      expect(plan).not.toMatch(/Seq Scan/);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
