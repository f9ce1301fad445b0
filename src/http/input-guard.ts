import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { InvalidInput } from '../errors.js';
import { formatPath } from './validate.js';

/*
 * Bytes that no route can store: PostgreSQL's text type cannot hold U+0000, and a percent-encoding
 * or a body that is not UTF-8 would otherwise be decoded into U+FFFD and stored as something the
 * client never sent. Each is refused here with a 400 that names the field, before any route runs.
 */

const NUL = '\u0000';

function nulError(field: string): InvalidInput {
  return InvalidInput.field(field, 'contains a NUL character (U+0000), which cannot be stored', 'invalid_characters');
}

function encodingError(field: string): InvalidInput {
  return InvalidInput.field(field, 'is not valid percent-encoded UTF-8', 'malformed_encoding');
}

/** Throws naming the first string (or object key) under `value` that holds U+0000. */
export function assertNoNul(root: string, value: unknown): void {
  const path: PropertyKey[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes(NUL)) throw nulError(formatPath(root, path));
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i]);
        path.pop();
      }
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      path.push(k);
      if (k.includes(NUL)) throw nulError(formatPath(root, path));
      visit(child);
      path.pop();
    }
  };
  visit(value);
}

function decodeQueryPart(part: string, field: () => string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw encodingError(field());
  }
}

/**
 * The raw query string, checked before the lenient parser turns bad escapes into U+FFFD:
 * every name and value must decode as UTF-8 and hold no NUL.
 */
export function assertCleanQuery(url: string): void {
  const q = url.indexOf('?');
  if (q === -1) return;
  for (const pair of url.slice(q + 1).split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawName = eq === -1 ? pair : pair.slice(0, eq);
    const name = decodeQueryPart(rawName, () => `query.${rawName.slice(0, 40)}`);
    const field = `query.${name.replace(/\0/g, '\\0').slice(0, 40)}`;
    if (name.includes(NUL)) throw nulError(field);
    if (eq === -1) continue;
    const value = decodeQueryPart(pair.slice(eq + 1), () => field);
    if (value.includes(NUL)) throw nulError(field);
  }
}

/**
 * The name of the path parameter whose segment cannot be decoded, found from the route's
 * template (`/v1/customers/:id` + `/v1/customers/%ff` → `params.id`), or `path` when no route
 * has that shape.
 */
export function pathFieldOf(templates: readonly string[], path: string): string | undefined {
  // Every request passes here: a path without an escape cannot be malformed (the common case).
  if (!path.includes('%')) return undefined;
  const segments = path.split('/');
  const bad = segments.findIndex((s) => {
    try {
      decodeURIComponent(s);
      return false;
    } catch {
      return true;
    }
  });
  if (bad === -1) return undefined;
  for (const template of templates) {
    const parts = template.split('/');
    if (parts.length !== segments.length) continue;
    const fits = parts.every((p, i) => p.startsWith(':') || p === segments[i]);
    if (fits && parts[bad]!.startsWith(':')) return `params.${parts[bad]!.slice(1)}`;
  }
  return 'path';
}

export function assertCleanPath(templates: readonly string[], path: string): void {
  const field = pathFieldOf(templates, path);
  if (field) throw encodingError(field);
}

/** For express.json's `verify`: a JSON body must be UTF-8 (RFC 8259 §8.1). */
export function verifyUtf8Body(_req: IncomingMessage, _res: unknown, buf: Buffer): void {
  if (!isUtf8(buf)) {
    throw Object.assign(InvalidInput.field('body', 'is not valid UTF-8', 'malformed_encoding'), { type: 'body.not_utf8' });
  }
}
