import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/test-app.js';
import { startSourcesServer } from '../setup/sources-server.js';
import { freePort } from '../setup/pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'vg_this-key-must-never-be-printed-0000';

/** `npm run check -- …` as a user runs it: a separate process (the service answers from this one meanwhile). */
function check(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/check.ts'), ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

let sources: Awaited<ReturnType<typeof startSourcesServer>>;
let t: TestApp;
let server: Server;
let url: string;
beforeAll(async () => {
  sources = await startSourcesServer();
  t = await createTestApp(sources.env);
  server = t.container.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.close();
  await t?.close();
  await sources?.close();
});

describe('npm run check (the sales CLI)', () => {
  it('an unreachable service: one clear line, exit 3, and never the key', async () => {
    const port = await freePort();
    const r = await check(['552032534'], { VIGIE_API_KEY: SECRET, VIGIE_URL: `http://127.0.0.1:${port}` });
    expect(r.code).toBe(3);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain(`cannot reach Vigie at http://127.0.0.1:${port} (connection refused)`);
    expect(r.out + r.err).not.toContain(SECRET);
    expect(r.out + r.err).not.toMatch(/Bearer|at .*\.ts:\d+/);
  });

  it('a refused key: one line, exit 1', async () => {
    const r = await check(['552032534', '--url', url], { VIGIE_API_KEY: SECRET });
    expect(r.code).toBe(1);
    expect(r.err.trim()).toBe('vigie-check: the API key was refused (401): check VIGIE_API_KEY.');
    expect(r.out + r.err).not.toContain(SECRET);
  });

  it('a refused request (a SIREN that fails its check digit): the API message, exit 1', async () => {
    const r = await check(['552032535', '--url', url], { VIGIE_API_KEY: t.keys.sales });
    expect(r.code).toBe(1);
    expect(r.err.trim()).toMatch(/^vigie-check: 400: params\.siren/);
  });

  it('a good key and SIREN: the assessment for people, exit 0', async () => {
    const r = await check(['552032534'], { VIGIE_API_KEY: t.keys.sales, VIGIE_URL: url });
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/SIREN 552032534/);
    expect(r.out).toMatch(/Grade\s+[A-EX]/);
  });

  it('without a key or SIREN: the usage, naming VIGIE_URL, exit 2', async () => {
    const r = await check([], {});
    expect(r.code).toBe(2);
    expect(r.err).toContain('VIGIE_URL');
  });
});
