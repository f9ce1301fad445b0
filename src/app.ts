import express, { type Express, type RequestHandler } from 'express';
import type { Logger } from './logger.js';
import type { ApiKeysService } from './api-keys/api-keys-service.js';
import { authenticate, authorize } from './http/auth.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { buildOpenApi } from './http/openapi.js';
import { docsRouter } from './http/docs.js';
import { parseWith } from './http/validate.js';
import { Reply, type RouteDef } from './http/route.js';
import type { Metrics } from './http/metrics.js';
import { installRequestLog } from './http/request-log.js';
import { InvalidInput } from './errors.js';

export interface ReadinessCheck {
  ready(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
}

export interface AppDeps {
  logger: Logger;
  routes: readonly RouteDef[];
  apiKeys: ApiKeysService;
  readiness: ReadinessCheck;
  metrics: Metrics;
  bodyLimit: string;
  bulkBodyLimit: string;
  version: string;
}

function handlerFor(route: RouteDef): RequestHandler {
  return async (req, res) => {
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
      body = parseWith('body', route.body, req.body);
    }
    const result = await route.handler({ params, query, body, auth: req.auth!, req, res });
    if (res.headersSent) return;
    if (result instanceof Reply) {
      for (const [k, v] of Object.entries(result.headers)) res.setHeader(k, v);
      if (result.body === undefined) res.status(result.status).end();
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

  installRequestLog(app, deps.logger, deps.metrics, (url) => url === '/healthz' || url === '/metrics');

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
  app.get('/', (_req, res) => {
    res.json({ service: 'vigie', version: deps.version, docs: '/docs', openapi: '/openapi.json' });
  });

  const authn = authenticate(deps.apiKeys);
  const json = express.json({ limit: deps.bodyLimit, strict: false });
  const bulkJson = express.json({ limit: deps.bulkBodyLimit, strict: false });
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
      authn,
      authorize(route.roles),
    ];
    if (route.body) chain.push(route.bulk ? bulkJson : json);
    router[route.method](route.path.slice(prefix.length) || '/', ...chain, handlerFor(route));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
