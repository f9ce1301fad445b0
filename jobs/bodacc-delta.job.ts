import type { Agenda } from 'agenda';
import { recorded, RETRY_BACKOFF, type JobCounts, type JobDefinitionDeps } from './job-context.js';

export const BODACC_DELTA = 'bodacc-delta';

/** Announcements published on BODACC since the last complete day, for the whole portfolio: alerts and immediate re-scores. */
export function defineBodaccDelta(agenda: Agenda, deps: JobDefinitionDeps & { bodaccDelta: { run(): Promise<JobCounts> } }): void {
  agenda.define(BODACC_DELTA, recorded(BODACC_DELTA, deps, () => deps.bodaccDelta.run()), { backoff: RETRY_BACKOFF, concurrency: 1, lockLimit: 1 });
}
