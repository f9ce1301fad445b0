import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './pg-cluster.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `npm start` or `npm run worker` as a separate process, as an operator runs them. */
export interface VigieProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port> (API processes only). */
  url: string;
  output(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

export async function startVigie(kind: 'api' | 'worker', env: Record<string, string>): Promise<VigieProcess> {
  const port = kind === 'api' ? await freePort() : 0;
  const entry = path.join(ROOT, kind === 'api' ? 'src/main.ts' : 'src/worker.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const proc: VigieProcess = {
    child,
    url,
    output: () => out,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () =>
      new Promise((resolve) => {
        if (!proc.alive()) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!proc.alive()) throw new Error(`vigie ${kind} exited at start:\n${out}`);
    // An API is ready when it says it listens on its own port (another test file's process may hold
    // a port freePort handed out twice, and would answer /readyz for it) and answers /readyz.
    const listening = (env.LOG_LEVEL ?? 'info') !== 'info' || out.includes(`localhost:${port} `);
    if (kind === 'worker' ? /worker started/.test(out) : listening && (await fetch(`${url}/readyz`).then((r) => r.ok).catch(() => false))) break;
    if (Date.now() > deadline) throw new Error(`vigie ${kind} did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return proc;
}
