import type { Agenda } from 'agenda';
import { recorded, type JobRunRecorder } from './job-context.js';
import type { Logger } from 'pino';

export const HEARTBEAT = 'heartbeat';

/** A trivial scheduled job: proves the scheduler runs, and shows at /v1/jobs when a worker last ran. */
export function defineHeartbeat(agenda: Agenda, deps: { runs: JobRunRecorder; logger: Logger; worker: string }): void {
  agenda.define(HEARTBEAT, recorded(HEARTBEAT, deps, async () => ({ beats: 1 })));
}
