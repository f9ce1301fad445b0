import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer } from '../../test/setup/fixture-server.js';
import { RatiosInpiBceSource } from './ratios-inpi-bce-source.js';
import { latestComplete } from './ratios-inpi-bce-mapper.js';

const files: Record<string, string> = {
  '552032534': 'records-v1-search-siren-552032534-danone.json',
  '487444697': 'records-v1-search-siren-487444697-partially-confidential.json',
  '889297453': 'records-v1-search-siren-889297453-no-result.json',
};

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let source: RatiosInpiBceSource;
beforeAll(async () => {
  server = await startFixtureServer((_req, url) => {
    const siren = /siren="(\d{9})"/.exec(url.searchParams.get('where') ?? '')?.[1];
    return siren && files[siren] ? { body: fixture(`ratios-inpi-bce/${files[siren]}`) } : undefined;
  });
  source = new RatiosInpiBceSource({ baseURL: server.baseURL });
});
afterAll(() => server.close());

describe('Ratios INPI/BCE adapter', () => {
  it('Danone: complete and consolidated statements are told apart; scoring takes the latest complete one', async () => {
    const all = await source.statements('552032534');
    expect(all).toHaveLength(10);
    expect(new Set(all.map((s) => s.type))).toEqual(new Set(['C', 'K']));
    expect(all.filter((s) => s.type === 'K').map((s) => s.closingDate)).toEqual(['2022-12-31', '2021-12-31', '2019-12-31', '2018-12-31', '2016-12-31']);
    expect(latestComplete(all)).toMatchObject({ type: 'C', closingDate: '2023-12-31' });
  });

  it('a partially confidential company: its missing figures are missing, not zero; negative ones stay negative', async () => {
    const all = await source.statements('487444697');
    const y2022 = all.find((s) => s.closingDate === '2022-12-31')!;
    expect(y2022).toMatchObject({ confidentiality: 'Partiellement confidentiel', netIncome: -693_623, ebitda: -514_706 });
    expect(y2022.ratios).toMatchObject({ equityRatio: -36.881, debtRatio: -121.548 });
    const withGaps = all.filter((s) => s.confidentiality === 'Partiellement confidentiel');
    expect(withGaps).toHaveLength(3);
    const anyMissing = all.some((s) => [s.revenue, s.ebit, ...Object.values(s.ratios)].some((v) => v === null));
    expect(anyMissing).toBe(true);
    expect(all.every((s) => [s.revenue, s.ebit, ...Object.values(s.ratios)].every((v) => v === null || typeof v === 'number'))).toBe(true);
  });

  it('no published statement is an empty list', async () => {
    expect(await source.statements('889297453')).toEqual([]);
  });
});
