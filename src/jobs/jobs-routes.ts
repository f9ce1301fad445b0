import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import type { JobRunsStore } from './job-runs-store.js';
import type { JobsService } from './jobs-service.js';
import { RUNNABLE_JOBS } from '../../jobs/index.js';
import { reply } from '../http/route.js';

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

export function jobsRoutes(runs: JobRunsStore, jobs: JobsService): RouteDef[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/jobs/:name/run',
      tag: 'Jobs',
      summary: 'Run a scheduled job now (audited)',
      description: 'Queues one run on the process that runs jobs (this one, or a worker) and answers at once; follow it at `GET /v1/jobs?job=<name>`.',
      roles: ['credit_manager'],
      params: z.strictObject({ name: z.enum(RUNNABLE_JOBS) }),
      body: z.strictObject({ reason: z.string().trim().min(1).max(500).optional() }).optional(),
      responses: {
        202: {
          description: 'Queued',
          schema: z.object({ job: z.string(), queuedAt: z.string(), agendaJobId: z.string().nullable(), runs: z.string() }),
        },
      },
      handler: async ({ params, body, auth }) => reply(202, await jobs.runNow(params.name, body?.reason, auth)),
    }),
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
