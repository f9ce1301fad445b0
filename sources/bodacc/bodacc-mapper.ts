import { z } from 'zod';
import type { LegalEvent, LegalEventKind } from '../source.js';
import { parseEmbeddedJson, parsePayload } from '../parse.js';
import { opendatasoftPage, unwrapPage } from '../opendatasoft.js';

const SOURCE = 'bodacc';
const str = z.string().nullable().optional();

const recordFields = z.looseObject({
  id: z.string(),
  dateparution: z.string(),
  // Explore v2.1: an array of strings; Records API v1: one comma-joined string.
  registre: z.union([z.array(z.string()), z.string()]).nullable().optional(),
  familleavis: str,
  familleavis_lib: str,
  typeavis: str,
  publicationavis: str,
  tribunal: str,
  url_complete: str,
  jugement: str,
  depot: str,
  parutionavisprecedent: str,
});

export const pageSchema = opendatasoftPage(recordFields);

type Fields = z.infer<typeof recordFields>;

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

/** A judgment's nature, in the court's words, to the kind of proceeding it opens or ends. */
export function classifyJudgment(nature: string | null | undefined): LegalEventKind {
  const n = fold(nature ?? '');
  if (n.includes('clotur')) return 'cloture';
  if (/\bplan\b/.test(n)) return 'plan';
  if (n.includes('liquidation')) return 'liquidation_judiciaire';
  if (n.includes('redressement')) return 'redressement_judiciaire';
  if (n.includes('sauvegarde')) return 'sauvegarde';
  return 'other';
}

function kindOf(f: Fields, jugement: { nature?: string } | null): LegalEventKind {
  switch (f.familleavis) {
    case 'collective':
      return classifyJudgment(jugement?.nature);
    case 'radiation':
      return 'radiation';
    case 'dpc':
      return 'depot_des_comptes';
    case 'vente':
      return 'vente_cession';
    default:
      return 'other';
  }
}

function sirensOf(registre: Fields['registre']): string[] {
  const values = Array.isArray(registre) ? registre : (registre ?? '').split(',');
  return [...new Set(values.map((v) => v.replace(/\s/g, '')).filter((v) => /^\d{9}$/.test(v)))];
}

export function mapRecord(f: Fields): LegalEvent[] {
  const jugement = parseEmbeddedJson(SOURCE, `${f.id}.jugement`, f.jugement) as { nature?: string; date?: string; complementJugement?: string } | null;
  const depot = parseEmbeddedJson(SOURCE, `${f.id}.depot`, f.depot) as { dateCloture?: string } | null;
  const previous = parseEmbeddedJson(SOURCE, `${f.id}.parutionavisprecedent`, f.parutionavisprecedent) as {
    nomPublication?: string;
    numeroParution?: string;
    numeroAnnonce?: string | number;
  } | null;
  const correction =
    f.typeavis === 'rectificatif' || f.typeavis === 'annulation'
      ? {
          type: f.typeavis as 'rectificatif' | 'annulation',
          of: previous ? [previous.nomPublication, previous.numeroParution, previous.numeroAnnonce && `n° ${previous.numeroAnnonce}`].filter(Boolean).join(' ') : null,
        }
      : null;
  return sirensOf(f.registre).map((siren) => ({
    id: f.id,
    siren,
    kind: kindOf(f, jugement),
    publishedOn: f.dateparution,
    edition: f.publicationavis ?? null,
    family: f.familleavis_lib ?? f.familleavis ?? null,
    judgment: jugement ? { nature: jugement.nature ?? null, date: jugement.date ?? null, text: jugement.complementJugement ?? null } : null,
    accountsClosingDate: depot?.dateCloture ?? null,
    court: f.tribunal ?? null,
    correction,
    url: f.url_complete ?? null,
  }));
}

export function mapPage(payload: unknown): { total: number; events: LegalEvent[]; records: number } {
  const { total, rows } = unwrapPage<Fields>(parsePayload(SOURCE, pageSchema, payload));
  return { total, records: rows.length, events: rows.flatMap(mapRecord) };
}
