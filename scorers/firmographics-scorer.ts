import type { ScoringPolicy } from './scoring-policy.js';
import { monthsBetween, sum, type CompanyFacts, type ScoreReason, type SubScore } from './scorer-types.js';

/** INSEE tranches d'effectif: NN and 00 employ nobody; 11 and above employ 10 or more. */
const NO_EMPLOYEE = new Set(['NN', '00']);

/** Pure: age, size band, legal form and sector. What is unknown adds nothing and is said. */
export function scoreFirmographics(identity: CompanyFacts['identity'], policy: ScoringPolicy, today: string): SubScore & { missing: string[] } {
  const p = policy.firmographics;
  const w = policy.weights.firmographics;
  const reasons: ScoreReason[] = [];
  const missing: string[] = [];
  if (!identity) return { name: 'firmographics', logOdds: 0, reasons, missing: ['identity'] };

  if (identity.createdOn) {
    const years = monthsBetween(identity.createdOn, today) / 12;
    const age = `created on ${identity.createdOn} (${Math.floor(years)} years ago)`;
    if (years < p.youngUnderYears) reasons.push({ code: 'young_company', logOdds: p.young * w, detail: age });
    else if (years >= p.establishedOverYears) reasons.push({ code: 'established_company', logOdds: p.established * w, detail: age });
  } else missing.push('creation date');

  const band = identity.headcountBand;
  if (band) {
    if (NO_EMPLOYEE.has(band)) reasons.push({ code: 'no_employee', logOdds: p.noEmployee * w, detail: `no salaried employee (INSEE band ${band})` });
    else if (/^\d\d$/.test(band) && Number(band) >= 11) {
      reasons.push({ code: 'ten_or_more_employees', logOdds: p.tenOrMoreEmployees * w, detail: `10 or more employees (INSEE band ${band})` });
    }
  } else missing.push('headcount band');

  if (identity.entrepreneurIndividuel || identity.legalFormCode?.startsWith('1')) {
    reasons.push({
      code: 'entrepreneur_individuel',
      logOdds: p.entrepreneurIndividuel * w,
      detail: `entrepreneur individuel${identity.legalFormCode ? ` (catégorie juridique ${identity.legalFormCode})` : ''}: no separate company capital`,
    });
  } else if (!identity.legalFormCode) missing.push('legal form');

  if (identity.activityCode) {
    const division = identity.activityCode.slice(0, 2);
    if (p.riskySectors.includes(division)) {
      reasons.push({ code: 'sector_higher_risk', logOdds: p.riskySector * w, detail: `activity ${identity.activityCode} (NAF division ${division}) fails more often than average` });
    }
  } else missing.push('activity code');

  return { name: 'firmographics', logOdds: sum(reasons), reasons, missing };
}
