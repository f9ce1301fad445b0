import { backoffStrategies, type Job } from 'agenda';
import type { Logger } from 'pino';

/** What every job definition needs: where runs are recorded, the logger, and this process's name. */
export interface JobDefinitionDeps {
  runs: JobRunRecorder;
  logger: Logger;
  worker: string;
}

// A failed run is retried: 30 s, 1 min, 2 min… up to 15 min apart, 6 times; the next schedule comes anyway.
export const RETRY_BACKOFF = backoffStrategies.exponential({ delay: 30_000, maxDelay: 15 * 60_000, maxRetries: 6, jitter: 0.2 });

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
