import { readFileSync } from 'node:fs';

export interface InjonctionLaw {
  form: { name: string; filing: string };
  competentCourt: { source: string; fr: string };
  claim: { source: string };
  serviceMonths: number;
  serviceSource: string;
  /** The same rule in the words of a French court document. */
  serviceFr: string;
  oppositionMonths: number;
  oppositionSource: string;
  oppositionFr: string;
  enforceability: { inForceFrom: string; source: string };
  fees: Array<{ label: string; approximateAmountMin: number; approximateAmountMax: number; currency: string; source: string }>;
  reminderDaysBefore: number[];
}

/** The injonction de payer as data, read from src/legal/data/injonction-de-payer.json (with its sources). */
export const INJONCTION_LAW: InjonctionLaw = JSON.parse(readFileSync(new URL('./data/injonction-de-payer.json', import.meta.url), 'utf8')) as InjonctionLaw;

/**
 * The commercial court from a BODACC announcement's registry ("Greffe du Tribunal de Commerce de
 * Paris", "GREFFE DU TRIBUNAL DE COMMERCE DE PARIS"): the greffe that keeps the company's RCS entry
 * is the one of its registered office. Null when the text names no such court.
 */
export function courtFromGreffe(greffe: string | null | undefined): string | null {
  if (!greffe) return null;
  const m = /tribunal\s+(de\s+commerce|des\s+activit[ée]s\s+[ée]conomiques|judiciaire)\s+(?:de\s+|d[’'])(.+)$/i.exec(greffe.trim().replace(/\s+/g, ' '));
  if (!m) return null;
  const kind = m[1]!.toLowerCase().replace(/e\u0301/g, 'é');
  const city = m[2]!
    .toLowerCase()
    .replace(/(^|[\s-])(\p{L})/gu, (_all, sep: string, c: string) => sep + c.toUpperCase())
    .replace(/\b(De|Du|Des|La|Le|Les|Sur|En)\b/g, (w) => w.toLowerCase());
  const of = /^[aeiouyàâéèêîôû]/i.test(city) ? 'd’' : 'de ';
  return `Tribunal ${kind.startsWith('de commerce') ? 'de commerce' : kind.startsWith('judiciaire') ? 'judiciaire' : 'des activités économiques'} ${of}${city}`;
}

/** INSEE legal categories (catégories juridiques) of the commonest forms, for the dossier's wording. */
const LEGAL_FORMS: Record<string, string> = {
  '1000': 'entrepreneur individuel',
  '5498': 'SARL unipersonnelle',
  '5499': 'société à responsabilité limitée (SARL)',
  '5599': 'société anonyme à conseil d’administration (SA)',
  '5710': 'société par actions simplifiée (SAS)',
  '5720': 'société par actions simplifiée à associé unique (SASU)',
};

export function legalFormLabel(code: string | null | undefined): string | null {
  if (!code) return null;
  return LEGAL_FORMS[code] ?? `catégorie juridique INSEE ${code}`;
}
