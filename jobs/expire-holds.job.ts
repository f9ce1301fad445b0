import type { Agenda } from 'agenda';
import { recorded, type JobDefinitionDeps } from './job-context.js';

export const EXPIRE_HOLDS = 'expire-holds';

/** Marks order holds past their time-to-live as expired (they already stopped counting at that moment). */
export function defineExpireHolds(
  agenda: Agenda,
  deps: JobDefinitionDeps & { orders: { expireHolds(): Promise<number> } },
): void {
  agenda.define(EXPIRE_HOLDS, recorded(EXPIRE_HOLDS, deps, async () => ({ expired: await deps.orders.expireHolds() })));
}
