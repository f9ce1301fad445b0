import { readFileSync } from 'node:fs';
import { addMonths } from '../clock.js';

interface Rule {
  source: string;
  inForceFrom?: string;
}

export interface InsolvencyLaw {
  declarationOfClaims: Rule & { monthsFromPublication: number; extraMonthsForCreditorsAbroad: number };
  interestStops: Rule;
  retentionOfTitle: Rule & { claimMonthsFromPublication: number };
  lateDeclaration: Rule & { reliefMonths: number };
  postJudgmentClaims: Rule;
  reminderDaysBeforeDeadline: number[];
}

/** The rules of collective proceedings, read from src/legal/data/insolvency-law.json (with their sources). */
export const INSOLVENCY_LAW: InsolvencyLaw = JSON.parse(readFileSync(new URL('./data/insolvency-law.json', import.meta.url), 'utf8')) as InsolvencyLaw;

/** The last day to declare a claim: publication + 2 months (+ 2 more for a creditor abroad), by R622-24. */
export function declarationDeadline(publishedOn: string, creditorAbroad: boolean, law: InsolvencyLaw = INSOLVENCY_LAW): string {
  const r = law.declarationOfClaims;
  return addMonths(publishedOn, r.monthsFromPublication + (creditorAbroad ? r.extraMonthsForCreditorsAbroad : 0));
}

/** The last day to claim goods sold with retention of title (L624-9). */
export function retentionClaimDeadline(publishedOn: string, law: InsolvencyLaw = INSOLVENCY_LAW): string {
  return addMonths(publishedOn, law.retentionOfTitle.claimMonthsFromPublication);
}

/** The last day to ask for relief after a missed deadline (L622-26). */
export function reliefDeadline(publishedOn: string, law: InsolvencyLaw = INSOLVENCY_LAW): string {
  return addMonths(publishedOn, law.lateDeclaration.reliefMonths);
}

export const OPENING_KINDS = ['sauvegarde', 'redressement_judiciaire', 'liquidation_judiciaire'] as const;
export type Proceeding = (typeof OPENING_KINDS)[number];

/**
 * The mandataire judiciaire (or liquidateur) the judgment names, from its published text, e.g.
 * "… désignant mandataire judiciaire SELARL MJ Synergie, 1 rue X 69003 Lyon." Null when not named.
 */
export function mandataireFrom(text: string | null | undefined): string | null {
  if (!text) return null;
  const m = /(mandataire judiciaire|liquidateur(?: judiciaire)?)\s*:?\s*(.+?)(?:;|\.\s|\.$|$)/i.exec(text.replace(/\s+/g, ' '));
  const name = m?.[2]?.trim();
  if (!name || /^(?:à|a|au|aux|de|des|du|dans|sont)\b/i.test(name)) return null;
  return name.slice(0, 300);
}
