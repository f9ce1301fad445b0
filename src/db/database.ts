import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { DB } from './schema.js';
import { startEmbeddedDatabase, type EmbeddedDatabase } from './embedded.js';

export type Db = Kysely<DB>;

// int8 (bigint, count(*), sum of bigint is numeric) as JS numbers: money is integer minor units,
// exact up to 2^53 (90 trillion euros in cents). `date` stays a 'YYYY-MM-DD' string: it is a day,
// not an instant, and must not move with the process's time zone.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (v === null ? null : Number(v));
    if (oid === 1082) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as unknown as pg.CustomTypesConfig;

export interface Database {
  db: Db;
  pool: pg.Pool;
  mode: 'server' | 'embedded';
  connectionString: string;
  close(): Promise<void>;
}

/**
 * True when an error says the database cannot be reached or dropped the connection (a restart, a
 * failover, terminated backends), as opposed to an error in what was asked of it: the service
 * answers 503 for these and the pool reconnects on the next query.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    // 08xxx connection exceptions; 57P01-57P03 admin/crash shutdown, cannot connect now; 53300 too many connections.
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN'].includes(code)) return true;
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed/i.test(message)
  );
}

export function createPool(connectionString: string, max: number): pg.Pool {
  // A connection attempt gives up after 5 s, so requests during an outage get an answer (503) in bounded time.
  const pool = new pg.Pool({ connectionString, max, types, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
  // Nor a client checked out between two queries (inside a transaction) when its backend is
  // terminated: pg emits 'error' on it with nobody listening, which ended the process (seen in the
  // database-loss test). Its next query fails as "not queryable" and the pool discards it.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  return pool;
}

export async function openDatabase(options: {
  databaseUrl?: string;
  dataDir: string;
  poolSize: number;
  embeddedConnections: number;
}): Promise<Database> {
  let embedded: EmbeddedDatabase | undefined;
  let connectionString = options.databaseUrl;
  let max = options.poolSize;
  if (!connectionString) {
    embedded = await startEmbeddedDatabase({ dataDir: options.dataDir, maxConnections: options.embeddedConnections * 4 });
    connectionString = embedded.connectionString;
    // PGlite runs one query at a time, so a small pool is enough; the socket server has room for
    // four such pools (this process, a worker, CLIs) because it queues connections beyond its slots.
    max = options.embeddedConnections;
  }
  const pool = createPool(connectionString, max);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    mode: embedded ? 'embedded' : 'server',
    connectionString,
    async close() {
      await db.destroy();
      await embedded?.stop();
    },
  };
}
