import type { Agenda } from 'agenda';
import { recorded, type JobDefinitionDeps } from './job-context.js';

export const HEARTBEAT = 'heartbeat';

/** A trivial scheduled job: proves the scheduler runs, and shows at /v1/jobs when a worker last ran. */
export function defineHeartbeat(agenda: Agenda, deps: JobDefinitionDeps): void {
  agenda.define(HEARTBEAT, recorded(HEARTBEAT, deps, async () => ({ beats: 1 })));
}
