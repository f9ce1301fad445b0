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

/** How deep a JSON body may nest; no route's schema goes near it. */
export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkString(s: string, field: () => string): void {
  if (s.includes(NUL)) throw nulError(field());
  // "\ud800" is valid JSON but no UTF-8 text: PostgreSQL refuses it (or stores U+FFFD).
  if (LONE_SURROGATE.test(s)) {
    throw InvalidInput.field(field(), 'contains a lone UTF-16 surrogate (an escape such as \\ud800 that is no character)', 'invalid_characters');
  }
}

/**
 * Throws naming the first place under `value` that no route can take: nesting deeper than
 * MAX_JSON_DEPTH (checked before anything is visited below it), a string or key holding U+0000
 * or a lone surrogate. Iterative: a body nested 10,000 levels deep costs no stack.
 */
export function assertStorable(root: string, value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  if (typeof value === 'string') return checkString(value, () => root);
  if (typeof value !== 'object' || value === null) return;
  const stack: Array<{ v: unknown; path: PropertyKey[] }> = [{ v: value, path: [] }];
  while (stack.length > 0) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      checkString(v, () => formatPath(root, path));
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= maxDepth) {
      throw InvalidInput.field(formatPath(root, path.slice(0, 8)), `is nested more than ${maxDepth} levels deep`, 'too_deep');
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], path: [...path, i] });
      continue;
    }
    const entries = Object.entries(v);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, child] = entries[i]!;
      checkString(k, () => formatPath(root, [...path, k]));
      stack.push({ v: child, path: [...path, k] });
    }
  }
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
