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

export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, types, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (database restart) must not crash the process.
  pool.on('error', () => {});
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
