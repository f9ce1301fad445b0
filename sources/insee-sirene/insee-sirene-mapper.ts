import { z } from 'zod';
import type { CompanyIdentity } from '../source.js';
import { parsePayload } from '../parse.js';

const SOURCE = 'insee-sirene';
const str = z.string().nullable().optional();

const periodeUL = z.looseObject({
  dateFin: str,
  dateDebut: str,
  etatAdministratifUniteLegale: str,
  denominationUniteLegale: str,
  nomUniteLegale: str,
  categorieJuridiqueUniteLegale: str,
  activitePrincipaleUniteLegale: str,
  nicSiegeUniteLegale: str,
});

const sirenSchema = z.looseObject({
  uniteLegale: z.looseObject({
    siren: z.string(),
    dateCreationUniteLegale: str,
    trancheEffectifsUniteLegale: str,
    prenomUsuelUniteLegale: str,
    prenom1UniteLegale: str,
    periodesUniteLegale: z.array(periodeUL).min(1),
  }),
});

const siretSchema = z.looseObject({
  etablissement: z.looseObject({
    siren: z.string(),
    siret: z.string(),
    etablissementSiege: z.boolean().nullable().optional(),
    uniteLegale: z.looseObject({
      etatAdministratifUniteLegale: str,
      dateCreationUniteLegale: str,
      categorieJuridiqueUniteLegale: str,
      denominationUniteLegale: str,
      nomUniteLegale: str,
      prenomUsuelUniteLegale: str,
      prenom1UniteLegale: str,
      activitePrincipaleUniteLegale: str,
      trancheEffectifsUniteLegale: str,
    }),
    periodesEtablissement: z.array(z.looseObject({ dateFin: str, etatAdministratifEtablissement: str })).min(1),
  }),
});

const statusOf = (s: string | null | undefined) => (s === 'A' ? 'active' : s === 'C' ? 'ceased' : 'unknown');
const personName = (nom: string | null | undefined, prenom: string | null | undefined) => (nom ? [prenom, nom].filter(Boolean).join(' ') : null);

/** GET /siren/{siren}: the current period is the one without an end date. */
export function mapUniteLegale(payload: unknown): CompanyIdentity {
  const { uniteLegale: u } = parsePayload(SOURCE, sirenSchema, payload);
  const current = u.periodesUniteLegale.find((p) => !p.dateFin) ?? u.periodesUniteLegale[0]!;
  return identity(u.siren, {
    ...current,
    prenom: u.prenomUsuelUniteLegale ?? u.prenom1UniteLegale,
    dateCreationUniteLegale: u.dateCreationUniteLegale,
    trancheEffectifsUniteLegale: u.trancheEffectifsUniteLegale,
    // INSEE records the cessation as the start of the period whose state is "C".
    ceasedOn: current.etatAdministratifUniteLegale === 'C' ? (current.dateDebut ?? null) : null,
    headOfficeSiret: current.nicSiegeUniteLegale ? `${u.siren}${current.nicSiegeUniteLegale}` : null,
  });
}

/** The legal unit's fields, wherever INSEE put them, as Vigie's identity. */
function identity(
  siren: string,
  u: {
    denominationUniteLegale?: string | null;
    nomUniteLegale?: string | null;
    prenom?: string | null;
    categorieJuridiqueUniteLegale?: string | null;
    activitePrincipaleUniteLegale?: string | null;
    dateCreationUniteLegale?: string | null;
    etatAdministratifUniteLegale?: string | null;
    trancheEffectifsUniteLegale?: string | null;
    ceasedOn?: string | null;
    headOfficeSiret?: string | null;
  },
): CompanyIdentity {
  const legalForm = u.categorieJuridiqueUniteLegale ?? null;
  return {
    siren,
    name: u.denominationUniteLegale ?? personName(u.nomUniteLegale, u.prenom),
    legalFormCode: legalForm,
    entrepreneurIndividuel: legalForm === '1000',
    activityCode: u.activitePrincipaleUniteLegale ?? null,
    createdOn: u.dateCreationUniteLegale ?? null,
    status: statusOf(u.etatAdministratifUniteLegale),
    ceasedOn: u.ceasedOn ?? null,
    radiatedOn: null,
    headcountBand: u.trancheEffectifsUniteLegale ?? null,
    headOffice: u.headOfficeSiret ? { siret: u.headOfficeSiret, address: null, active: null } : null,
    directors: [],
    finances: [],
  };
}

/** GET /siret/{siret}: the établissement, with its legal unit's current state. */
export function mapEtablissement(payload: unknown): { identity: CompanyIdentity; siret: string; headOffice: boolean; establishmentActive: boolean | null } {
  const { etablissement: e } = parsePayload(SOURCE, siretSchema, payload);
  const current = e.periodesEtablissement.find((p) => !p.dateFin) ?? e.periodesEtablissement[0]!;
  return {
    siret: e.siret,
    headOffice: e.etablissementSiege === true,
    establishmentActive: current.etatAdministratifEtablissement ? current.etatAdministratifEtablissement === 'A' : null,
    identity: identity(e.siren, { ...e.uniteLegale, prenom: e.uniteLegale.prenomUsuelUniteLegale ?? e.uniteLegale.prenom1UniteLegale }),
  };
}

const siretPageSchema = z.looseObject({
  header: z.looseObject({ total: z.number(), debut: z.number(), nombre: z.number() }),
  etablissements: z.array(z.unknown()),
});

/** GET /siret?q=siren:… : every établissement of a company, with paging. */
export function mapEtablissements(payload: unknown) {
  const p = parsePayload(SOURCE, siretPageSchema, payload);
  return { total: p.header.total, start: p.header.debut, establishments: p.etablissements.map((e) => mapEtablissement({ etablissement: e })) };
}

const informationsSchema = z.looseObject({
  etatService: z.string(),
  versionService: z.string().optional(),
  datesDernieresMisesAJourDesDonnees: z.array(z.looseObject({ collection: z.string(), dateDerniereMiseADisposition: z.string() })).optional(),
});

/** GET /informations: whether the service is up, and when each collection was last refreshed. */
export function mapInformations(payload: unknown) {
  const p = parsePayload(SOURCE, informationsSchema, payload);
  return {
    up: p.etatService === 'UP',
    version: p.versionService ?? null,
    dataUpdatedAt: Object.fromEntries((p.datesDernieresMisesAJourDesDonnees ?? []).map((d) => [d.collection, d.dateDerniereMiseADisposition])),
  };
}
