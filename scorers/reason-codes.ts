import { MODEL_FEATURES } from './financial-fit.js';

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every reason code an assessment can give, with what it means. */
export const REASON_CODES: Record<string, string> = {
  ...Object.fromEntries(
    MODEL_FEATURES.flatMap((f) => [
      [`${snake(f)}_weak`, `the ${f} ratio falls in a bin where companies default more than average`],
      [`${snake(f)}_strong`, `the ${f} ratio falls in a bin where companies default less than average`],
    ]),
  ),
  equity_negative: 'equity is negative (autonomie financière below 0)',
  collective_proceedings: 'sauvegarde, redressement or liquidation judiciaire open: grade X',
  company_ceased: 'the registry shows the company ceased or struck off: grade X',
  under_plan: 'trading under a plan de sauvegarde or de redressement',
  recent_radiation: 'a radiation was published recently while the registry still shows the company active',
  accounts_filed_late: 'the latest accounts known are older than the filing deadline allows',
  late_payment_sanction: 'fined by the DGCCRF for paying suppliers late',
  young_company: 'created recently',
  established_company: 'trading for many years',
  no_employee: 'no salaried employee',
  ten_or_more_employees: '10 employees or more',
  entrepreneur_individuel: 'an entrepreneur individuel, without separate company capital',
  sector_higher_risk: 'an activity with a higher failure rate',
  pays_on_terms: 'pays us on terms or early',
  pays_late: 'pays us late',
  pays_very_late: 'pays us very late',
  overdue_share_high: 'most of what the customer owes us is overdue',
  payment_trend_worsening: 'pays us later than before',
  payment_trend_improving: 'pays us sooner than before',
  financials_missing: 'no published financial statement (the financial part is left out, confidence lower)',
  financials_partial: 'some ratios not published (they count for nothing, confidence lower)',
  financials_outdated: 'the latest statement is more than two years old (confidence lower)',
  source_unavailable: 'a source could not be read: its data is missing or stale (confidence lower)',
  limit_zero_grade: 'grade E or X: no credit',
  limit_negative_equity: 'negative equity: no credit',
  limit_equity_share: 'the limit is a share of equity',
  limit_turnover_share: 'the limit is a share of turnover',
  limit_customer_needs: "the limit is the customer's needs: monthly purchases × terms",
  limit_no_financials: 'no equity or turnover published: a small amount by grade',
  limit_grade_cap: 'the limit is the cap of the grade',
  conditions_by_grade: 'payment conditions of the grade',
  conditions_no_credit: 'no credit recommended: prepayment',
};
