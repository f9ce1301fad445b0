import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { pinProtocolBatches } from './embedded-queue.js';

/**
 * The zero-setup database: PGlite (PostgreSQL compiled to WASM) served over the PostgreSQL wire
 * protocol on 127.0.0.1, so the service talks to it through the same `pg` driver and SQL as to a
 * real server. One process owns the data directory; others (a `npm run worker`) find its port in
 * the lock file and connect to it instead of opening the directory a second time.
 */
export interface EmbeddedDatabase {
  connectionString: string;
  /** True when this process started PGlite; false when it joined another process's. */
  owner: boolean;
  stop(): Promise<void>;
}

interface LockFile {
  pid: number;
  port: number;
}

const LOCK_NAME = 'vigie-embedded.json';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(lockPath: string): LockFile | undefined {
  try {
    const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockFile;
    if (Number.isInteger(lock.pid) && Number.isInteger(lock.port) && lock.pid !== process.pid && processAlive(lock.pid)) {
      return lock;
    }
  } catch {
    // missing or half-written: treated as no owner
  }
  return undefined;
}

const url = (port: number) => `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;

/**
 * Starts (or joins) the embedded database. `dataDir` of `memory://` keeps everything in memory
 * (tests); any other value is a directory that survives restarts.
 */
export async function startEmbeddedDatabase(options: {
  dataDir: string;
  maxConnections: number;
}): Promise<EmbeddedDatabase> {
  const inMemory = options.dataDir.startsWith('memory://');
  let lockPath: string | undefined;
  let lockFd: number | undefined;
  let pgDir = options.dataDir;
  if (!inMemory) {
    const root = path.resolve(options.dataDir);
    fs.mkdirSync(root, { recursive: true });
    pgDir = path.join(root, 'pg');
    lockPath = path.join(root, LOCK_NAME);
    for (let attempt = 0; attempt < 50 && lockFd === undefined; attempt++) {
      const existing = readLock(lockPath);
      if (existing) {
        return { connectionString: url(existing.port), owner: false, stop: async () => {} };
      }
      try {
        lockFd = fs.openSync(lockPath, 'wx');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        // Another process is starting, or a dead one left its lock: look again shortly.
        const stat = fs.statSync(lockPath, { throwIfNoEntry: false });
        if (stat && Date.now() - stat.mtimeMs > 15_000 && !readLock(lockPath)) fs.rmSync(lockPath, { force: true });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (lockFd === undefined) throw new Error(`Could not take the embedded database lock ${lockPath}`);
  }

  const db = await PGlite.create(inMemory ? undefined : pgDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: options.maxConnections });
  pinProtocolBatches(server, db);
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  if (lockFd !== undefined) {
    fs.writeSync(lockFd, JSON.stringify({ pid: process.pid, port } satisfies LockFile));
    fs.closeSync(lockFd);
  }
  let stopped = false;
  return {
    connectionString: url(port),
    owner: true,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      if (lockPath) fs.rmSync(lockPath, { force: true });
    },
  };
}
