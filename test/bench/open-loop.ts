import http from 'node:http';

export interface OpenLoopResult {
  sent: number;
  ok: number;
  failed: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  /** Every latency (ms), sorted. */
  latencies: number[];
}

/** The q-quantile of sorted latencies, to 0.1 ms. */
export function quantile(sorted: readonly number[], q: number): number {
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
}

/**
 * An open-loop load: requests leave at evenly spaced times (`rate` per second) whatever the
 * answers do, over at most `connections` keep-alive connections, and each latency is counted from
 * the time the request was due — so a slow answer that delays the next ones is charged to them too
 * (no coordinated omission). Used to read latency at a given load rather than at saturation.
 */
export async function openLoop(opts: {
  url: string;
  headers: Record<string, string>;
  body: (i: number) => string;
  rate: number;
  seconds: number;
  connections: number;
}): Promise<OpenLoopResult> {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const latencies: number[] = [];
  const slow: number[] = [];
  let ok = 0;
  let failed = 0;
  const total = Math.round(opts.rate * opts.seconds);
  const start = performance.now();
  const pending: Array<Promise<void>> = [];
  const send = (i: number, due: number) =>
    new Promise<void>((resolve) => {
      const body = opts.body(i);
      const req = http.request(
        { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...opts.headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if (process.env.BENCH_DEBUG && performance.now() - due > 50) slow.push(Math.round(due - start));
            if (res.statusCode && res.statusCode < 300) ok++;
            else failed++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end(body);
    });
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + (next * 1000) / opts.rate <= now) {
      pending.push(send(next, start + (next * 1000) / opts.rate));
      next++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  if (slow.length) console.error(`slow (>50 ms) requests by due time (ms): ${[...new Set(slow.map((t) => Math.floor(t / 100) * 100))].join(' ')}`);
  latencies.sort((a, b) => a - b);
  return { sent: total, ok, failed, seconds, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: quantile(latencies, 1), latencies };
}
