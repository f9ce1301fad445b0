import type { z } from 'zod';
import { InvalidInput, type ErrorDetail } from '../errors.js';

/** Turns zod issues into one InvalidInput whose message names each field. */
export function zodToInvalidInput(where: 'body' | 'query' | 'params', error: z.ZodError): InvalidInput {
  const details: ErrorDetail[] = error.issues.slice(0, 50).map((issue) => {
    const field = [where, ...issue.path.map(String)].join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown field(s): ${issue.keys.join(', ')}`;
    }
    return { field, message };
  });
  const summary = details
    .slice(0, 5)
    .map((d) => `${d.field}: ${d.message}`)
    .join('; ');
  return new InvalidInput(
    summary + (details.length > 5 ? ` (and ${details.length - 5} more)` : ''),
    details,
  );
}

export function parseWith<S extends z.ZodType>(where: 'body' | 'query' | 'params', schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw zodToInvalidInput(where, result.error);
  return result.data;
}
