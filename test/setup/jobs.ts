import { setTimeout as sleep } from 'node:timers/promises';
import type { TestApp } from './test-app.js';
import type { JobSchedule } from '../../jobs/index.js';

/** Every recurring schedule off: a test runs the jobs it wants, when it wants. */
export const NO_SCHEDULES: JobSchedule = {
  heartbeat: 'off',
  expireHolds: 'off',
  bodaccDelta: 'off',
  refreshSources: 'off',
  rescorePortfolio: 'off',
  exposureWatch: 'off',
  limitReviews: 'off',
  deliverWebhooks: 'off',
  collections: 'off',
  sendEmails: 'off',
};

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Enqueues a job through Agenda and waits for its recorded run to finish; returns the run. */
export async function runJob(t: TestApp, name: string, data?: unknown) {
  const { rows } = await t.container.database.pool.query<{ max: number | null }>('SELECT max(id) AS max FROM job_runs WHERE job_name = $1', [name]);
  const after = rows[0]!.max ?? 0;
  await t.container.agenda.now(name, data);
  return waitFor(
    async () => {
      const res = await t.container.database.pool.query<{ id: number; status: string; counts: Record<string, number>; error: string | null }>(
        "SELECT id, status, counts, error FROM job_runs WHERE job_name = $1 AND id > $2 AND status <> 'running' ORDER BY id LIMIT 1",
        [name, after],
      );
      return res.rows[0];
    },
    30_000,
    `a run of ${name}`,
  );
}
