import { randomUUID } from 'node:crypto';
import type { Express, Request } from 'express';
import type { Logger } from '../logger.js';
import type { Metrics } from './metrics.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id: the caller's X-Request-Id when it is a plain token, else a new UUID. */
    id: string;
    /** A logger bound to this request's id (built on first use). */
    log: Logger;
  }
}

const REQUEST_ID = /^[\w.-]{1,100}$/;

/** Words that make a query parameter a credential, whatever the route (`api_key`, `access_token`, `jwt`…). */
const SECRET_WORDS = new Set([
  'key', 'apikey', 'token', 'jwt', 'secret', 'password', 'passwd', 'pwd', 'pass', 'passphrase', 'credential', 'credentials',
  'session', 'sid', 'auth', 'authorization', 'bearer', 'signature', 'sig', 'code', 'otp', 'cookie', 'private',
]);
/** Spellings that hide a word from the split below (`accesstoken`, `apikey`, `sessionid`). */
const SECRET_INSIDE = /apikey|token|secret|passw|credential|jwt|session|bearer|authoriz/;

/**
 * The parameter name as a person means it: percent-decoded (or its escapes dropped when they do
 * not decode), `+` as a space, control characters (NUL) and brackets (`api_key[]`, `a[token]`)
 * dropped, camelCase split, lower case.
 */
export function normalisedParamName(raw: string): string[] {
  let name: string;
  try {
    name = decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    name = raw.replace(/%[0-9a-f]{0,2}/gi, ' ');
  }
  name = name.replace(/[\u0000-\u001f\u007f]/g, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return name.split(/[^a-z0-9]+/).filter((w) => w !== '');
}

export function isSecretParam(raw: string): boolean {
  const words = normalisedParamName(raw);
  return words.some((w) => SECRET_WORDS.has(w)) || SECRET_INSIDE.test(words.join(''));
}

/** The URL as it may be logged: credentials in the query string become `[REDACTED]`. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const pairs = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq === -1) return pair;
      return isSecretParam(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=[REDACTED]` : pair;
    });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/**
 * One middleware for what every route needs around it: the request id (echoed in
 * X-Request-Id), one access-log line when the request ends (info for 2xx/3xx, debug for 4xx,
 * error for 5xx; nothing is built when that level is off), and the duration histogram by route
 * template. Written here rather than with pino-http, which built a child logger and serialized
 * every request even with logging off: on the order-check path that was about a tenth of the
 * server's CPU (profiled under bench:order-check-cost).
 */
export function installRequestLog(app: Express, logger: Logger, metrics: Metrics, quiet: (url: string) => boolean): void {
  // req.log is a getter on this app's request prototype, defined once, rather than a property and
  // a closure defined on every request; the child logger is built only when a route logs.
  const children = new WeakMap<Request, Logger>();
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request): Logger {
      let child = children.get(this);
      if (!child) {
        child = logger.child({ reqId: this.id });
        children.set(this, child);
      }
      return child;
    },
  });
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = (res.locals.route as string | undefined) ?? (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
      const status = res.statusCode;
      metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      if (quiet(req.url)) return;
      const level = status >= 500 ? 'error' : status >= 400 ? 'debug' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { id, method: req.method, url: redactUrl(req.originalUrl) }, res: { statusCode: status }, responseTime: Math.round(seconds * 1e4) / 10 },
        'request completed',
      );
    });
    next();
  });
}
