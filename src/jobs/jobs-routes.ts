import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { JobRunsStore } from './job-runs-store.js';

const runSchema = z.object({
  id: z.number().int(),
  job: z.string(),
  worker: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  status: z.enum(['running', 'succeeded', 'failed']),
  counts: z.record(z.string(), z.number()),
  error: z.string().nullable(),
});

export function jobsRoutes(runs: JobRunsStore): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/jobs',
      tag: 'Jobs',
      summary: 'Recent runs of the scheduled jobs (start, end, counts, errors)',
      roles: ['credit_manager'],
      query: z.strictObject({
        job: z.string().max(100).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      responses: { 200: { description: 'Runs, newest first', schema: z.object({ items: z.array(runSchema) }) } },
      handler: async ({ query }) => ({
        items: (await runs.list({ jobName: query.job, limit: query.limit })).map((r) => ({
          id: r.id,
          job: r.job_name,
          worker: r.worker,
          startedAt: r.started_at.toISOString(),
          finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
          status: r.status,
          counts: r.counts,
          error: r.error,
        })),
      }),
    }),
  ];
}
