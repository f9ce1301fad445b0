import { addDays } from '../clock.js';
import type { AlertsService } from '../alerts/alerts-service.js';
import type { CreditService } from '../credit/credit-service.js';
import type { MonitoringStore } from './monitoring-store.js';
import type { Counts } from './monitoring-common.js';

/** The job limit-reviews: reminders for limits whose review date is near or past. */
export class LimitReviewsService {
  constructor(
    private readonly deps: {
      store: MonitoringStore;
      credit: CreditService;
      alerts: AlertsService;
      /** How many days before a review date the reminder is raised. */
      noticeDays: number;
    },
  ) {}

  /** Alerts for limits whose review date is near or past. */
  async run(): Promise<Counts> {
    const today = this.deps.credit.today();
    const due = await this.deps.store.reviewsDue(addDays(today, this.deps.noticeDays));
    const created = await this.deps.alerts.raise(
      due.map((d) => ({
        type: 'limit_review_due' as const,
        severity: d.limit_review_date! < today ? 'high' : 'medium',
        customerId: d.customer_id,
        dedupeKey: `limit_review_due:${d.customer_id}:${d.limit_review_date}`,
        message: `The credit limit (${d.credit_limit ?? 'policy default'} ${d.currency}) is due for review on ${d.limit_review_date}${d.limit_review_date! < today ? ' (past)' : ''}`,
        data: { reviewDate: d.limit_review_date, creditLimit: d.credit_limit, currency: d.currency },
        once: true,
      })),
    );
    return { due: due.length, alerts: created.length };
  }
}
