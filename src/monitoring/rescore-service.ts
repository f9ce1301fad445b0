import type { AssessmentsService, GradeChange } from '../scoring/assessments-service.js';
import type { Counts, Rescorer } from './monitoring-common.js';

/** The jobs rescore-portfolio (nightly) and rescore-customers (when news arrives about some). */
export class RescoreService implements Rescorer {
  constructor(
    private readonly deps: {
      assessments: AssessmentsService;
      /** A grade into or out of X changes what blocks: the exposure watch runs for those customers. */
      onIntoOrOutOfX: (customerIds: string[]) => Promise<unknown>;
    },
  ) {}

  /** Re-scores these customers now; a grade into or out of X re-runs the exposure watch for them. */
  async rescoreCustomers(customerIds: readonly string[]): Promise<{ assessed: number; gradeChanges: number }> {
    if (customerIds.length === 0) return { assessed: 0, gradeChanges: 0 };
    const r = await this.deps.assessments.rescore({ customerIds });
    await this.afterGradeChanges(r.gradeChanges);
    return { assessed: r.assessed, gradeChanges: r.gradeChanges.length };
  }

  /** The nightly re-score of the whole portfolio (unchanged inputs are skipped). */
  async rescorePortfolio(): Promise<Counts> {
    const r = await this.deps.assessments.rescore();
    await this.afterGradeChanges(r.gradeChanges);
    return { customers: r.customers, assessed: r.assessed, unchanged: r.unchanged, gradeChanges: r.gradeChanges.length };
  }

  private async afterGradeChanges(changes: GradeChange[]) {
    const ids = changes.filter((c) => (c.from === 'X') !== (c.to === 'X')).map((c) => c.customerId);
    if (ids.length > 0) await this.deps.onIntoOrOutOfX(ids);
  }
}
