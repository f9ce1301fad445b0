import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { addDays, daysBetween } from '../clock.js';
import { InvalidInput } from '../errors.js';
import { csvRow } from '../http/csv-out.js';

export const GROUP_BY = ['month', 'grade', 'owner'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

interface Window {
  label: string;
  from: string;
  to: string;
}

interface Row {
  key: string;
  grade: string;
  sales: number | null;
  receivables: number | null;
  overdue: number | null;
  over90: number | null;
  due_amount: number | null;
  due_unpaid: number | null;
  settled: number | null;
  days_to_pay: number | null;
  days_beyond: number | null;
  recovery_base: number | null;
  recovered: number | null;
  written_off: number | null;
  doubtful: number | null;
}

export interface KpiBucket {
  group: string;
  from: string;
  to: string;
  sales: number;
  receivables: number;
  dso: { countBack: number | null; simple: number | null; countBackCapped: boolean };
  averagePaymentDelay: { invoices: number; daysFromIssue: number | null; daysBeyondTerms: number | null };
  overdueRate: number | null;
  unpaidRate: number | null;
  recoveryRate: number | null;
  shareOver90Days: number | null;
  promises: { kept: number; broken: number; keptRate: number | null };
  daysToCollectByStep: Record<string, { invoices: number; averageDays: number }>;
  atRiskByGrade: Record<string, number>;
  /** Written off as losses (a FEC entry against 654) in the window. */
  writtenOff: number;
  /** Moved to doubtful receivables (a FEC entry against 416) in the window. */
  transferredToDoubtful: number;
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
const round1 = (x: number) => Math.round(x * 10) / 10;
const n = (v: unknown) => Number(v ?? 0);

/** How a customer is grouped (grade, owner) or not (month: one group per window). */
function keyExpr(groupBy: GroupBy): RawBuilder<string> {
  if (groupBy === 'grade') return sql<string>`coalesce(ca.risk_grade, 'unrated')`;
  if (groupBy === 'owner') return sql<string>`coalesce(cp.owner->>'name', '(no owner)')`;
  return sql<string>`'all'`;
}

function monthWindows(from: string, to: string): Window[] {
  const out: Window[] = [];
  let start = from;
  while (start <= to) {
    const [y, m] = start.split('-').map(Number) as [number, number];
    const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
    const end = addDays(next, -1) < to ? addDays(next, -1) : to;
    out.push({ label: start.slice(0, 7), from: start, to: end });
    start = next;
  }
  return out;
}

/**
 * Recovery KPIs computed from the ledger in SQL, each formula documented in the README (KPIs):
 * the invoices alive in a window are read through two indexes (open invoices; invoices settled
 * since the window began), never by scanning the table.
 */
export class KpisService {
  constructor(private readonly db: Kysely<DB>) {}

  async kpis(q: { from: string; to: string; groupBy: GroupBy; currency: string }): Promise<{ from: string; to: string; groupBy: GroupBy; currency: string; buckets: KpiBucket[] }> {
    if (q.to < q.from) throw InvalidInput.field('query.to', 'must be on or after from');
    if (daysBetween(q.from, q.to) > 3 * 366) throw InvalidInput.field('query.to', 'a window of at most three years');
    const windows = q.groupBy === 'month' ? monthWindows(q.from, q.to) : [{ label: 'all', from: q.from, to: q.to }];
    const buckets: KpiBucket[] = [];
    for (const w of windows) {
      const rows = await this.window(w, q.groupBy, q.currency);
      for (const b of rows) buckets.push(b);
    }
    return { from: q.from, to: q.to, groupBy: q.groupBy, currency: q.currency, buckets };
  }

  private async window(w: Window, groupBy: GroupBy, currency: string): Promise<KpiBucket[]> {
    const key = keyExpr(groupBy);
    const { from, to } = w;
    const [main, monthly, promises, steps] = await Promise.all([
      sql<Row>`
        WITH alive AS (
          SELECT id FROM invoices WHERE open_amount > 0 AND issue_date <= ${to}::date AND currency = ${currency}
          UNION
          SELECT id FROM invoices WHERE settled_on IS NOT NULL AND settled_on >= ${from}::date AND issue_date <= ${to}::date AND currency = ${currency}),
        x AS (
          SELECT i.amount, i.issue_date, i.due_date, i.settled_on, ${key} AS key, coalesce(ca.risk_grade, 'unrated') AS grade,
                 i.amount - coalesce(p.reduced_end, 0) AS open_end,
                 CASE WHEN i.due_date < ${to}::date THEN greatest(i.amount - coalesce(p.reduced_before_od, 0), 0) ELSE 0 END AS od_base,
                 CASE WHEN i.due_date < ${to}::date THEN coalesce(p.paid_after_od, 0) ELSE 0 END AS recovered,
                 CASE WHEN i.settled_on BETWEEN ${from}::date AND ${to}::date THEN i.settled_on END AS settled_in,
                 coalesce(p.written_off, 0) AS written_off, coalesce(p.doubtful, 0) AS doubtful
            FROM alive JOIN invoices i ON i.id = alive.id
            JOIN credit_accounts ca ON ca.customer_id = i.customer_id
            LEFT JOIN collection_profiles cp ON cp.customer_id = i.customer_id
            LEFT JOIN LATERAL (
              SELECT sum(a.amount) FILTER (WHERE c.date <= ${to}::date) AS reduced_end,
                     sum(a.amount) FILTER (WHERE c.date < greatest(${from}::date, i.due_date + 1)) AS reduced_before_od,
                     sum(a.amount) FILTER (WHERE c.kind = 'payment' AND c.date >= greatest(${from}::date, i.due_date + 1) AND c.date <= ${to}::date) AS paid_after_od,
                     sum(a.amount) FILTER (WHERE c.reference LIKE 'FEC-654-%' AND c.date BETWEEN ${from}::date AND ${to}::date) AS written_off,
                     sum(a.amount) FILTER (WHERE c.reference LIKE 'FEC-416-%' AND c.date BETWEEN ${from}::date AND ${to}::date) AS doubtful
                FROM allocations a JOIN credits c ON c.id = a.credit_id WHERE a.invoice_id = i.id) p ON true)
        SELECT key, grade,
               sum(amount) FILTER (WHERE issue_date >= ${from}::date) AS sales,
               sum(open_end) AS receivables,
               sum(open_end) FILTER (WHERE due_date < ${to}::date) AS overdue,
               sum(open_end) FILTER (WHERE due_date < ${to}::date - 90) AS over90,
               sum(amount) FILTER (WHERE due_date BETWEEN ${from}::date AND ${to}::date) AS due_amount,
               sum(open_end) FILTER (WHERE due_date BETWEEN ${from}::date AND ${to}::date) AS due_unpaid,
               count(settled_in) AS settled,
               sum(settled_in - issue_date) AS days_to_pay,
               sum(greatest(settled_in - due_date, 0)) AS days_beyond,
               sum(od_base) AS recovery_base,
               sum(recovered) AS recovered,
               sum(written_off) AS written_off,
               sum(doubtful) AS doubtful
          FROM x GROUP BY key, grade`.execute(this.db),
      // Monthly sales of the 24 months up to the end, for the count-back DSO.
      sql<{ key: string; month: string; sales: number }>`
        SELECT ${key} AS key, to_char(date_trunc('month', i.issue_date), 'YYYY-MM') AS month, sum(i.amount)::bigint AS sales
          FROM invoices i JOIN credit_accounts ca ON ca.customer_id = i.customer_id
          LEFT JOIN collection_profiles cp ON cp.customer_id = i.customer_id
         WHERE i.issue_date > ${to}::date - 731 AND i.issue_date <= ${to}::date AND i.currency = ${currency}
         GROUP BY 1, 2`.execute(this.db),
      sql<{ key: string; kept: number; broken: number }>`
        SELECT ${key} AS key, count(*) FILTER (WHERE pp.status = 'kept') AS kept, count(*) FILTER (WHERE pp.status = 'broken') AS broken
          FROM payment_promises pp JOIN credit_accounts ca ON ca.customer_id = pp.customer_id
          LEFT JOIN collection_profiles cp ON cp.customer_id = pp.customer_id
         WHERE pp.resolved_at IS NOT NULL AND pp.resolved_at >= ${from}::date AND pp.resolved_at < ${to}::date + 1 AND pp.currency = ${currency}
         GROUP BY 1`.execute(this.db),
      sql<{ key: string; step_key: string; invoices: number; days: number }>`
        SELECT ${key} AS key, s.step_key, count(*) AS invoices, sum(i.settled_on - s.last_step_on) AS days
          FROM invoices i JOIN dunning_states s ON s.invoice_id = i.id
          JOIN credit_accounts ca ON ca.customer_id = i.customer_id
          LEFT JOIN collection_profiles cp ON cp.customer_id = i.customer_id
         WHERE i.settled_on IS NOT NULL AND i.settled_on BETWEEN ${from}::date AND ${to}::date AND i.currency = ${currency}
         GROUP BY 1, 2`.execute(this.db),
    ]);

    const keys = new Set([...main.rows.map((r) => r.key), ...promises.rows.map((r) => r.key), ...steps.rows.map((r) => r.key)]);
    if (keys.size === 0) keys.add(groupBy === 'month' ? 'all' : '(none)');
    const out: KpiBucket[] = [];
    for (const k of [...keys].sort()) {
      const rows = main.rows.filter((r) => r.key === k);
      const sum = (f: keyof Row) => rows.reduce((s, r) => s + n(r[f]), 0);
      const sales = sum('sales');
      const receivables = sum('receivables');
      const settled = sum('settled');
      const days = daysBetween(from, to) + 1;
      const p = promises.rows.find((r) => r.key === k);
      const kept = n(p?.kept);
      const broken = n(p?.broken);
      const countBack = dsoCountBack(receivables, to, new Map(monthly.rows.filter((r) => r.key === k).map((r) => [r.month, n(r.sales)])));
      out.push({
        group: groupBy === 'month' ? w.label : k,
        from,
        to,
        sales,
        receivables,
        dso: { countBack: countBack.days === null ? null : round1(countBack.days), simple: sales > 0 ? round1((receivables / sales) * days) : null, countBackCapped: countBack.capped },
        averagePaymentDelay: {
          invoices: settled,
          daysFromIssue: settled > 0 ? round1(sum('days_to_pay') / settled) : null,
          daysBeyondTerms: settled > 0 ? round1(sum('days_beyond') / settled) : null,
        },
        overdueRate: ratio(sum('overdue'), receivables),
        unpaidRate: ratio(sum('due_unpaid'), sum('due_amount')),
        recoveryRate: ratio(sum('recovered'), sum('recovery_base')),
        shareOver90Days: ratio(sum('over90'), receivables),
        promises: { kept, broken, keptRate: ratio(kept, kept + broken) },
        daysToCollectByStep: Object.fromEntries(
          steps.rows.filter((r) => r.key === k).map((r) => [r.step_key, { invoices: n(r.invoices), averageDays: round1(n(r.days) / Math.max(1, n(r.invoices))) }]),
        ),
        atRiskByGrade: Object.fromEntries(rows.filter((r) => n(r.receivables) > 0).map((r) => [r.grade, n(r.receivables)])),
        writtenOff: sum('written_off'),
        transferredToDoubtful: sum('doubtful'),
      });
    }
    return out;
  }
}

export interface ForecastWeek {
  weekStart: string;
  weekEnd: string;
  fromInvoices: number;
  fromPromises: number;
  fromInstallments: number;
  total: number;
}

/**
 * The 13-week cash forecast: each open invoice is expected on its due date plus its customer's
 * average delay beyond terms over the last 12 months of settlements (0 without history); invoices
 * under an open promise are expected as promised (the promised amount on the promised date, the
 * rest by behaviour); invoices under an active payment plan as its unpaid installments; disputed
 * invoices are shown apart. What is expected before today falls in the first week.
 */
export async function cashForecast(db: Kysely<DB>, q: { today: string; weeks: number; currency: string }) {
  const end = addDays(q.today, q.weeks * 7 - 1);
  const [invoices, promises, installments] = await Promise.all([
    sql<{ expected: string; amount: number; disputed: boolean; promise_id: string | null }>`
      WITH behaviour AS (
        SELECT customer_id, round(avg(greatest(settled_on - due_date, 0)))::int AS delay
          FROM invoices WHERE settled_on IS NOT NULL AND settled_on > ${q.today}::date - 365 AND settled_on <= ${q.today}::date AND currency = ${q.currency}
         GROUP BY customer_id)
      SELECT i.due_date + coalesce(b.delay, 0) AS expected, i.open_amount AS amount,
             EXISTS (SELECT 1 FROM disputes d WHERE d.invoice_id = i.id AND d.status = 'open') AS disputed,
             (SELECT pp.id FROM payment_promises pp WHERE pp.customer_id = i.customer_id AND pp.status = 'open' AND i.id = ANY (pp.invoice_ids) LIMIT 1) AS promise_id
        FROM invoices i LEFT JOIN behaviour b ON b.customer_id = i.customer_id
       WHERE i.open_amount > 0 AND i.currency = ${q.currency}
         AND NOT EXISTS (SELECT 1 FROM payment_plans pl WHERE pl.customer_id = i.customer_id AND pl.status = 'active' AND i.id = ANY (pl.invoice_ids))`.execute(db),
    sql<{ id: string; expected: string; amount: number }>`
      SELECT id, promised_on AS expected, amount FROM payment_promises WHERE status = 'open' AND currency = ${q.currency}`.execute(db),
    sql<{ expected: string; amount: number }>`
      SELECT pi.due_on AS expected, pi.amount FROM payment_plan_installments pi JOIN payment_plans pl ON pl.id = pi.plan_id
       WHERE pl.status = 'active' AND pi.status <> 'paid' AND pl.currency = ${q.currency}`.execute(db),
  ]);
  const weeks: ForecastWeek[] = Array.from({ length: q.weeks }, (_, i) => ({
    weekStart: addDays(q.today, i * 7),
    weekEnd: addDays(q.today, i * 7 + 6),
    fromInvoices: 0,
    fromPromises: 0,
    fromInstallments: 0,
    total: 0,
  }));
  let later = 0;
  let overdueInFirstWeek = 0;
  let disputed = 0;
  const place = (day: string, amount: number, field: 'fromInvoices' | 'fromPromises' | 'fromInstallments') => {
    if (amount <= 0) return;
    if (day > end) {
      later += amount;
      return;
    }
    if (day < q.today) overdueInFirstWeek += amount;
    const w = weeks[Math.max(0, Math.floor(daysBetween(q.today, day) / 7))]!;
    w[field] += amount;
    w.total += amount;
  };
  // A promise stands for its amount on its date; what its invoices have beyond it comes by behaviour, at the latest of their dates.
  const promised = new Map(promises.rows.map((p) => [p.id, { amount: n(p.amount), open: 0, latest: '' }]));
  for (const r of invoices.rows) {
    const p = r.promise_id ? promised.get(r.promise_id) : undefined;
    if (r.disputed) disputed += n(r.amount);
    else if (p) {
      p.open += n(r.amount);
      if (r.expected > p.latest) p.latest = r.expected;
    } else place(r.expected, n(r.amount), 'fromInvoices');
  }
  for (const r of promises.rows) {
    const p = promised.get(r.id)!;
    place(r.expected, Math.min(p.amount, p.open), 'fromPromises');
    if (p.open > p.amount) place(p.latest, p.open - p.amount, 'fromInvoices');
  }
  for (const r of installments.rows) place(r.expected, n(r.amount), 'fromInstallments');
  return {
    today: q.today,
    currency: q.currency,
    weeks,
    total: weeks.reduce((s, w) => s + w.total, 0),
    expectedBeforeTodayInFirstWeek: overdueInFirstWeek,
    afterHorizon: later,
    disputed,
  };
}

/**
 * Count-back DSO: the receivables at `to` are matched against sales month by month going back
 * from `to`'s month (itself counted to `to`'s day); whole months count their days, the last one
 * its share. Capped at 24 months.
 */
export function dsoCountBack(receivables: number, to: string, salesByMonth: Map<string, number>): { days: number | null; capped: boolean } {
  if (receivables <= 0) return { days: 0, capped: false };
  let remaining = receivables;
  let days = 0;
  let [y, m] = to.split('-').map(Number) as [number, number];
  let monthDays = Number(to.slice(8, 10));
  for (let i = 0; i < 24; i++) {
    const month = `${y}-${String(m).padStart(2, '0')}`;
    const sales = salesByMonth.get(month) ?? 0;
    if (sales >= remaining) return { days: days + (remaining / sales) * monthDays, capped: false };
    remaining -= sales;
    days += monthDays;
    m -= 1;
    if (m === 0) {
      m = 12;
      y -= 1;
    }
    monthDays = new Date(Date.UTC(y, m, 0)).getUTCDate();
  }
  return { days, capped: true };
}

/** The buckets as CSV, one row per bucket, every figure in its own column. */
export function kpisCsv(result: { buckets: KpiBucket[]; currency: string }): string {
  const steps = [...new Set(result.buckets.flatMap((b) => Object.keys(b.daysToCollectByStep)))].sort();
  const grades = [...new Set(result.buckets.flatMap((b) => Object.keys(b.atRiskByGrade)))].sort();
  const header = [
    'group', 'from', 'to', 'currency', 'sales', 'receivables', 'dso_count_back', 'dso_simple', 'settled_invoices', 'avg_days_from_issue', 'avg_days_beyond_terms',
    'overdue_rate', 'unpaid_rate', 'recovery_rate', 'share_over_90_days', 'promises_kept', 'promises_broken', 'promise_kept_rate', 'written_off', 'transferred_to_doubtful',
    ...steps.map((s) => `avg_days_to_collect_after_${s}`), ...grades.map((g) => `at_risk_grade_${g}`),
  ];
  const lines = result.buckets.map((b) =>
    csvRow([
      b.group, b.from, b.to, result.currency, b.sales, b.receivables, b.dso.countBack, b.dso.simple, b.averagePaymentDelay.invoices, b.averagePaymentDelay.daysFromIssue,
      b.averagePaymentDelay.daysBeyondTerms, b.overdueRate, b.unpaidRate, b.recoveryRate, b.shareOver90Days, b.promises.kept, b.promises.broken, b.promises.keptRate, b.writtenOff, b.transferredToDoubtful,
      ...steps.map((s) => b.daysToCollectByStep[s]?.averageDays ?? null), ...grades.map((g) => b.atRiskByGrade[g] ?? 0),
    ]),
  );
  return [csvRow(header), ...lines].join('\n') + '\n';
}
