import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import type pg from 'pg';
import type { Logger } from 'pino';
import { defineHeartbeat, HEARTBEAT } from './heartbeat.job.js';
import { defineExpireHolds, EXPIRE_HOLDS } from './expire-holds.job.js';
import { defineRecheckOrders } from './recheck-orders.job.js';
import { BODACC_DELTA, defineBodaccDelta } from './bodacc-delta.job.js';
import { defineRefreshSources, REFRESH_SOURCES } from './refresh-sources.job.js';
import { defineRescorePortfolio, RESCORE_PORTFOLIO } from './rescore-portfolio.job.js';
import { defineRescoreCustomers } from './rescore-customers.job.js';
import { defineExposureWatch, EXPOSURE_WATCH } from './exposure-watch.job.js';
import { defineLimitReviews, LIMIT_REVIEWS } from './limit-reviews.job.js';
import { defineDeliverWebhooks, DELIVER_WEBHOOKS } from './deliver-webhooks.job.js';
import { COLLECTIONS, defineCollections, defineSendEmails, SEND_EMAILS } from './collections.job.js';
import type { JobCounts } from './job-context.js';
import type { JobRunRecorder } from './job-context.js';

export interface JobDeps {
  runs: JobRunRecorder;
  logger: Logger;
  /** Names this process in job runs (hostname:pid). */
  worker: string;
  orders: { expireHolds(): Promise<number>; recheckWaiting(customerIds: readonly string[]): Promise<{ rechecked: number; approved: number }> };
  bodaccDelta: { run(): Promise<JobCounts> };
  sourceRefresh: { run(): Promise<JobCounts> };
  rescore: { rescorePortfolio(): Promise<JobCounts>; rescoreCustomers(ids: readonly string[]): Promise<JobCounts> };
  exposureWatch: { run(ids?: readonly string[] | null): Promise<JobCounts> };
  limitReviews: { run(): Promise<JobCounts> };
  webhooks: { deliverDue(limit?: number): Promise<JobCounts> };
  collections: { run(): Promise<JobCounts> };
  emailOutbox: { sendDue(): Promise<JobCounts> };
}

/** The jobs a person may run now (POST /v1/jobs/{name}/run): every scheduled job. */
export const RUNNABLE_JOBS = [HEARTBEAT, EXPIRE_HOLDS, BODACC_DELTA, REFRESH_SOURCES, RESCORE_PORTFOLIO, EXPOSURE_WATCH, LIMIT_REVIEWS, DELIVER_WEBHOOKS, COLLECTIONS, SEND_EMAILS] as const;
export type RunnableJob = (typeof RUNNABLE_JOBS)[number];

/** When each recurring job runs: a human interval ("15 minutes") or a cron expression in VIGIE_TIMEZONE. */
export interface JobSchedule {
  heartbeat: string;
  expireHolds: string;
  bodaccDelta: string;
  refreshSources: string;
  rescorePortfolio: string;
  exposureWatch: string;
  limitReviews: string;
  deliverWebhooks: string;
  collections: string;
  sendEmails: string;
}

export const DEFAULT_SCHEDULE: JobSchedule = {
  heartbeat: '1 minute',
  expireHolds: '5 minutes',
  bodaccDelta: '0 7 * * *',
  refreshSources: '15 minutes',
  rescorePortfolio: '0 2 * * *',
  exposureWatch: '0 6 * * *',
  limitReviews: '0 8 * * *',
  deliverWebhooks: '30 seconds',
  collections: '0 7 * * 1-5',
  sendEmails: '1 minute',
};

/**
 * Agenda on the service's own PostgreSQL pool (server or embedded): the backend keeps one client
 * for LISTEN/NOTIFY, so the pool needs at least two connections.
 */
export function createAgenda(pool: pg.Pool, options: { name: string; processEvery?: string | number; logger?: Logger }): Agenda {
  // Its schema is created by the migrations (20261203001200), never by processes racing at start.
  const backend = new PostgresBackend({ pool, ensureSchema: false });
  const agenda = new Agenda({
    backend,
    name: options.name,
    processEvery: options.processEvery ?? '5 seconds',
    defaultLockLifetime: 10 * 60_000,
  });
  // The LISTEN connection emits 'error' when the database goes away (restart, failover, terminated
  // backends) and reconnects by itself; unheard, that event would end the process. One line per
  // change of state rather than one per reconnection attempt.
  const channel = backend.notificationChannel;
  if (channel) {
    let lastError = '';
    channel.on('error', (err: Error) => {
      if (err.message === lastError) return;
      lastError = err.message;
      options.logger?.warn({ err: { message: err.message } }, 'job notifications: connection error; reconnecting');
    });
    channel.on('stateChange', (state: string) => {
      if (state !== 'connected' || !lastError) return;
      lastError = '';
      options.logger?.info('job notifications: reconnected');
      releaseStaleLocks(agenda, pool, options.name).catch((err: Error) => options.logger?.warn({ err }, 'could not release the locks of interrupted job runs'));
    });
  }
  return agenda;
}

/**
 * Runs this process had locked when the database went away could not record their end, so their
 * rows stay locked and no process would take them before the lock lifetime (10 minutes) passes.
 * Once the database is back, the locks this process holds on jobs it is not running are released.
 */
async function releaseStaleLocks(agenda: Agenda, pool: pg.Pool, name: string): Promise<void> {
  const stats = await agenda.getRunningStats(true);
  const running = (stats.runningJobs as Array<{ _id?: unknown }>).map((j) => String(j._id)).filter((id) => id !== 'undefined');
  await pool.query('UPDATE agenda_jobs SET locked_at = NULL WHERE last_modified_by = $1 AND locked_at IS NOT NULL AND NOT (id::text = ANY ($2::text[]))', [name, running]);
}

/** Defines every job. Handlers are thin: they call services passed in here. */
export function defineJobs(agenda: Agenda, deps: JobDeps): void {
  defineHeartbeat(agenda, deps);
  defineExpireHolds(agenda, deps);
  defineRecheckOrders(agenda, deps);
  defineBodaccDelta(agenda, deps);
  defineRefreshSources(agenda, deps);
  defineRescorePortfolio(agenda, deps);
  defineRescoreCustomers(agenda, deps);
  defineExposureWatch(agenda, deps);
  defineLimitReviews(agenda, deps);
  defineDeliverWebhooks(agenda, deps);
  defineCollections(agenda, deps);
  defineSendEmails(agenda, deps);
}

/** Schedules the recurring jobs; `every` upserts, so several processes calling it keep one schedule. */
export async function scheduleJobs(agenda: Agenda, schedule: JobSchedule = DEFAULT_SCHEDULE, timezone = 'Europe/Paris'): Promise<void> {
  const jobs: Array<[keyof JobSchedule, string]> = [
    ['heartbeat', HEARTBEAT],
    ['expireHolds', EXPIRE_HOLDS],
    ['bodaccDelta', BODACC_DELTA],
    ['refreshSources', REFRESH_SOURCES],
    ['rescorePortfolio', RESCORE_PORTFOLIO],
    ['exposureWatch', EXPOSURE_WATCH],
    ['limitReviews', LIMIT_REVIEWS],
    ['deliverWebhooks', DELIVER_WEBHOOKS],
    ['collections', COLLECTIONS],
    ['sendEmails', SEND_EMAILS],
  ];
  for (const [key, name] of jobs) {
    const interval = schedule[key];
    // "off" disables a schedule (the job can still be triggered).
    if (interval === 'off') continue;
    // A cron schedule waits for its time; an interval also runs once at start.
    const cron = /^(\S+\s+){4}\S+$/.test(interval.trim());
    await agenda.every(interval, name, undefined, { timezone, skipImmediate: cron });
  }
}
