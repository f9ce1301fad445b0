import type { AuthContext } from '../api-keys/roles.js';

/** What a monitoring job reports: counts shown at GET /v1/jobs. */
export type Counts = Record<string, number>;

/** The actor of what the monitoring jobs do, in the audit log. */
export const SYSTEM: AuthContext = { keyId: null, name: 'monitoring', role: 'admin' };

/** Re-scores customers now (RescoreService): the jobs that find news about a customer call it. */
export interface Rescorer {
  rescoreCustomers(customerIds: readonly string[]): Promise<{ assessed: number; gradeChanges: number }>;
}
