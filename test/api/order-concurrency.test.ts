import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { createCustomer, credit, setLimit, unique } from '../setup/ledger-helpers.js';
import { testServerUrl } from '../setup/db-url.js';
import { OrdersStore, type CheckParams } from '../../src/orders/orders-store.js';
import { DomainError } from '../../src/errors.js';

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

/** Order checks sent to the database, the round trips they took, and batches that failed whole. */
async function batchStats() {
  const { metrics } = t.container;
  const values = (await metrics.orderCheckBatchSize.get()).values;
  const pick = (name: string) => values.find((v) => v.metricName === name)?.value ?? 0;
  const fallbacks = (await metrics.orderCheckBatchFallbacks.get()).values[0]?.value ?? 0;
  return { checks: pick('vigie_order_check_batch_size_sum'), roundTrips: pick('vigie_order_check_batch_size_count'), fallbacks };
}

describe(`concurrency on ${mode} (ACCEPTANCE 14)`, () => {
  it('200 simultaneous checks of 100.00 against a limit of 10,000.00 approve exactly 100', async () => {
    const before = await batchStats();
    const c = await createCustomer(t);
    await setLimit(t, c.id, 1_000_000);
    // On the server, every lane is made to wait while the 200 arrive, as under load: another
    // transaction holds credit_accounts against row locks (reads still pass), so each batch waits at
    // its first statement and the checks that arrive meanwhile queue for the next round trip. (An
    // account held row by row would not do: a batch answers such a check `deferred` at once and its
    // lane is free again, so on a busy machine the checks could trickle through one by one.)
    const holder = testServerUrl() ? await t.container.database.pool.connect() : null;
    if (holder) {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE credit_accounts IN EXCLUSIVE MODE');
    }
    const sent = Promise.all(
      Array.from({ length: 200 }, async () => {
        const res = await fetch(`${base}/v1/order-checks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.order_system}`, 'content-type': 'application/json' },
          body: JSON.stringify({ orderId: unique('C'), customerId: c.id, amount: 10_000, currency: 'EUR' }),
        });
        return (await res.json()) as { decision: string };
      }),
    );
    if (holder) {
      // Until a batch waits on the holder (a loaded machine can take a while to send 200 requests),
      // then long enough for the rest to queue behind the lanes.
      const { rows: [me] } = await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const { rows } = await holder.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))', [me!.pid]);
        if (Number(rows[0]!.n) > 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 2_000));
      await holder.query('COMMIT');
      holder.release();
    }
    const results = await sent;
    const after = await batchStats();
    const approved = results.filter((r) => r.decision === 'approved').length;
    expect(approved).toBe(100);
    expect(results.filter((r) => r.decision === 'blocked').length).toBe(100);
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(1_000_000);
    // They went through the group commit: every check counted once, in fewer round trips than checks.
    expect(after.checks - before.checks).toBe(200);
    process.stdout.write(`group commit: 200 checks in ${after.roundTrips - before.roundTrips} round trips\n`);
    expect(after.roundTrips - before.roundTrips).toBeLessThan(200);
    expect(after.fallbacks).toBe(before.fallbacks);
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
      await client.query('DEALLOCATE held').catch(() => undefined);
      await client.query('RESET plan_cache_mode').catch(() => undefined);
      client.release();
    }
  });
});

describe(`batches of order checks on ${mode}`, () => {
  const store = () => new OrdersStore(t.container.database.db, t.container.database.pool, t.container.database.mode === 'server');
  const params = (customerId: string, amount: number, orderId = unique('BQ')): CheckParams => ({
    orderId,
    customerId,
    customerExternalId: null,
    amount,
    currency: 'EUR',
    today: t.container.services.credit.today(),
    graceDays: 0,
    defaultLimit: 0,
    holdTtlHours: 24,
    now: t.clock.now(),
    policyVersion: 1,
    actor: 'test',
  });
  const decisions = (results: Array<{ outcome: string; row?: { decision: string } }>) =>
    results.map((r) => (r.outcome === 'created' ? r.row!.decision : r.outcome));

  it('decide each check as if it had come alone, in the order given, and record them in one commit', async () => {
    const a = await createCustomer(t);
    const b = await createCustomer(t);
    await setLimit(t, a.id, 10_000);
    await setLimit(t, b.id, 5_000);
    const repeated = unique('BQ');
    const results = await store().checkMany([
      params(a.id, 6_000),
      params(b.id, 5_000),
      params(a.id, 3_000, repeated),
      params(a.id, 3_000, repeated), // the same order again: the first answer, no second hold
      params(a.id, 2_000), // 9,000 already held: over the limit
      params(b.id, 1),
    ]);
    expect(decisions(results)).toEqual(['approved', 'approved', 'approved', 'existing', 'blocked', 'blocked']);
    expect(results[3]!.outcome === 'existing' && results[3]!.row.hold_id).toBe(results[2]!.outcome === 'created' && results[2]!.row.hold_id);
    expect((await credit(t, a.id)).exposure.activeHolds).toBe(9_000);
    expect((await credit(t, b.id)).exposure.activeHolds).toBe(5_000);
  });

  it('give a bad order its own error and check the others (POST /v1/order-checks/batch)', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const ok = (amount: number) => ({ orderId: unique('BR'), customerId: c.id, amount, currency: 'EUR' });
    const first = ok(4_000);
    const items = [
      first,
      { orderId: unique('BR'), customerExternalId: 'NO-SUCH-CUSTOMER', amount: 100, currency: 'EUR' },
      ok(1_000),
      { ...ok(100), currency: 'USD' },
      { ...first, amount: 4_001 },
      ok(2_000),
    ];
    const res = await t.as('order_system').post('/v1/order-checks/batch', { items }).expect(200);
    expect(res.body.results.map((r: { decision?: string; error?: { code: string } }) => r.decision ?? r.error!.code)).toEqual([
      'approved',
      'customer_not_found',
      'approved',
      'currency_mismatch',
      'order_id_conflict',
      'approved',
    ]);
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(7_000);
  });

  it('check each order alone when the batch fails as a whole, so one broken check fails no other', async () => {
    const c = await createCustomer(t);
    await setLimit(t, c.id, 10_000);
    const before = await batchStats();
    const actor = { keyId: null, name: 'test', role: 'order_system' as const };
    // Not a uuid: the batch statement itself fails, before any check is recorded.
    const outcomes = await t.container.services.orders.checkMany(
      [
        { orderId: unique('BF'), customerId: c.id, amount: 1_000, currency: 'EUR' },
        { orderId: unique('BF'), customerId: 'not-a-uuid', amount: 1_000, currency: 'EUR' },
        { orderId: unique('BF'), customerId: c.id, amount: 2_000, currency: 'EUR' },
      ],
      actor,
    );
    expect(outcomes[0]).toMatchObject({ view: { decision: 'approved' } });
    expect(outcomes[1]).toBeInstanceOf(Error);
    expect(outcomes[1]).not.toBeInstanceOf(DomainError);
    expect(outcomes[2]).toMatchObject({ view: { decision: 'approved' } });
    expect((await credit(t, c.id)).exposure.activeHolds).toBe(3_000);
    expect((await batchStats()).fallbacks).toBe(before.fallbacks + 1);
  });

  it('never deadlock: batches naming the same customers in opposite orders all commit', async () => {
    const a = await createCustomer(t);
    const b = await createCustomer(t);
    await setLimit(t, a.id, 1_000_000);
    await setLimit(t, b.id, 1_000_000);
    const before = await batchStats();
    const actor = { keyId: null, name: 'test', role: 'order_system' as const };
    const check = (customerId: string) => ({ orderId: unique('DL'), customerId, amount: 100, currency: 'EUR' });
    const orders = t.container.services.orders;
    const rounds = Array.from({ length: 20 }, () =>
      Promise.all([orders.checkMany([check(a.id), check(b.id)], actor), orders.checkMany([check(b.id), check(a.id)], actor)]),
    );
    const results = (await Promise.all(rounds)).flat(2);
    expect(results.every((r) => !(r instanceof Error) && r.view.decision === 'approved')).toBe(true);
    expect((await credit(t, a.id)).exposure.activeHolds).toBe(4_000);
    expect((await credit(t, b.id)).exposure.activeHolds).toBe(4_000);
    // No batch failed as a whole (a deadlock would have made PostgreSQL abort one of two batches).
    expect((await batchStats()).fallbacks).toBe(before.fallbacks);
  });

  // On the embedded database one transaction runs at a time: no other transaction can hold an account meanwhile.
  it.runIf(testServerUrl())('defer a check whose account another transaction holds, and record nothing for it', async () => {
    const busy = await createCustomer(t);
    const free = await createCustomer(t);
    await setLimit(t, busy.id, 10_000);
    await setLimit(t, free.id, 10_000);
    const other = await t.container.database.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM credit_accounts WHERE customer_id = $1 FOR UPDATE', [busy.id]);
      const results = await store().checkMany([params(free.id, 1_000), params(busy.id, 1_000), params(free.id, 2_000)]);
      expect(decisions(results)).toEqual(['approved', 'deferred', 'approved']);
    } finally {
      await other.query('ROLLBACK');
      other.release();
    }
    expect((await credit(t, busy.id)).exposure.activeHolds).toBe(0);
    expect((await credit(t, free.id)).exposure.activeHolds).toBe(3_000);
  });

  it.runIf(testServerUrl())("never hold other customers' checks behind an account another transaction holds (a ledger import, say)", async () => {
    const busy = await createCustomer(t);
    await setLimit(t, busy.id, 1_000_000);
    const others = await Promise.all(Array.from({ length: 5 }, async () => {
      const c = await createCustomer(t);
      await setLimit(t, c.id, 1_000_000);
      return c;
    }));
    const actor = { keyId: null, name: 'test', role: 'order_system' as const };
    const orders = t.container.services.orders;
    const check = (customerId: string) => orders.check({ orderId: unique('HL'), customerId, amount: 100, currency: 'EUR' }, actor);
    const importer = await t.container.database.pool.connect();
    let busyChecks: Array<Promise<unknown>> = [];
    try {
      await importer.query('BEGIN');
      await importer.query('SELECT 1 FROM credit_accounts WHERE customer_id = $1 FOR UPDATE', [busy.id]);
      // The busy customer's checks go first and fill both lanes; the others queue behind them.
      busyChecks = Array.from({ length: 4 }, () => check(busy.id));
      const rest = await Promise.all(Array.from({ length: 30 }, (_, i) => check(others[i % others.length]!.id)));
      // All answered while the busy account is still locked.
      expect(rest.every((r) => r.view.decision === 'approved')).toBe(true);
    } finally {
      await importer.query('COMMIT');
      importer.release();
    }
    const busyResults = (await Promise.all(busyChecks)) as Array<{ view: { decision: string } }>;
    expect((await t.container.metrics.orderChecksDeferred.get()).values[0]?.value).toBeGreaterThanOrEqual(4);
    expect(busyResults.map((r) => r.view.decision)).toEqual(['approved', 'approved', 'approved', 'approved']);
    expect((await credit(t, busy.id)).exposure.activeHolds).toBe(400);
  }, 30_000);

  it('keep their plans on the indexes whatever the size of order_checks when a connection first planned them', async () => {
    // Otherwise a plan made while order_checks was nearly empty scans it whole for every check
    // until the next ANALYZE (10–50 ms per check after a few thousand, seen in bench:order-checks).
    const { rows } = await t.container.database.pool.query(
      "SELECT proname, proconfig FROM pg_proc WHERE proname IN ('vigie_order_check', 'vigie_order_checks') ORDER BY proname",
    );
    expect(rows).toEqual([
      { proname: 'vigie_order_check', proconfig: ['enable_seqscan=off'] },
      { proname: 'vigie_order_checks', proconfig: ['enable_seqscan=off'] },
    ]);
  });
});
