import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer } from '../../test/setup/fixture-server.js';
import { parseSanctionText } from './dgccrf-parser.js';
import { DgccrfSource } from './dgccrf-source.js';

const PAGE0 = fixture('dgccrf-sanctions/sanctions-delais-paiement-2019-page0-excerpt-lepee-vitrage.txt');
const PAGE1 = fixture('dgccrf-sanctions/sanctions-delais-paiement-2019-page1-excerpt-nexira.txt');

describe('DGCCRF late-payment sanctions parser (on the recorded page texts)', () => {
  it('reads the first entry of page 0: LEPEE VITRAGE, 5,000 €', () => {
    const [s, ...rest] = parseSanctionText(PAGE0);
    expect(rest).toEqual([]);
    expect(s).toMatchObject({ date: '2019-08-01', amount: 500_000, name: 'LEPEE VITRAGE', siret: '31399760300052', siren: '313997603' });
    expect(s!.text).toMatch(/^En application des articles L.441-6-VI/);
  });

  it('reads the first entry of page 1: SAS NEXIRA, 65,000 €', () => {
    expect(parseSanctionText(PAGE1)[0]).toMatchObject({ date: '2019-06-14', amount: 6_500_000, name: 'SAS NEXIRA', siret: '34477087000014' });
  });

  it('ignores the page introduction (it cites amounts but names no company)', () => {
    expect(parseSanctionText(PAGE0.split('01/08/2019')[0]!)).toEqual([]);
  });
});

describe('DGCCRF page walk over HTTP', () => {
  // No HTML capture of the page exists: these pages are built here from the recorded texts'
  // paragraphs, with a pager link, to test the walk and the selectors.
  const html = (text: string, next: string | null) =>
    `<html><body><main>${text
      .split(/\n\s*\n/)
      .map((p) => `<p>${p.trim()}</p>`)
      .join('')}</main>${next ? `<nav><ul><li class="pager__item--next"><a href="${next}" rel="next">Suivant</a></li></ul></nav>` : ''}</body></html>`;
  let server: Awaited<ReturnType<typeof startFixtureServer>>;
  beforeAll(async () => {
    server = await startFixtureServer((_req, url) => {
      if (url.pathname !== '/dgccrf/sanctions-delais-paiement') return undefined;
      const page = url.searchParams.get('page') ?? '0';
      const headers = { 'content-type': 'text/html; charset=utf-8' };
      if (page === '0') return { body: html(PAGE0, '?page=1'), headers };
      if (page === '1') return { body: html(PAGE1, null), headers };
      return undefined;
    });
  });
  afterAll(() => server.close());

  it('follows the pager and collects every sanction', async () => {
    const sanctions = await new DgccrfSource({ baseURL: server.baseURL, rate: { requests: 20, perMs: 1000 } }).all();
    expect(sanctions.map((s) => s.name)).toEqual(['LEPEE VITRAGE', 'SAS NEXIRA']);
    expect(server.requests.map((r) => r.url.searchParams.get('page'))).toEqual([null, '1']);
  });
});
