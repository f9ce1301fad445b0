import { z } from 'zod';
import type { CompanyIdentity } from '../source.js';
import { parsePayload } from '../parse.js';

const SOURCE = 'recherche-entreprises';
const str = z.string().nullable().optional();

const resultSchema = z.looseObject({
  siren: z.string(),
  nom_complet: str,
  nom_raison_sociale: str,
  nature_juridique: str,
  activite_principale: str,
  date_creation: str,
  date_fermeture: str,
  etat_administratif: str,
  tranche_effectif_salarie: str,
  siege: z.looseObject({ siret: str, adresse: str, etat_administratif: str }).nullable().optional(),
  dirigeants: z
    .array(
      z.looseObject({
        nom: str,
        prenoms: str,
        denomination: str,
        qualite: str,
        type_dirigeant: str,
      }),
    )
    .nullable()
    .optional(),
  finances: z.record(z.string(), z.looseObject({ ca: z.number().nullable().optional(), resultat_net: z.number().nullable().optional() })).nullable().optional(),
  complements: z.looseObject({ est_entrepreneur_individuel: z.boolean().nullable().optional() }).nullable().optional(),
  immatriculation: z.looseObject({ date_radiation: str }).nullable().optional(),
});

export const searchSchema = z.looseObject({
  results: z.array(resultSchema),
  total_results: z.number(),
  page: z.number().optional(),
  total_pages: z.number().optional(),
});

type Result = z.infer<typeof resultSchema>;

/** The service sometimes answers a SIREN it knows nothing about with a result whose fields are all null. */
function isSkeleton(r: Result): boolean {
  return !r.nom_complet && !r.nom_raison_sociale && !r.etat_administratif && !r.date_creation;
}

// The API publishes 0 where a figure was not filed: 0 turnover or 0 net income is "unknown" here.
const published = (v: number | null | undefined) => (v === null || v === undefined || v === 0 ? null : v);

export function mapResult(r: Result): CompanyIdentity {
  const status = r.etat_administratif === 'A' ? 'active' : r.etat_administratif === 'C' ? 'ceased' : 'unknown';
  const siege = r.siege && Object.keys(r.siege).length > 0 ? r.siege : null;
  return {
    siren: r.siren,
    name: r.nom_complet ?? r.nom_raison_sociale ?? null,
    legalFormCode: r.nature_juridique ?? null,
    entrepreneurIndividuel: r.complements?.est_entrepreneur_individuel === true || r.nature_juridique === '1000',
    activityCode: r.activite_principale ?? null,
    createdOn: r.date_creation ?? null,
    status,
    ceasedOn: r.date_fermeture ?? null,
    radiatedOn: r.immatriculation?.date_radiation ?? null,
    headcountBand: r.tranche_effectif_salarie ?? null,
    headOffice: siege ? { siret: siege.siret ?? null, address: siege.adresse ?? null, active: siege.etat_administratif ? siege.etat_administratif === 'A' : null } : null,
    directors: (r.dirigeants ?? []).map((d) =>
      d.type_dirigeant === 'personne morale'
        ? { name: d.denomination ?? '', role: d.qualite ?? null, kind: 'company' as const }
        : { name: [d.prenoms, d.nom].filter(Boolean).join(' '), role: d.qualite ?? null, kind: 'person' as const },
    ),
    finances: Object.entries(r.finances ?? {})
      .map(([year, f]) => ({ year: Number(year), revenue: published(f.ca), netIncome: published(f.resultat_net) }))
      .sort((a, b) => b.year - a.year),
  };
}

export interface SearchPage {
  total: number;
  page: number;
  totalPages: number;
  companies: CompanyIdentity[];
}

export function mapSearch(payload: unknown): SearchPage {
  const p = parsePayload(SOURCE, searchSchema, payload);
  return {
    total: p.total_results,
    page: p.page ?? 1,
    totalPages: p.total_pages ?? 1,
    companies: p.results.filter((r) => !isSkeleton(r)).map(mapResult),
  };
}

/** GET /sources/last_modified: the date each upstream dataset was last loaded (e.g. sirene, rne). */
export function mapLastModified(payload: unknown): Record<string, string> {
  return parsePayload(SOURCE, z.record(z.string(), z.string().regex(/^\d{4}-\d{2}-\d{2}/)), payload);
}
