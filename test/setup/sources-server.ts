import { fixture, fixtureJson, startFixtureServer } from './fixture-server.js';

type V1Page = { nhits: number; records: Array<{ fields: Record<string, unknown> }> };
export const GANYMEDE_BODACC = 'bodacc/records-v1-search-registre-880878145-ganymede-3-records.json';

/** BODACC records (Explore v2.1 fields) as the service serves them. */
export const bodaccPage = (records: Array<Record<string, unknown>>, total = records.length) => JSON.stringify({ total_count: total, results: records });

/** The recorded Ganymède records in the Explore v2.1 envelope (registre as an array). */
export const ganymedeRecords = () =>
  (fixtureJson(GANYMEDE_BODACC) as V1Page).records.map((r) => ({ ...r.fields, registre: String(r.fields.registre).split(',') }));

/**
 * A collective-proceeding announcement for `siren`. No real one exists in the recordings, so a
 * recorded BODACC record is re-labelled: family "collective", edition A, and a `jugement` JSON
 * string in the shape BODACC publishes.
 */
export function collectiveRecord(siren: string, id: string, nature: string, date: string, publishedOn = date): Record<string, unknown> {
  const base = ganymedeRecords()[0]!;
  return {
    ...base,
    id,
    registre: [siren, `${siren.slice(0, 3)} ${siren.slice(3, 6)} ${siren.slice(6)}`],
    dateparution: publishedOn,
    familleavis: 'collective',
    familleavis_lib: 'Procédures collectives',
    publicationavis: 'A',
    typeavis: 'annonce',
    jugement: JSON.stringify({ type: 'initial', famille: "Jugement d'ouverture", nature, date, complementJugement: 'Jugement prononcé par le tribunal de commerce' }),
    depot: null,
  };
}

/**
 * Every public source answering from its real recordings over HTTP on 127.0.0.1: the registry
 * (Danone, Ganymède, the skeleton result), BODACC (Ganymède, plus `extraBodacc` by SIREN), the
 * BCE/INPI ratios (Danone) and the DGCCRF page built from its recorded text.
 */
export async function startSourcesServer() {
  const state = { down: false, extraBodacc: new Map<string, Array<Record<string, unknown>>>(), bodaccByDay: new Map<string, Array<Record<string, unknown>>>() };
  const server = await startFixtureServer((_req, url) => {
    if (state.down) return { status: 503, body: 'maintenance' };
    const where = url.searchParams.get('where') ?? '';
    if (url.pathname === '/search') {
      const file = {
        '552032534': 'search-q-552032534-danone-active-with-finances.json',
        '880878145': 'search-q-880878145-ganymede-ceased-liquidateur.json',
        '123456789': 'search-q-123456789-skeleton-result-all-null.json',
        Ganymede: 'search-q-ganymede-text-search-116-results-page1.json',
      }[url.searchParams.get('q') ?? ''];
      return { body: fixture(`recherche-entreprises/${file ?? 'search-q-12345678900003-no-result.json'}`) };
    }
    if (url.pathname.includes('annonces-commerciales')) {
      const day = /dateparution=date'(\d{4}-\d{2}-\d{2})'/.exec(where)?.[1];
      if (day) {
        const all = state.bodaccByDay.get(day) ?? [];
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const limit = Number(url.searchParams.get('limit') ?? 100);
        return { body: bodaccPage(all.slice(offset, offset + limit), all.length) };
      }
      const siren = /registre="(\d{9})"/.exec(where)?.[1] ?? '';
      const records = [...(siren === '880878145' ? ganymedeRecords() : []), ...(state.extraBodacc.get(siren) ?? [])];
      return { body: bodaccPage(records) };
    }
    if (url.pathname.includes('ratios_inpi_bce')) {
      return where.includes('552032534')
        ? { body: fixture('ratios-inpi-bce/records-v1-search-siren-552032534-danone.json') }
        : { body: fixture('ratios-inpi-bce/records-v1-search-siren-889297453-no-result.json') };
    }
    if (url.pathname === '/dgccrf/sanctions-delais-paiement') {
      const paragraphs = fixture('dgccrf-sanctions/sanctions-delais-paiement-2019-page0-excerpt-lepee-vitrage.txt').split(/\n\s*\n/);
      return { body: `<html><body><main>${paragraphs.map((p) => `<p>${p}</p>`).join('')}</main></body></html>`, headers: { 'content-type': 'text/html' } };
    }
    return undefined;
  });
  const env = {
    RECHERCHE_ENTREPRISES_URL: server.baseURL,
    BODACC_URL: server.baseURL,
    RATIOS_INPI_BCE_URL: server.baseURL,
    DGCCRF_URL: server.baseURL,
    SOURCE_TIMEOUT_MS: '2000',
  };
  return { ...server, state, env };
}
