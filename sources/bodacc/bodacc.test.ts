import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureJson, startFixtureServer } from '../../test/setup/fixture-server.js';
import { BodaccSource, OFFSET_CEILING } from './bodacc-source.js';
import { classifyJudgment, mapPage } from './bodacc-mapper.js';

const V1 = 'bodacc/records-v1-search-registre-880878145-ganymede-3-records.json';
type V1Page = { nhits: number; records: Array<{ fields: Record<string, unknown> }> };

/** The same real records in the Explore v2.1 envelope: fields at the top, registre as an array. */
function asV21(page: V1Page) {
  return {
    total_count: page.nhits,
    results: page.records.map((r) => ({ ...r.fields, registre: String(r.fields.registre).split(',') })),
  };
}

describe('BODACC mapper', () => {
  it('maps the Records API v1 recording: one radiation and two filings of accounts for Ganymède', () => {
    const { total, events } = mapPage(fixtureJson(V1));
    expect(total).toBe(3);
    expect(events.map((e) => [e.id, e.kind, e.siren, e.publishedOn])).toEqual([
      ['B20220227446', 'radiation', '880878145', '2022-11-23'],
      ['C202200902528', 'depot_des_comptes', '880878145', '2022-05-08'],
      ['C202101554392', 'depot_des_comptes', '880878145', '2021-08-11'],
    ]);
    expect(events[1]).toMatchObject({ accountsClosingDate: '2021-12-31', edition: 'C', correction: null });
    expect(events[0]?.url).toContain('B20220227446');
  });

  it('maps the same records in the Explore v2.1 envelope identically', () => {
    expect(mapPage(asV21(fixtureJson(V1) as V1Page))).toEqual(mapPage(fixtureJson(V1)));
  });

  it('refuses a page whose shape changed, naming the source', () => {
    expect(() => mapPage({ records: 'nope' })).toThrow(/bodacc: unexpected response shape/);
  });

  // Judgment natures as BODACC words them (no real collective-proceeding record exists in the recordings).
  it.each([
    ["Jugement d'ouverture d'une procédure de sauvegarde", 'sauvegarde'],
    ["Jugement d'ouverture d'une procédure de redressement judiciaire", 'redressement_judiciaire'],
    ["Jugement d'ouverture d'une procédure de liquidation judiciaire", 'liquidation_judiciaire'],
    ['Jugement de conversion en liquidation judiciaire', 'liquidation_judiciaire'],
    ['Jugement prononçant la liquidation judiciaire', 'liquidation_judiciaire'],
    ['Jugement arrêtant le plan de redressement', 'plan'],
    ['Jugement de clôture pour insuffisance d’actif', 'cloture'],
    ['Jugement de clôture pour extinction du passif', 'cloture'],
    ['Avis de dépôt de l’état des créances', 'other'],
  ])('%s → %s', (nature, kind) => {
    expect(classifyJudgment(nature)).toBe(kind);
  });
});

describe('BODACC adapter over HTTP', () => {
  let server: Awaited<ReturnType<typeof startFixtureServer>>;
  // Several pages for one day: the real records, repeated under distinct ids (no multi-page recording exists).
  const template = (fixtureJson(V1) as V1Page).records;
  const day: Array<Record<string, unknown>> = Array.from({ length: 250 }, (_, i) => ({ ...template[i % 3]!.fields, id: `T${String(i).padStart(5, '0')}`, dateparution: '2026-11-20' }));
  let failOnce = true;
  let outage = true;
  let busyDay = 0;
  beforeAll(async () => {
    server = await startFixtureServer((_req, url) => {
      const where = url.searchParams.get('where') ?? '';
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const limit = Number(url.searchParams.get('limit') ?? 10);
      if (offset + limit > OFFSET_CEILING) return { status: 400, body: '{"error":"offset + limit > 10000"}' };
      if (where.startsWith('registre=')) return { body: JSON.stringify(asV21(fixtureJson(V1) as V1Page)) };
      if (where.includes("date'2026-11-20'")) {
        if (offset === 200 && failOnce) {
          failOnce = false;
          return { status: 503, body: 'unavailable' };
        }
        return { body: JSON.stringify({ total_count: day.length, results: day.slice(offset, offset + limit).map((f) => ({ ...f, registre: String(f.registre).split(',') })) }) };
      }
      const resumeDay = /date'(2026-12-0[123])'/.exec(where)?.[1];
      if (resumeDay) {
        if (resumeDay === '2026-12-02' && outage) return { status: 503, body: 'down' };
        const records = day.slice(0, 120).map((f) => ({ ...f, id: `${resumeDay}-${String(f.id)}`, registre: String(f.registre).split(',') }));
        return { body: JSON.stringify({ total_count: records.length, results: records.slice(offset, offset + limit) }) };
      }
      if (where.includes("date'2026-11-21'") && !where.includes('publicationavis')) {
        busyDay++;
        return { body: JSON.stringify({ total_count: 12_000, results: [] }) };
      }
      if (where.includes("date'2026-11-21'")) return { body: JSON.stringify({ total_count: 1, results: [{ ...template[0]!.fields, id: `E-${where.slice(-2, -1)}`, registre: ['880878145'] }] }) };
      return { body: JSON.stringify({ total_count: 0, results: [] }) };
    });
  });
  afterAll(() => server.close());

  it('fetches a SIREN’s announcements', async () => {
    const source = new BodaccSource({ baseURL: server.baseURL });
    expect((await source.bySiren('880878145')).map((e) => e.kind)).toEqual(['radiation', 'depot_des_comptes', 'depot_des_comptes']);
  });

  it('walks a day over several pages, reaching every record once, through a transient failure', async () => {
    const source = new BodaccSource({ baseURL: server.baseURL, sleep: async () => {} });
    const days = [];
    for await (const d of source.publishedByDay('2026-11-20', '2026-11-20')) days.push(d);
    const ids = days[0]!.events.map((e) => e.id);
    expect(ids).toHaveLength(250);
    expect(new Set(ids).size).toBe(250);
    expect(days[0]!.requests).toBe(3);
  });

  it('narrows a day with more than 10,000 announcements by edition instead of passing the offset ceiling', async () => {
    const source = new BodaccSource({ baseURL: server.baseURL });
    const days = [];
    for await (const d of source.publishedByDay('2026-11-21', '2026-11-21')) days.push(d);
    expect(busyDay).toBe(1);
    expect(days[0]!.events.map((e) => e.id).sort()).toEqual(['E-A', 'E-B', 'E-C']);
  });

  it('resumes from the last complete day after a failure, without missing or repeating an announcement', async () => {
    const source = new BodaccSource({ baseURL: server.baseURL, sleep: async () => {}, retries: 1 });
    const stored = new Map<string, number>();
    let checkpoint = '2026-11-30';
    const run = async () => {
      for await (const d of source.publishedByDay(nextDay(checkpoint), '2026-12-03')) {
        for (const e of d.events) stored.set(e.id, (stored.get(e.id) ?? 0) + 1);
        checkpoint = d.day; // stored with the events, in the caller's transaction
      }
    };
    await expect(run()).rejects.toThrow(/bodacc is unavailable/);
    expect(checkpoint).toBe('2026-12-01');
    outage = false;
    await run();
    expect(checkpoint).toBe('2026-12-03');
    expect(stored.size).toBe(360);
    expect([...stored.values()].every((n) => n === 1)).toBe(true);
  });
});

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}
