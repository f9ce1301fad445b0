import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DomainError, RateLimited, type ErrorDetail } from '../errors.js';
import type { Logger } from '../logger.js';
import { isDatabaseUnavailable } from '../db/database.js';
import { redactUrl } from './request-log.js';

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

export interface KnownError {
  status: number;
  code: string;
  message: string;
  details: ErrorDetail[];
  retryAfterSeconds?: number;
  /** Logged at warn (an outage), else at debug. */
  outage?: boolean;
}

/**
 * What a known error means for the caller: its status, code and message. Undefined for an error
 * no rule covers (a bug: 500). The API's handler below and the web pages both answer from it.
 */
export function describeError(err: unknown): KnownError | undefined {
  if (err instanceof DomainError) {
    return { status: STATUS[err.kind], code: err.code, message: err.message, details: err.details, ...(err instanceof RateLimited ? { retryAfterSeconds: err.retryAfterSeconds } : {}) };
  }
  const parser = (err ?? {}) as HttpParserError;
  if (parser.type === 'entity.parse.failed') return { status: 400, code: 'malformed_json', message: 'body: the request body is not valid JSON', details: [{ field: 'body', message: 'not valid JSON' }] };
  if (parser.type === 'entity.too.large') {
    return { status: 413, code: 'payload_too_large', message: `body: the request body is larger than the limit of ${parser.limit} bytes`, details: [{ field: 'body', message: 'too large' }] };
  }
  if (parser.type === 'request.aborted' || parser.type === 'request.size.invalid') {
    return { status: 400, code: 'incomplete_body', message: 'body: the request body did not arrive whole; nothing was recorded', details: [{ field: 'body', message: 'incomplete body' }] };
  }
  if (parser.type === 'encoding.unsupported' || parser.type === 'charset.unsupported') return { status: 415, code: 'unsupported_encoding', message: 'body: unsupported content encoding or charset', details: [] };
  if (err instanceof URIError || parser.type === 'body.not_utf8') {
    return { status: 400, code: 'malformed_encoding', message: 'The request is not valid percent-encoded UTF-8', details: [{ field: 'path', message: 'malformed encoding' }] };
  }
  if (isDatabaseUnavailable(err)) {
    return { status: 503, code: 'database_unavailable', message: 'The database cannot be reached right now; nothing was recorded. Retry shortly.', details: [], retryAfterSeconds: 5, outage: true };
  }
  // A constraint the service did not anticipate: still the client's input, never a 500.
  const pgErr = err as PgError;
  if (pgErr.code === '23505') return { status: 409, code: 'conflict', message: `A record with the same key already exists (${pgErr.constraint ?? 'unique constraint'})`, details: [] };
  if (pgErr.code === '23514' || pgErr.code === '23502' || pgErr.code === '22003' || pgErr.code === '22007' || pgErr.code === '22008') {
    return { status: 400, code: 'invalid_input', message: `The input breaks a rule of the data (${pgErr.constraint ?? pgErr.column ?? pgErr.code})`, details: [] };
  }
  if (typeof parser.status === 'number' && parser.status >= 400 && parser.status < 500 && parser.expose) {
    return { status: parser.status, code: 'bad_request', message: (err as Error).message, details: [] };
  }
  return undefined;
}

/** The one place that knows HTTP statuses for errors. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // Answered before the body was read to its end (too large, a bad line, an abort): the rest is
    // not drained; the connection closes after this answer.
    if (!req.complete && !res.headersSent) res.setHeader('Connection', 'close');
    if (res.headersSent) {
      logger.error({ err, reqId: req.id }, 'error after the response started');
      res.destroy();
      return;
    }
    const known = describeError(err);
    if (known) {
      if (known.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(known.retryAfterSeconds));
      if (known.outage) (req.log ?? logger).warn({ err: { message: (err as Error).message, code: (err as PgError).code } }, 'database unavailable');
      // A refused request is logged at info with its redacted address (the access line says the rest).
      else (req.log ?? logger).info({ code: known.code, status: known.status, url: redactUrl(req.originalUrl) }, 'request refused');
      res.status(known.status).json(body(known.code, known.message, known.details, req.id));
      return;
    }
    (req.log ?? logger).error({ err, reqId: req.id }, 'unhandled error');
    res.status(500).json(body('internal_error', 'An internal error occurred; it has been logged.', [], req.id));
  };
}
