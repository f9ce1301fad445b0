import express, { type RequestHandler } from 'express';
import { consumeBody, refuseDeclaredAbove } from '../http/body.js';
import { assertCleanQuery, assertStorable, verifyUtf8Body } from '../http/input-guard.js';

/** The largest form a page takes. */
const FORM_LIMIT = 20 * 1024;

/** The paths the API owns (it guards its own input); the page guard leaves them alone. */
export const isApiPath = (p: string) => p.startsWith('/v1/') || ['/healthz', '/readyz', '/metrics', '/openapi.json', '/api'].includes(p) || p.startsWith('/docs');

/**
 * Every page and form, before any page handler: the query checked as the API's is (percent-encoding,
 * NUL), a form body parsed once for every route (any other body read to its end and counted), and
 * checked for what no page can store (NUL, lone surrogates). Errors go to the web router's error
 * page. Built as a router so that Express's own error handling covers each step. The upload
 * paths (`isUpload`) take a multipart form instead, read by their screen.
 */
export function pageInput(isUpload: (path: string) => boolean = () => false): RequestHandler {
  const query: RequestHandler = (req, _res, next) => {
    req.body = {};
    assertCleanQuery(req.url);
    assertStorable('query', req.query);
    next();
  };
  const guard = express.Router();
  guard.use(
    refuseDeclaredAbove(FORM_LIMIT),
    express.urlencoded({ extended: false, limit: FORM_LIMIT, verify: verifyUtf8Body }),
    consumeBody(FORM_LIMIT),
    (req, _res, next) => {
      req.body ??= {};
      assertCleanQuery(req.url);
      assertStorable('query', req.query);
      assertStorable('body', req.body);
      next();
    },
  );
  // An upload form (multipart) of one of these paths is read by its screen (src/web/screens/uploads.ts), within its own limit.
  return (req, res, next) => {
    if (isApiPath(req.path)) return next();
    if (req.method === 'POST' && isUpload(req.path) && req.is('multipart/form-data')) return query(req, res, next);
    guard(req, res, next);
  };
}
