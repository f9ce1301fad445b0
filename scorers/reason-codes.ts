import { MODEL_FEATURES } from './financial-fit.js';
import { RATIO_LABELS, type RatioName } from './financial-ratios.js';

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

/** A ratio's French name, without its English gloss: "autonomie financière". */
const ratioFr = (f: RatioName) => RATIO_LABELS[f].label.replace(/\s*\(.*\)$/, '');

/** The same reasons in plain French, for the pages people read (one entry per code above). */
export const REASON_CODES_FR: Record<string, string> = {
  ...Object.fromEntries(
    MODEL_FEATURES.flatMap((f) => [
      [`${snake(f)}_weak`, `${ratioFr(f)} dans une tranche où les entreprises font plus souvent défaut que la moyenne`],
      [`${snake(f)}_strong`, `${ratioFr(f)} dans une tranche où les entreprises font moins souvent défaut que la moyenne`],
    ]),
  ),
  equity_negative: 'capitaux propres négatifs (autonomie financière sous zéro)',
  collective_proceedings: 'sauvegarde, redressement ou liquidation judiciaire en cours : note X',
  company_ceased: 'le registre montre l’entreprise cessée ou radiée : note X',
  under_plan: 'activité sous plan de sauvegarde ou de redressement',
  recent_radiation: 'une radiation publiée récemment alors que le registre montre l’entreprise active',
  accounts_filed_late: 'les derniers comptes connus sont plus anciens que le délai de dépôt ne le permet',
  late_payment_sanction: 'sanctionnée par la DGCCRF pour avoir payé ses fournisseurs en retard',
  young_company: 'entreprise créée récemment',
  established_company: 'entreprise en activité depuis de nombreuses années',
  no_employee: 'aucun salarié',
  ten_or_more_employees: '10 salariés ou plus',
  entrepreneur_individuel: 'entrepreneur individuel, sans capital social distinct',
  sector_higher_risk: 'activité au taux de défaillance plus élevé que la moyenne',
  pays_on_terms: 'nous paie à l’échéance ou en avance',
  pays_late: 'nous paie en retard',
  pays_very_late: 'nous paie très en retard',
  overdue_share_high: 'la plus grande part de ce qu’il nous doit est échue',
  payment_trend_worsening: 'nous paie plus tard qu’avant',
  payment_trend_improving: 'nous paie plus tôt qu’avant',
  financials_missing: 'aucun compte publié : la partie financière de la note est laissée de côté (confiance moindre)',
  financials_partial: 'certains ratios ne sont pas publiés : ils ne comptent pas (confiance moindre)',
  financials_outdated: 'les derniers comptes ont plus de deux ans (confiance moindre)',
  source_unavailable: 'une source n’a pas pu être lue : ses données manquent ou sont anciennes (confiance moindre)',
  limit_zero_grade: 'note E ou X : pas de crédit',
  limit_negative_equity: 'capitaux propres négatifs : pas de crédit',
  limit_equity_share: 'la limite est une part des capitaux propres',
  limit_turnover_share: 'la limite est une part du chiffre d’affaires',
  limit_customer_needs: 'la limite couvre les besoins du client : achats mensuels × délai de paiement',
  limit_no_financials: 'ni capitaux propres ni chiffre d’affaires publiés : un petit montant selon la note',
  limit_grade_cap: 'la limite est le plafond de la note',
  conditions_by_grade: 'conditions de paiement de la note',
  conditions_no_credit: 'pas de crédit recommandé : paiement d’avance',
};
