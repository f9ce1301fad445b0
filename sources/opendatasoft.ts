import { z } from 'zod';

/**
 * Opendatasoft serves a dataset's records in two envelopes, both still in use: Explore v2.1
 * (`{total_count, results: [fields…]}`) and the Records API v1 (`{nhits, records: [{fields}]}`).
 */
export function opendatasoftPage<F extends z.ZodType>(fields: F) {
  return z.union([
    z.looseObject({ total_count: z.number(), results: z.array(fields) }),
    z.looseObject({ nhits: z.number(), records: z.array(z.looseObject({ fields })) }),
  ]);
}

/** The records' fields and the total, whichever envelope the page came in. */
export function unwrapPage<T>(page: { total_count?: unknown; results?: unknown; nhits?: unknown; records?: unknown }): { total: number; rows: T[] } {
  if (Array.isArray(page.results)) return { total: page.total_count as number, rows: page.results as T[] };
  return { total: page.nhits as number, rows: (page.records as Array<{ fields: T }>).map((r) => r.fields) };
}
