import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const RESCORE_CUSTOMERS = 'rescore-customers';

/** The customers named in the job re-scored now (after a legal event or a change of their data). */
export function defineRescoreCustomers(agenda: Agenda, deps: JobDefinitionDeps & { rescore: { rescoreCustomers(ids: readonly string[]): Promise<JobCounts> } }): void {
  agenda.define<{ customerIds: string[] }>(RESCORE_CUSTOMERS, recorded(RESCORE_CUSTOMERS, deps, (job) => deps.rescore.rescoreCustomers(job.attrs.data.customerIds)), { backoff: RETRY_BACKOFF });
}
