import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import cors from 'cors';
import compression from 'compression';
import type { Logger } from './logger.js';
import type { ApiKeysService } from './api-keys/api-keys-service.js';
import type { SessionContext } from './users/users-service.js';
import { authenticate, authorize } from './http/auth.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { buildOpenApi } from './http/openapi.js';
import { docsRouter } from './http/docs.js';
import { parseWith } from './http/validate.js';
import { Reply, type RouteDef } from './http/route.js';
import type { Metrics } from './http/metrics.js';
import { installRequestLog } from './http/request-log.js';
import { InvalidInput } from './errors.js';
import { assertCleanPath, assertCleanQuery, assertStorable, verifyUtf8Body } from './http/input-guard.js';
import { consumeBody, parseByteSize, refuseDeclaredAbove } from './http/body.js';

export interface ReadinessCheck {
  ready(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
}

export interface AppDeps {
  logger: Logger;
  routes: readonly RouteDef[];
  apiKeys: ApiKeysService;
  /** The web application's router (src/web/web-app.ts), mounted at `/`. */
  web?: express.Router;
  /** People's sessions (cookie); without it only API keys are accepted. */
  users?: { session(token: string): Promise<SessionContext | null> };
  readiness: ReadinessCheck;
  metrics: Metrics;
  bodyLimit: string;
  bulkBodyLimit: string;
  version: string;
  /** Origins a browser may call the API from; empty: no CORS headers at all. */
  corsOrigins?: readonly string[];
  hstsMaxAgeSeconds?: number;
  trustProxyHops?: number;
}

function handlerFor(route: RouteDef): RequestHandler {
  return async (req, res) => {
    assertStorable('params', req.params);
    assertStorable('query', req.query);
    const params = route.params ? parseWith('params', route.params, req.params) : {};
    const query = route.query ? parseWith('query', route.query, req.query) : {};
    let body: unknown;
    if (route.body) {
      const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
      if (hasBody && !req.is('application/json')) {
        throw new InvalidInput('body: send a JSON body with "Content-Type: application/json"', [
          { field: 'body', message: 'expected application/json' },
        ], 'unsupported_media_type');
      }
      assertStorable('body', req.body);
      body = parseWith('body', route.body, req.body);
    }
    const result = await route.handler({ params, query, body, auth: req.auth!, req, res });
    if (res.headersSent) return;
    if (result instanceof Reply) {
      for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
      if (result.body === undefined) res.status(result.status).end();
      else if (Buffer.isBuffer(result.body)) res.status(result.status).send(result.body);
      else res.status(result.status).json(result.body);
      return;
    }
    res.status(200).json(result);
  };
}

/** The express app, built only from its dependencies (no globals, no I/O at import). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.set('trust proxy', deps.trustProxyHops ?? 0);

  installRequestLog(app, deps.logger, deps.metrics, (url) => url === '/healthz' || url === '/metrics');

  // Security headers on every response. The API answers JSON only; the one HTML page, /docs, loads
  // its script and styles from this origin (Swagger UI sets inline styles on its elements).
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'none'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          fontSrc: ["'self'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      // HSTS only means something on a response that came over HTTPS.
      strictTransportSecurity: false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  const hsts = deps.hstsMaxAgeSeconds ?? 0;
  if (hsts > 0) {
    const value = `max-age=${hsts}; includeSubDomains`;
    app.use((req, res, next) => {
      if (req.secure) res.setHeader('Strict-Transport-Security', value);
      next();
    });
  }
  if (deps.corsOrigins && deps.corsOrigins.length > 0) {
    const allowed = new Set(deps.corsOrigins);
    app.use(
      cors({
        origin: (origin, done) => done(null, origin !== undefined && allowed.has(origin)),
        allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
        exposedHeaders: ['X-Request-Id', 'Location'],
        maxAge: 600,
      }),
    );
  }

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const result = await deps.readiness.ready().catch((err: Error) => ({ ok: false, checks: { error: err.message } }));
    res.status(result.ok ? 200 : 503).json({ status: result.ok ? 'ready' : 'not_ready', ...result.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  const openapi = buildOpenApi(deps.routes, { version: deps.version });
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', docsRouter());
  app.get('/api', (_req, res) => {
    res.json({ service: 'vigie', version: deps.version, docs: '/docs', openapi: '/openapi.json' });
  });
  // The web application (pages and their hashed assets), compressed.
  if (deps.web) app.use(compression(), deps.web);
  else app.get('/', (_req, res) => res.redirect(302, '/api'));

  // Bytes no route can take are refused before any route runs (src/http/input-guard.ts).
  const templates = deps.routes.map((r) => r.path);
  app.use((req, _res, next) => {
    assertCleanPath(templates, req.path);
    assertCleanQuery(req.url);
    next();
  });

  const authn = authenticate(deps.apiKeys, deps.users);
  const json = [refuseDeclaredAbove(parseByteSize(deps.bodyLimit)), express.json({ limit: deps.bodyLimit, strict: false, verify: verifyUtf8Body })];
  const bulkJson = [refuseDeclaredAbove(parseByteSize(deps.bulkBodyLimit)), express.json({ limit: deps.bulkBodyLimit, strict: false, verify: verifyUtf8Body })];
  // What express.json left unread (another content type) is read and counted, then refused by the route.
  const drain = consumeBody(parseByteSize(deps.bodyLimit));
  // One router per resource (/v1/order-checks, /v1/customers…): a request is matched against a
  // dozen prefixes, then the few routes of its resource, rather than every route in turn.
  const routers = new Map<string, express.Router>();
  for (const route of deps.routes) {
    const prefix = /^\/[^/]+\/[^/]+/.exec(route.path)![0];
    let router = routers.get(prefix);
    if (!router) {
      router = express.Router();
      routers.set(prefix, router);
      app.use(prefix, router);
    }
    const chain: RequestHandler[] = [
      (_req, res, next) => {
        res.locals.route = route.path;
        next();
      },
      ...(route.public ? [] : [authn, authorize(route.roles)]),
    ];
    // A route that parses no JSON and streams nothing still reads any body sent to it before its
    // handler runs: a body that does not arrive whole then stops the request before any write.
    if (route.body) chain.push(...(route.bulk ? bulkJson : json), drain);
    else if (!route.rawBody) chain.push(drain);
    router[route.method](route.path.slice(prefix.length) || '/', ...chain, handlerFor(route));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
