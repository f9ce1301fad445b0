import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export class JobRunsStore {
  constructor(private readonly db: Kysely<DB>) {}

  async start(jobName: string, worker: string): Promise<number> {
    const row = await this.db.insertInto('job_runs').values({ job_name: jobName, worker }).returning('id').executeTakeFirstOrThrow();
    return row.id;
  }

  async finish(id: number, outcome: { status: 'succeeded' | 'failed'; counts?: Record<string, number>; error?: string }): Promise<void> {
    await this.db
      .updateTable('job_runs')
      .set({
        finished_at: new Date(),
        status: outcome.status,
        counts: JSON.stringify(outcome.counts ?? {}),
        error: outcome.error ?? null,
      })
      .where('id', '=', id)
      .execute();
  }

  list(filter: { jobName?: string; limit: number }) {
    let q = this.db.selectFrom('job_runs').selectAll().orderBy('id', 'desc').limit(filter.limit);
    if (filter.jobName) q = q.where('job_name', '=', filter.jobName);
    return q.execute();
  }
}
