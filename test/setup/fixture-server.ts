import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The recorded payloads of test/fixtures/sources/ (see its README), read as they are. */
export const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/sources');
export const fixture = (relative: string) => readFileSync(path.join(FIXTURES, relative), 'utf8');
export const fixtureJson = (relative: string) => JSON.parse(fixture(relative)) as unknown;

export type Handler = (req: http.IncomingMessage, url: URL) => { status?: number; body: string; headers?: Record<string, string>; delayMs?: number } | undefined;

/** A real HTTP server on 127.0.0.1 serving what `handler` says; records each request's time. */
export async function startFixtureServer(handler: Handler) {
  const requests: Array<{ at: number; url: URL }> = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ at: Date.now(), url });
    const answer = handler(req, url) ?? { status: 404, body: '{"error":"not found"}' };
    const send = () => {
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...answer.headers });
      res.end(answer.body);
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs);
    else send();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
