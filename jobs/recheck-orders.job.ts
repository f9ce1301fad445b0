import type { Agenda } from 'agenda';
import { recorded, type JobDefinitionDeps } from './job-context.js';

export const RECHECK_ORDERS = 'recheck-orders';

/**
 * After a limit was raised or the ledger moved for some customers: their orders waiting (review or blocked)
 * are decided again, when the credit policy asks for it (autoRecheckOrders).
 */
export function defineRecheckOrders(
  agenda: Agenda,
  deps: JobDefinitionDeps & { orders: { recheckWaiting(customerIds: readonly string[]): Promise<{ rechecked: number; approved: number }> } },
): void {
  agenda.define<{ customerIds: string[] }>(RECHECK_ORDERS, recorded(RECHECK_ORDERS, deps, (job) => deps.orders.recheckWaiting(job.attrs.data.customerIds)));
}
