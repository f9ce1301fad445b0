import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, RateLimited, type ErrorDetail } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from '../db/database.js';

const STATUS: Record<DomainError['kind'], number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  upstream_unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[]; requestId?: string };
}

function body(code: string, message: string, details: ErrorDetail[] = [], requestId?: unknown): ErrorBody {
  return { error: { code, message, details, ...(requestId ? { requestId: String(requestId) } : {}) } };
}

interface HttpParserError {
  type?: string;
  status?: number;
  limit?: number;
  expose?: boolean;
}

interface PgError {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json(body('route_not_found', `No route ${req.method} ${req.path}`, [], req.id));
};

/** The one place that knows HTTP statuses for errors. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    if (res.headersSent) {
      logger.error({ err, reqId: req.id }, 'error after the response started');
      res.destroy();
      return;
    }
    if (err instanceof DomainError) {
      const status = STATUS[err.kind];
      if (err instanceof RateLimited) res.setHeader('Retry-After', String(err.retryAfterSeconds));
      (req.log ?? logger).debug({ code: err.code, status }, err.message);
      res.status(status).json(body(err.code, err.message, err.details, req.id));
      return;
    }
    const parser = err as HttpParserError;
    if (parser.type === 'entity.parse.failed') {
      res.status(400).json(body('malformed_json', 'body: the request body is not valid JSON', [{ field: 'body', message: 'not valid JSON' }], req.id));
      return;
    }
    if (parser.type === 'entity.too.large') {
      res
        .status(413)
        .json(body('payload_too_large', `body: the request body is larger than the limit of ${parser.limit} bytes`, [{ field: 'body', message: 'too large' }], req.id));
      return;
    }
    if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') {
      res.status(415).json(body('unsupported_encoding', 'body: unsupported content encoding or charset', [], req.id));
      return;
    }
    if (err instanceof URIError || parser.type === 'body.not_utf8') {
      res.status(400).json(body('malformed_encoding', 'The request is not valid percent-encoded UTF-8', [{ field: 'path', message: 'malformed encoding' }], req.id));
      return;
    }
    if (isDatabaseUnavailable(err)) {
      (req.log ?? logger).warn({ err: { message: (err as Error).message, code: (err as PgError).code } }, 'database unavailable');
      res
        .status(503)
        .setHeader('Retry-After', '5')
        .json(body('database_unavailable', 'The database cannot be reached right now; nothing was recorded. Retry shortly.', [], req.id));
      return;
    }
    // A constraint the service did not anticipate: still the client's input, never a 500.
    const pgErr = err as PgError;
    if (pgErr.code === '23505') {
      res.status(409).json(body('conflict', `A record with the same key already exists (${pgErr.constraint ?? 'unique constraint'})`, [], req.id));
      return;
    }
    if (pgErr.code === '23514' || pgErr.code === '23502' || pgErr.code === '22003' || pgErr.code === '22007' || pgErr.code === '22008') {
      res.status(400).json(body('invalid_input', `The input breaks a rule of the data (${pgErr.constraint ?? pgErr.column ?? pgErr.code})`, [], req.id));
      return;
    }
    if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500 && parser.expose) {
      res.status(parser.status).json(body('bad_request', (err as Error).message, [], req.id));
      return;
    }
    (req.log ?? logger).error({ err, reqId: req.id }, 'unhandled error');
    res.status(500).json(body('internal_error', 'An internal error occurred; it has been logged.', [], req.id));
  };
}
