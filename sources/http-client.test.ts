import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFixtureServer, type Handler } from '../test/setup/fixture-server.js';
import { HttpSourceClient, retryAfterMs } from './http-client.js';

let server: Awaited<ReturnType<typeof startFixtureServer>>;
let handler: Handler = () => undefined;
beforeAll(async () => {
  server = await startFixtureServer((req, url) => handler(req, url));
});
afterAll(() => server.close());
afterEach(() => {
  server.requests.length = 0;
});

const DANONE = fixture('recherche-entreprises/search-q-552032534-danone-active-with-finances.json');

function client(extra: Partial<ConstructorParameters<typeof HttpSourceClient>[0]> = {}) {
  const waits: number[] = [];
  const c = new HttpSourceClient({
    source: 'test-source',
    baseURL: server.baseURL,
    rate: { requests: 100, perMs: 1000 },
    timeoutMs: 300,
    retries: 3,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
  return { c, waits };
}

describe('the shared HTTP client of the source adapters', () => {
  it('honours Retry-After on 429, then succeeds', async () => {
    let n = 0;
    handler = () => (n++ === 0 ? { status: 429, body: '{}', headers: { 'retry-after': '2' } } : { body: DANONE });
    const { c, waits } = client();
    const res = await c.getJson<{ total_results: number }>('/search');
    expect(res.data?.total_results).toBe(1);
    expect(waits).toEqual([2000]);
  });

  it('retries a 500 with backoff and jitter, then succeeds', async () => {
    let n = 0;
    handler = () => (n++ < 2 ? { status: 500, body: 'oops' } : { body: DANONE });
    const { c, waits } = client({ random: () => 0.5, backoffBaseMs: 100 });
    await c.getJson('/search');
    expect(waits).toEqual([50, 100]);
    expect(server.requests).toHaveLength(3);
  });

  it('gives up on a source that times out, with a clear error naming it', async () => {
    handler = () => ({ body: DANONE, delayMs: 1_000 });
    const { c } = client({ retries: 1 });
    await expect(c.getJson('/search')).rejects.toThrow(/test-source is unavailable: timed out after 300 ms after 2 attempts/);
  });

  it('fails clearly on truncated JSON and on HTML instead of JSON', async () => {
    handler = () => ({ body: DANONE.slice(0, 200) });
    await expect(client().c.getJson('/search')).rejects.toThrow(/test-source: unexpected response shape.*not JSON/);
    handler = () => ({ body: '<html><body>Maintenance</body></html>', headers: { 'content-type': 'text/html' } });
    await expect(client().c.getJson('/search')).rejects.toThrow(/looks like HTML/);
  });

  it('opens the circuit after repeated failures and stops calling the source', async () => {
    handler = () => ({ status: 503, body: 'down' });
    const { c } = client({ retries: 0, circuit: { failures: 2, openMs: 60_000 } });
    await expect(c.getJson('/a')).rejects.toThrow(/unavailable/);
    await expect(c.getJson('/a')).rejects.toThrow(/unavailable/);
    const before = server.requests.length;
    await expect(c.getJson('/a')).rejects.toThrow(/paused/);
    expect(server.requests.length).toBe(before);
  });

  it('keeps concurrent callers under the published rate (counted by the server)', async () => {
    handler = () => ({ body: '{}' });
    const { c } = client({ rate: { requests: 10, perMs: 1000 } });
    await Promise.all(Array.from({ length: 25 }, () => c.getJson('/x')));
    const times = server.requests.map((r) => r.at).sort((a, b) => a - b);
    for (let i = 0; i < times.length; i++) {
      const inWindow = times.filter((t) => t >= times[i]! && t < times[i]! + 1000).length;
      expect(inWindow).toBeLessThanOrEqual(10);
    }
  }, 10_000);

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
  });
});
