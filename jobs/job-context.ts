import type { Job } from 'agenda';
import type { Logger } from 'pino';

/** What a job handler may report: counts shown at GET /v1/jobs. */
export type JobCounts = Record<string, number>;

export interface JobRunRecorder {
  start(jobName: string, worker: string): Promise<number>;
  finish(id: number, outcome: { status: 'succeeded' | 'failed'; counts?: JobCounts; error?: string }): Promise<void>;
}

/**
 * Wraps a handler so every run is recorded (start, end, counts, error) and errors still reach
 * Agenda, which retries with backoff.
 */
export function recorded<DATA = unknown>(
  name: string,
  deps: { runs: JobRunRecorder; logger: Logger; worker: string },
  handler: (job: Job<DATA>) => Promise<JobCounts | void>,
): (job: Job<DATA>) => Promise<void> {
  return async (job) => {
    const runId = await deps.runs.start(name, deps.worker);
    try {
      const counts = (await handler(job)) ?? {};
      await deps.runs.finish(runId, { status: 'succeeded', counts });
      deps.logger.info({ job: name, counts }, 'job run succeeded');
    } catch (err) {
      await deps.runs.finish(runId, { status: 'failed', error: (err as Error).message });
      deps.logger.error({ job: name, err }, 'job run failed');
      throw err;
    }
  };
}
