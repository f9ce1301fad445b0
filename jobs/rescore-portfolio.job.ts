import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const RESCORE_PORTFOLIO = 'rescore-portfolio';

/** Every customer re-scored from stored data, skipping those whose inputs have not changed. */
export function defineRescorePortfolio(agenda: Agenda, deps: JobDefinitionDeps & { rescore: { rescorePortfolio(): Promise<JobCounts> } }): void {
  agenda.define(RESCORE_PORTFOLIO, recorded(RESCORE_PORTFOLIO, deps, () => deps.rescore.rescorePortfolio()), { backoff: RETRY_BACKOFF, concurrency: 1, lockLimit: 1 });
}
