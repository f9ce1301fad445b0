import type { z } from 'zod';
import { UpstreamShapeError } from './errors.js';

/** zod-parse a payload; a mismatch names the source and the first field that broke. */
export function parsePayload<S extends z.ZodType>(source: string, schema: S, payload: unknown): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new UpstreamShapeError(source, issue.path.map(String).join('.'), issue.message);
  }
  return result.data;
}

/** A JSON string embedded in a record (BODACC's jugement, listepersonnes, depot…). */
export function parseEmbeddedJson(source: string, field: string, value: string | null | undefined): unknown {
  if (value === null || value === undefined || value === '') return null;
  try {
    return JSON.parse(value);
  } catch {
    throw new UpstreamShapeError(source, field, 'is not valid JSON');
  }
}
