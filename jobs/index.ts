import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { Logger } from 'pino';
import { defineHeartbeat, HEARTBEAT } from './heartbeat.job.js';
import { defineExpireHolds, EXPIRE_HOLDS } from './expire-holds.job.js';
import type { JobRunRecorder } from './job-context.js';

export interface JobDeps {
  runs: JobRunRecorder;
  logger: Logger;
  /** Names this process in job runs (hostname:pid). */
  worker: string;
  orders: { expireHolds(): Promise<number> };
}

export interface JobSchedule {
  heartbeat: string;
  expireHolds: string;
}

export const DEFAULT_SCHEDULE: JobSchedule = { heartbeat: '1 minute', expireHolds: '5 minutes' };

/**
 * Agenda on the service's own PostgreSQL pool (server or embedded): the backend keeps one client
 * for LISTEN/NOTIFY, so the pool needs at least two connections.
 */
export function createAgenda(pool: pg.Pool, options: { name: string; processEvery?: string | number }): Agenda {
  return new Agenda({
    backend: new PostgresBackend({ pool }),
    name: options.name,
    processEvery: options.processEvery ?? '5 seconds',
    defaultLockLifetime: 10 * 60_000,
  });
}

/** Defines every job. Handlers are thin: they call services passed in here. */
export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  defineHeartbeat(agenda, deps);
  defineExpireHolds(agenda, deps);
}

/** Schedules the recurring jobs; `every` upserts, so several processes calling it keep one schedule. */
export async function scheduleJobs(agenda: Agenda, schedule: JobSchedule = DEFAULT_SCHEDULE): Promise<void> {
  await agenda.every(schedule.heartbeat, HEARTBEAT);
  await agenda.every(schedule.expireHolds, EXPIRE_HOLDS);
}
