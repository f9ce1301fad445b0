import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer } from '../../test/setup/fixture-server.js';
import { InseeSireneSource } from './insee-sirene-source.js';

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let source: InseeSireneSource;
let keys: Array<string | undefined> = [];
beforeAll(async () => {
  server = await startFixtureServer((req, url) => {
    keys.push(req.headers['x-insee-api-key-integration'] as string | undefined);
    if (url.pathname === '/siren/809893225') return { body: fixture('insee-sirene/siren-809893225-papangoo.json') };
    if (url.pathname === '/siret/39860733300059') return { body: fixture('insee-sirene/siret-39860733300059-entrepreneur-individuel.json') };
    if (url.pathname === '/siret/41816609600069') return { body: fixture('insee-sirene/siret-41816609600069-octo.json') };
    if (url.pathname === '/siret' && url.searchParams.get('q') === 'siren:418166096') return { body: fixture('insee-sirene/siret-q-siren-418166096-7-etablissements-v3-2022.json') };
    if (url.pathname === '/siret') return { status: 400, body: fixture('insee-sirene/error-400-bad-q-syntax.json') };
    if (url.pathname === '/siren' && req.method === 'POST') return { body: fixture('insee-sirene/siren-search-q-unitePurgeeUniteLegale-true-20-ceased-units.json') };
    if (url.pathname === '/informations') return { body: fixture('insee-sirene/informations-2024-03-27.json') };
    return undefined;
  });
  source = new InseeSireneSource({ baseURL: server.baseURL, apiKey: 'test-key' });
});
afterAll(() => server.close());

describe('INSEE Sirene 3.11 adapter', () => {
  it('reads the current period (dateFin null) of a legal unit, and sends the key header', async () => {
    keys = [];
    const c = (await source.company('809893225'))!;
    expect(c).toMatchObject({ siren: '809893225', name: 'PAPANGOO', status: 'active', legalFormCode: '5710', activityCode: '47.91B', createdOn: '2015-01-01' });
    expect(keys).toEqual(['test-key']);
  });

  it('a closed secondary establishment of an active entrepreneur individuel', async () => {
    const e = (await source.establishment('39860733300059'))!;
    expect(e).toMatchObject({ siret: '39860733300059', headOffice: false, establishmentActive: false });
    expect(e.identity).toMatchObject({ siren: '398607333', entrepreneurIndividuel: true, status: 'active', name: 'BERTRAND GRONDIN' });
  });

  it("the head office of an SAS", async () => {
    const e = (await source.establishment('41816609600069'))!;
    expect(e.headOffice).toBe(true);
    expect(e.identity).toMatchObject({ siren: '418166096', legalFormCode: '5710', entrepreneurIndividuel: false });
  });

  it('an unknown SIREN is null; a 400 is a clear upstream error', async () => {
    expect(await source.company('552032534')).toBeNull();
    await expect((source as unknown as { http: { getJson(p: string): Promise<unknown> } }).http.getJson('/siret')).rejects.toThrow(/insee-sirene refused the request: HTTP 400/);
  });

  it('the multi-criteria search (POST /siren) returns the 20 ceased purged units, each through the current-period rule', async () => {
    const mapped = await source.searchUnits('unitePurgeeUniteLegale:True');
    expect(mapped).toHaveLength(20);
    expect(mapped.every((c) => c.status === 'ceased' && c.ceasedOn !== null)).toBe(true);
  });

  it('the 7 établissements of OCTO (API V3, 2022): 2 active, 5 closed', async () => {
    const page = (await source.establishments('418166096'))!;
    expect(page.total).toBe(7);
    expect(page.establishments.filter((e) => e.establishmentActive).length).toBe(2);
    expect(page.establishments.filter((e) => e.establishmentActive === false).length).toBe(5);
    expect(page.establishments.every((e) => e.identity.siren === '418166096')).toBe(true);
  });

  it('the service information: up, with the date of each collection', async () => {
    const info = (await source.informations())!;
    expect(info).toMatchObject({ up: true, version: '3.11.20' });
    expect(info.dataUpdatedAt['Unités Légales']).toBe('2024-03-27T01:20:02.000');
  });
});
