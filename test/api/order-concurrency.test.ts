import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, credit, setLimit, unique } from '../setup/ledger-helpers.js';
import { testServerUrl } from '../setup/db-url.js';

let t: TestApp;
let server: Server;
let base: string;
beforeAll(async () => {
  t = await createTestApp();
  server = t.container.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server?.close();
  await t?.close();
});

const mode = testServerUrl() ? 'the PostgreSQL server' : 'the embedded database';

describe(`concurrency on ${mode} (ACCEPTANCE 14)`, () => {
  it('200 simultaneous checks of 100.00 against a limit of 10,000.00 approve exactly 100', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(`${base}/v1/order-checks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.order_system}`, 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: unique('C'), customerId: c.id, amount: 10_000, currency: 'EUR' }),
        });
        return (await res.json()) as { decision: string };
      }),
    );
    const approved = results.filter((r) => r.decision === 'approved').length;
    expect(approved).toBe(100);
    expect(results.filter((r) => r.decision === 'blocked').length).toBe(100);
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(1_000_000);
  }, 60_000);

  it('the same order id sent 20 times at once places one hold', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    const orderId = unique('SAME');
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const res = await fetch(`${base}/v1/order-checks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.order_system}`, 'content-type': 'application/json' },
          body: JSON.stringify({ orderId, customerId: c.id, amount: 10_000, currency: 'EUR' }),
        });
        return (await res.json()) as { holdId: string };
      }),
    );
    expect(new Set(results.map((r) => r.holdId)).size).toBe(1);
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(10_000);
  });
});

describe(`the holds read by an order check on ${mode}`, () => {
  it("are read through the customer's own holds, even by a plan made while the table was empty", async () => {
    // PL/pgSQL keeps one generic plan per connection; the one made when order_checks held nothing
    // must not walk every customer's active holds (bench:order-check-cost: 2.2 ms per check).
    const client = await t.container.database.pool.connect();
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE held(uuid, timestamptz) AS
        SELECT coalesce(sum(hold_amount), 0) FROM order_checks
         WHERE customer_id = $1 AND hold_status = 'active' AND expires_at > $2`);
      const { rows } = await client.query(`EXPLAIN EXECUTE held('00000000-0000-0000-0000-000000000000', now())`);
      const plan = rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
      expect(plan).toContain('order_checks_active_idx');
      expect(plan).toMatch(/Index Cond: \(\(customer_id = \$1\) AND \(expires_at > \$2\)\)/);
    } finally {
      await client.query('DEALLOCATE ALL').catch(() => undefined);
      await client.query('RESET plan_cache_mode').catch(() => undefined);
      client.release();
    }
  });
});
