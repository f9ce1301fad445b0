import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const LIMIT_REVIEWS = 'limit-reviews';

/** Alerts for credit limits whose review date is near or past. */
export function defineLimitReviews(agenda: Agenda, deps: JobDefinitionDeps & { limitReviews: { run(): Promise<JobCounts> } }): void {
  agenda.define(LIMIT_REVIEWS, recorded(LIMIT_REVIEWS, deps, () => deps.limitReviews.run()), { backoff: RETRY_BACKOFF, concurrency: 1, lockLimit: 1 });
}
