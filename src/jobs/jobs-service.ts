import type { AuthContext } from '../api-keys/roles.js';
import type { AuditService } from '../audit/audit-service.js';
import type { Clock } from '../clock.js';
import type { RunnableJob } from '../../jobs/index.js';

/** Runs a scheduled job now, on whichever process runs jobs (this one, or a worker). */
export class JobsService {
  constructor(
    private readonly options: {
      enqueue: (name: RunnableJob) => Promise<{ id: string | null }>;
      audit: AuditService;
      clock: Clock;
    },
  ) {}

  async runNow(name: RunnableJob, reason: string | undefined, actor: AuthContext) {
    const queuedAt = this.options.clock.now().toISOString();
    const { id } = await this.options.enqueue(name);
    await this.options.audit.record({ actor, action: 'job.run_requested', entityType: 'job', entityId: name, newValue: { queuedAt, agendaJobId: id }, reason: reason ?? null });
    return { job: name, queuedAt, agendaJobId: id, runs: `/v1/jobs?job=${name}` };
  }
}
