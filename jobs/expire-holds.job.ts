import type { Agenda } from 'agenda';
import { recorded, type JobRunRecorder } from './job-context.js';
import type { Logger } from 'pino';

export const EXPIRE_HOLDS = 'expire-holds';

/** Marks order holds past their time-to-live as expired (they already stopped counting at that moment). */
export function defineExpireHolds(
  agenda: Agenda,
  deps: { runs: JobRunRecorder; logger: Logger; worker: string; orders: { expireHolds(): Promise<number> } },
): void {
  agenda.define(EXPIRE_HOLDS, recorded(EXPIRE_HOLDS, deps, async () => ({ expired: await deps.orders.expireHolds() })));
}
