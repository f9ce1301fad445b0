import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const REFRESH_SOURCES = 'refresh-sources';

/** Registry and financial data past their TTL re-fetched, a batch per run, largest exposure first. */
export function defineRefreshSources(agenda: Agenda, deps: JobDefinitionDeps & { sourceRefresh: { run(): Promise<JobCounts> } }): void {
  agenda.define(REFRESH_SOURCES, recorded(REFRESH_SOURCES, deps, () => deps.sourceRefresh.run()), { backoff: RETRY_BACKOFF, concurrency: 1, lockLimit: 1 });
}
