import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { DomainError, InvalidInput } from '../errors.js';

/*
 * A request body is read in one of two ways: parsed whole before the handler (JSON, forms, and
 * any body sent to a route that takes none), or streamed to the handler (CSV and FEC imports).
 * Either way the same rules hold, and none of them can end the process:
 * - a declared Content-Length above the route's limit is refused with 413 before a byte is read;
 * - a chunked body is counted as it streams and stopped at the limit with 413;
 * - a client that aborts, lies about its length or sends malformed chunked encoding ends the
 *   request with an error that reaches the handler's reader (its transaction rolls back), never an
 *   unhandled 'error' event;
 * - an error answered before the body was read to its end closes the connection after the answer
 *   (the error handler sets Connection: close), so a hostile upload is not drained.
 */

export class PayloadTooLarge extends DomainError {
  readonly kind = 'payload_too_large' as const;
  constructor(limit: number, what = 'body', setting?: string) {
    super('payload_too_large', `${what}: larger than the limit of ${limit} bytes${setting ? ` (${setting})` : ''}`, [{ field: 'body', message: 'too large', limit }]);
  }
}

/** A body that did not arrive whole (client gone, malformed chunked encoding, length lie). */
export class BodyAborted extends InvalidInput {
  constructor(cause: string) {
    super(`body: the request body did not arrive whole (${cause}); nothing was recorded`, [{ field: 'body', message: 'incomplete body' }], 'incomplete_body');
  }
}

/** The declared length when it is a plain decimal number, else undefined (Node refuses the rest). */
function declaredLength(req: IncomingMessage): number | undefined {
  const v = req.headers['content-length'];
  return v !== undefined && /^\d{1,16}$/.test(v) ? Number(v) : undefined;
}

/** True when the request carries a body (chunked, or a non-zero declared length). */
export function hasBody(req: IncomingMessage): boolean {
  return req.headers['transfer-encoding'] !== undefined || (declaredLength(req) ?? 0) > 0;
}

/** Refuses, before reading, a body whose declared length is above the limit. */
export function assertDeclaredLength(req: IncomingMessage, limit: number, setting?: string): void {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) throw new PayloadTooLarge(limit, 'body', setting);
}

/**
 * The request body as a stream the handler reads: counted against `limit`, with every error of
 * the request (abort, malformed chunk, premature end) delivered to the reader as a domain error.
 * The reader's early stop (a bad line) detaches it from the request without destroying the
 * socket, so the 400 can still be answered.
 */
export function streamBody(req: IncomingMessage, limit: number, setting?: string): Readable {
  assertDeclaredLength(req, limit, setting);
  let seen = 0;
  let ended = false;
  const onData = (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) return fail(new PayloadTooLarge(limit, 'body', setting));
    if (!out.push(chunk)) req.pause();
  };
  const onEnd = () => {
    ended = true;
    detach();
    out.push(null);
  };
  const onError = (err: Error) => fail(new BodyAborted(err.message || 'connection error'));
  const onClose = () => {
    if (!ended) fail(new BodyAborted('the connection closed before the end of the body'));
  };
  const detach = () => {
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
  };
  const fail = (err: Error) => {
    detach();
    // A request error with no listener left would end the process: keep one that ignores it.
    req.on('error', ignore);
    req.pause();
    out.destroy(err);
  };
  const out = new Readable({
    read() {
      req.resume();
    },
    destroy(err, done) {
      if (!ended) {
        detach();
        req.on('error', ignore);
        req.pause();
      }
      done(err);
    },
  });
  // The reader may not have started when an error comes: the error is kept in the stream's state
  // and thrown to the reader when it starts; this listener only stops it being "unhandled".
  out.on('error', ignore);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
  req.pause();
  // The request may have ended, or died, while authentication ran: no event will come then.
  if (req.readableEnded) onEnd();
  else if (req.destroyed) fail(new BodyAborted('the connection closed before the end of the body'));
  return out;
}

function ignore(): void {}

/**
 * For a route that parses no body of its own: a body sent anyway is read to its end (counted
 * against `limit`) before the handler runs, so that a body that never arrives whole stops the
 * request before anything is written.
 */
export function consumeBody(limit: number): RequestHandler {
  return (req, _res, next) => {
    if (req.readableEnded || !hasBody(req)) return next();
    let body: Readable;
    try {
      body = streamBody(req, limit);
    } catch (err) {
      return next(err);
    }
    body.on('data', ignore);
    body.once('end', () => next());
    body.once('error', (err) => next(err));
  };
}

/** "1mb", "25mb", "100kb", "512b" → bytes (the format config.ts accepts). */
export function parseByteSize(text: string): number {
  const m = /^(\d+)(b|kb|mb)$/i.exec(text);
  if (!m) throw new Error(`not a byte size: ${text}`);
  const unit = m[2]!.toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/**
 * Before a parser that reads the whole body (express.json, express.urlencoded): a declared length
 * above the limit is refused at once. Those parsers, on their own, read a refused body to its end
 * before answering (600 MB of it, if the client says so).
 */
export function refuseDeclaredAbove(limit: number): RequestHandler {
  return (req, _res, next) => {
    assertDeclaredLength(req, limit);
    next();
  };
}

/** An upload received whole on disk, to be read (as often as needed) then removed. */
export interface SpooledBody {
  bytes: number;
  open(): Readable;
  remove(): void;
}

/**
 * Receives an upload to a temporary file before any work on it starts: a client that sends slowly
 * (or stops halfway) then holds a socket and a file, never a database transaction, the accounts it
 * locks, or — on the embedded database, which runs one transaction at a time — everybody's
 * requests. The file is counted against `limit` as it is written and removed on every outcome.
 */
export async function spoolBody(req: IncomingMessage, limit: number, setting?: string): Promise<SpooledBody> {
  const body = streamBody(req, limit, setting);
  const dir = mkdtempSync(path.join(tmpdir(), 'vigie-upload-'));
  const file = path.join(dir, 'body');
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let bytes = 0;
  body.on('data', (c: Buffer) => (bytes += c.length));
  try {
    await pipeline(body, createWriteStream(file, { mode: 0o600 }));
  } catch (err) {
    remove();
    throw err;
  }
  return { bytes, open: () => createReadStream(file, { highWaterMark: 256 * 1024 }), remove };
}

/** A small binary body (a logo, a PDF) read whole into memory, refused past `limit` bytes. */
export async function readBodyBuffer(req: IncomingMessage, limit: number, setting?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of streamBody(req, limit, setting)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
