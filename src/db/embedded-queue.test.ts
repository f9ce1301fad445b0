import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from './database.js';

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ dataDir: 'memory://', poolSize: 4, embeddedConnections: 4 });
});
afterAll(() => database.close());

describe('the embedded database under concurrent connections', () => {
  it('parameterised queries on four connections at once each get their own answer (pglite#1046)', async () => {
    const pool = database.pool;
    const results = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        i % 2 === 0
          ? pool.query<{ v: number }>('SELECT $1::int AS v', [i]).then((r) => r.rows[0]!.v)
          : pool.query<{ v: number }>('SELECT $1::int + $2::int - $2::int AS v', [i, 7]).then((r) => r.rows[0]!.v),
      ),
    );
    expect(results).toEqual(Array.from({ length: 400 }, (_, i) => i));
  });

  it('a failing statement does not stall the others', async () => {
    const pool = database.pool;
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => pool.query(i % 4 === 0 ? 'SELECT 1/$1::int' : 'SELECT $1::int AS v', [i % 4 === 0 ? 0 : i])));
    expect(outcomes.filter((o) => o.status === 'rejected')).toHaveLength(10);
    expect((await pool.query('SELECT 42 AS v')).rows[0].v).toBe(42);
  });
});
