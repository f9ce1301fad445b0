import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer } from '../../test/setup/fixture-server.js';
import { RechercheEntreprisesSource } from './recherche-entreprises-source.js';

// Every recording of the API, served over real HTTP by the query it answered.
const byQuery: Record<string, string> = {
  '552032534': 'search-q-552032534-danone-active-with-finances.json',
  '880878145': 'search-q-880878145-ganymede-ceased-liquidateur.json',
  '883010316': 'search-q-883010316-entrepreneur-individuel-ceased.json',
  '123456789': 'search-q-123456789-skeleton-result-all-null.json',
  '12345678900003': 'search-q-12345678900003-no-result.json',
  Ganymede: 'search-q-ganymede-text-search-116-results-page1.json',
  'octo technology': 'search-q-octo-technology-public-fulltext-3-results.json',
};

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let source: RechercheEntreprisesSource;
beforeAll(async () => {
  server = await startFixtureServer((_req, url) => {
    if (url.pathname === '/sources/last_modified') return { body: fixture('recherche-entreprises/sources-last_modified.json') };
    const file = byQuery[url.searchParams.get('q') ?? ''];
    return url.pathname === '/search' && file ? { body: fixture(`recherche-entreprises/${file}`) } : undefined;
  });
  source = new RechercheEntreprisesSource({ baseURL: server.baseURL });
});
afterAll(() => server.close());

describe('API Recherche d’entreprises adapter', () => {
  it('Danone: an active SA with its head office, directors and turnover; a 0 net income is "not published"', async () => {
    const c = (await source.company('552032534'))!;
    expect(c).toMatchObject({ siren: '552032534', status: 'active', legalFormCode: '5599', entrepreneurIndividuel: false, ceasedOn: null });
    expect(c.name).toMatch(/DANONE/);
    expect(c.finances).toEqual([{ year: 2024, revenue: 27_376_000_000, netIncome: null }]);
    expect(c.directors.some((d) => d.kind === 'company')).toBe(true);
    expect(c.directors.some((d) => d.kind === 'person')).toBe(true);
    expect(c.headOffice?.siret).toMatch(/^552032534\d{5}$/);
  });

  it('Ganymède: ceased, struck off, with a liquidator (a voluntary winding-up)', async () => {
    const c = (await source.company('880878145'))!;
    expect(c).toMatchObject({ status: 'ceased', ceasedOn: '2022-10-22', radiatedOn: '2022-11-14', legalFormCode: '5710', finances: [] });
    expect(c.headOffice?.active).toBe(false);
    expect(c.directors).toEqual([{ name: 'XAVIER MARIE ERWAN JOUPPE', role: 'Liquidateur', kind: 'person' }]);
  });

  it('flags the entrepreneur individuel', async () => {
    const c = (await source.company('883010316'))!;
    expect(c).toMatchObject({ entrepreneurIndividuel: true, legalFormCode: '1000', status: 'ceased' });
    expect(c.directors[0]?.role).toBeNull();
  });

  it('an all-null skeleton result is no company', async () => {
    expect(await source.company('123456789')).toBeNull();
  });

  it('a SIRET with no match is an empty page', async () => {
    expect(await source.search('12345678900003')).toEqual({ total: 0, page: 1, totalPages: 0, companies: [] });
  });

  it('a name search reports its paging', async () => {
    const page = await source.search('Ganymede');
    expect(page).toMatchObject({ total: 116, page: 1, totalPages: 12 });
    expect(page.companies.length).toBeGreaterThan(0);
    expect(page.companies.length).toBeLessThanOrEqual(10);
  });

  it('keeps a negative net income as published (public full-text search without admin fields)', async () => {
    const page = await source.search('octo technology');
    expect(page.companies).toHaveLength(3);
    const losses = page.companies.flatMap((c) => c.finances).filter((f) => f.netIncome !== null && f.netIncome < 0);
    expect(losses.length).toBeGreaterThan(0);
  });

  it('reads when each upstream dataset was last loaded', async () => {
    const dates = await source.lastModified();
    expect(dates).toMatchObject({ sirene: '2026-03-15', rne: '2026-03-11', bilan_financier: '2026-03-09' });
  });
});
