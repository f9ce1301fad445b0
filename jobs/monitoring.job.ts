import { backoffStrategies, type Agenda } from 'agenda';
import type { Logger } from 'pino';
import { recorded, type JobCounts, type JobRunRecorder } from './job-context.js';

export const BODACC_DELTA = 'bodacc-delta';
export const REFRESH_SOURCES = 'refresh-sources';
export const RESCORE_PORTFOLIO = 'rescore-portfolio';
export const RESCORE_CUSTOMERS = 'rescore-customers';
export const EXPOSURE_WATCH = 'exposure-watch';
export const LIMIT_REVIEWS = 'limit-reviews';
export const DELIVER_WEBHOOKS = 'deliver-webhooks';

export interface MonitoringJobDeps {
  runs: JobRunRecorder;
  logger: Logger;
  worker: string;
  monitoring: {
    bodaccDelta(): Promise<JobCounts>;
    refreshSources(): Promise<JobCounts>;
    rescorePortfolio(): Promise<JobCounts>;
    rescoreCustomers(ids: readonly string[]): Promise<JobCounts>;
    exposureWatch(ids?: readonly string[] | null): Promise<JobCounts>;
    limitReviews(): Promise<JobCounts>;
  };
  webhooks: { deliverDue(limit?: number): Promise<JobCounts> };
}

// A failed run is retried: 30 s, 1 min, 2 min… up to 15 min apart, 6 times; the next schedule comes anyway.
const backoff = backoffStrategies.exponential({ delay: 30_000, maxDelay: 15 * 60_000, maxRetries: 6, jitter: 0.2 });

/** Thin handlers: each calls one idempotent service method. */
export function defineMonitoringJobs(agenda: Agenda, deps: MonitoringJobDeps): void {
  const m = deps.monitoring;
  agenda.define(BODACC_DELTA, recorded(BODACC_DELTA, deps, () => m.bodaccDelta()), { backoff, concurrency: 1, lockLimit: 1 });
  agenda.define(REFRESH_SOURCES, recorded(REFRESH_SOURCES, deps, () => m.refreshSources()), { backoff, concurrency: 1, lockLimit: 1 });
  agenda.define(RESCORE_PORTFOLIO, recorded(RESCORE_PORTFOLIO, deps, () => m.rescorePortfolio()), { backoff, concurrency: 1, lockLimit: 1 });
  agenda.define<{ customerIds: string[] }>(RESCORE_CUSTOMERS, recorded(RESCORE_CUSTOMERS, deps, (job) => m.rescoreCustomers(job.attrs.data.customerIds)), { backoff });
  agenda.define<{ customerIds?: string[] | null } | undefined>(
    EXPOSURE_WATCH,
    recorded(EXPOSURE_WATCH, deps, (job) => m.exposureWatch(job.attrs.data?.customerIds ?? null)),
    { backoff },
  );
  agenda.define(LIMIT_REVIEWS, recorded(LIMIT_REVIEWS, deps, () => m.limitReviews()), { backoff, concurrency: 1, lockLimit: 1 });
  agenda.define(DELIVER_WEBHOOKS, recorded(DELIVER_WEBHOOKS, deps, () => deps.webhooks.deliverDue()), { concurrency: 1, lockLimit: 1 });
}
