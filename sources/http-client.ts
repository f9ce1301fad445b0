import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import Bottleneck from 'bottleneck';
import { UpstreamUnavailable } from '../src/errors.js';
import { UpstreamShapeError } from './errors.js';

export interface HttpSourceOptions {
  source: string;
  baseURL: string;
  /** The source's published rate: at most this many requests per `perMs`, shared by every caller. */
  rate: { requests: number; perMs: number };
  timeoutMs?: number;
  /** Attempts after the first, on timeouts, network errors, 5xx and 429. */
  retries?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Consecutive failed calls that open the circuit, and how long it stays open. */
  circuit?: { failures: number; openMs: number };
  headers?: Record<string, string>;
  /** Longest Retry-After honoured; a longer one fails the call instead of blocking it. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface HttpResult<T> {
  status: number;
  data: T;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds or an HTTP date, as RFC 9110 allows. */
export function retryAfterMs(header: unknown, now: number): number | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The HTTP side every adapter shares: axios with a timeout; a bottleneck limiter spacing requests
 * to the source's published rate (so concurrent callers together stay under it); retries with
 * exponential backoff and full jitter on timeouts, network errors and 5xx; Retry-After honoured
 * on 429; and a circuit that stops calling a source that keeps failing, for a while.
 */
export class HttpSourceClient {
  private readonly http: AxiosInstance;
  private readonly limiter: Bottleneck;
  private readonly o: Required<Omit<HttpSourceOptions, 'headers'>> & { headers: Record<string, string> };
  private consecutiveFailures = 0;
  private openUntil = 0;

  constructor(options: HttpSourceOptions) {
    this.o = {
      timeoutMs: 10_000,
      retries: 3,
      backoffBaseMs: 250,
      backoffMaxMs: 8_000,
      circuit: { failures: 5, openMs: 60_000 },
      headers: {},
      maxRetryAfterMs: 120_000,
      sleep: defaultSleep,
      random: Math.random,
      now: Date.now,
      ...options,
    };
    this.http = axios.create({
      baseURL: options.baseURL,
      timeout: this.o.timeoutMs,
      headers: { Accept: 'application/json', 'User-Agent': 'vigie (credit risk monitoring)', ...this.o.headers },
      responseType: 'text',
      transformResponse: [(d: unknown) => d],
      validateStatus: () => true,
    });
    // Evenly spaced starts, with a 10% margin so network jitter never squeezes one more request
    // into any window of the published length.
    this.limiter = new Bottleneck({ minTime: Math.ceil((options.rate.perMs / options.rate.requests) * 1.1), maxConcurrent: null });
  }

  get source(): string {
    return this.o.source;
  }

  /** GET returning parsed JSON; 404 is returned to the caller (not an error), other 4xx are. */
  async getJson<T = unknown>(path: string, params?: Record<string, string | number | undefined>): Promise<HttpResult<T | null>> {
    return this.json(await this.get(path, params));
  }

  private json<T>(res: AxiosResponse): HttpResult<T | null> {
    if (res.status === 404) return { status: 404, data: null };
    const body = typeof res.data === 'string' ? res.data : String(res.data ?? '');
    try {
      return { status: res.status, data: JSON.parse(body) as T };
    } catch {
      const type = String(res.headers['content-type'] ?? 'unknown type');
      throw new UpstreamShapeError(this.o.source, '', `the body is not JSON (${type}, ${body.length} bytes${body.trimStart().startsWith('<') ? ', looks like HTML' : ''})`);
    }
  }

  /** POST of a form (INSEE's multi-criteria search), returning parsed JSON. */
  async postFormJson<T = unknown>(path: string, form: Record<string, string>): Promise<HttpResult<T | null>> {
    return this.json(await this.request('post', path, undefined, new URLSearchParams(form).toString()));
  }

  /** GET returning text (HTML pages). */
  async getText(path: string, params?: Record<string, string | number | undefined>): Promise<HttpResult<string | null>> {
    const res = await this.get(path, params);
    if (res.status === 404) return { status: 404, data: null };
    return { status: res.status, data: String(res.data ?? '') };
  }

  private get(path: string, params?: Record<string, string | number | undefined>): Promise<AxiosResponse> {
    return this.request('get', path, params);
  }

  private async request(method: 'get' | 'post', path: string, params?: Record<string, string | number | undefined>, form?: string): Promise<AxiosResponse> {
    const now = this.o.now();
    if (now < this.openUntil) {
      throw new UpstreamUnavailable(this.o.source, `${this.o.source} is failing; calls are paused for ${Math.ceil((this.openUntil - now) / 1000)} s`, 'upstream_circuit_open');
    }
    let lastProblem = '';
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      let res: AxiosResponse | undefined;
      try {
        res = await this.limiter.schedule(() =>
          method === 'get'
            ? this.http.get(path, { params })
            : this.http.post(path, form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
        );
      } catch (err) {
        const e = err as { code?: string; message?: string };
        lastProblem = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' ? `timed out after ${this.o.timeoutMs} ms` : `network error (${e.code ?? e.message})`;
      }
      if (res) {
        if (res.status < 400 || (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408)) {
          this.consecutiveFailures = 0;
          if (res.status >= 400 && res.status !== 404) {
            throw new UpstreamUnavailable(this.o.source, `${this.o.source} refused the request: HTTP ${res.status}`, 'upstream_rejected');
          }
          return res;
        }
        lastProblem = `HTTP ${res.status}`;
        if (res.status === 429) {
          const wait = retryAfterMs(res.headers['retry-after'], this.o.now());
          if (wait !== undefined && wait > this.o.maxRetryAfterMs) {
            throw new UpstreamUnavailable(this.o.source, `${this.o.source} asks to wait ${Math.round(wait / 1000)} s (rate limit)`, 'upstream_rate_limited');
          }
          if (attempt < this.o.retries) {
            await this.o.sleep(wait ?? this.backoff(attempt));
            continue;
          }
        }
      }
      if (attempt < this.o.retries) await this.o.sleep(this.backoff(attempt));
    }
    this.consecutiveFailures++;
    if (this.consecutiveFailures >= this.o.circuit.failures) this.openUntil = this.o.now() + this.o.circuit.openMs;
    throw new UpstreamUnavailable(this.o.source, `${this.o.source} is unavailable: ${lastProblem} after ${this.o.retries + 1} attempts`);
  }

  /** Exponential backoff with full jitter. */
  private backoff(attempt: number): number {
    const cap = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** attempt);
    return Math.round(this.o.random() * cap);
  }
}
