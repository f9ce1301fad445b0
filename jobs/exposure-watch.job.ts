import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const EXPOSURE_WATCH = 'exposure-watch';

/** The automatic block set or cleared from the credit rules, for the customers named (after a ledger write) or the whole portfolio. */
export function defineExposureWatch(agenda: Agenda, deps: JobDefinitionDeps & { exposureWatch: { run(ids?: readonly string[] | null): Promise<JobCounts> } }): void {
  agenda.define<{ customerIds?: string[] | null } | undefined>(EXPOSURE_WATCH, recorded(EXPOSURE_WATCH, deps, (job) => deps.exposureWatch.run(job.attrs.data?.customerIds ?? null)), { backoff: RETRY_BACKOFF });
}
