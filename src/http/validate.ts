import type { z } from 'zod';
import { InvalidInput, type ErrorDetail } from '../errors.js';

type Issue = z.core.$ZodIssue;

/** `body[3].dueDate` from ['body', 3, 'dueDate']. */
export function formatPath(root: string, path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), root);
}

/**
 * A union ("one item or a batch") fails on every branch; report the branch that matched the
 * input's shape rather than "invalid input": a branch whose only complaint is the type of the
 * value itself is the wrong branch.
 */
function flattenUnions(issues: readonly Issue[]): Issue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union' || issue.errors.length === 0) return [issue];
    const depth = issue.path.length;
    const relevant = issue.errors.filter((branch) => !(branch.length === 1 && branch[0]!.code === 'invalid_type' && branch[0]!.path.length === 0));
    const chosen = relevant.length > 0 ? relevant.reduce((a, b) => (b.length < a.length ? b : a)) : issue.errors[0]!;
    return flattenUnions(chosen.map((i) => ({ ...i, path: [...issue.path.slice(0, depth), ...i.path] }) as Issue));
  });
}

/** Turns zod issues into one InvalidInput whose message names each field. */
export function zodToInvalidInput(where: 'body' | 'query' | 'params', error: z.ZodError): InvalidInput {
  const details: ErrorDetail[] = flattenUnions(error.issues).slice(0, 50).map((issue) => {
    const field = formatPath(where, issue.path);
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
