import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { AuthContext, Role } from '../api-keys/roles.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface ResponseSpec {
  description: string;
  schema?: z.ZodType;
}

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  auth: AuthContext;
  req: Request;
  res: Response;
}

/** A handler returns the response body; wrap it in `reply()` to choose another status. */
export class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {}
}
export const reply = (status: number, body: unknown, headers?: Record<string, string>) => new Reply(status, body, headers);

/**
 * One HTTP route: its schemas drive validation, the OpenAPI document and the access rules,
 * so none of the three can drift from the others.
 */
export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: HttpMethod;
  /** Express-style path, e.g. `/v1/customers/:id`. */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** Who may call it. `admin` may call every route. */
  roles: readonly Role[];
  /** Callable without a key or a session (signing in). */
  public?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  /** The body is not JSON: the handler reads `req` as a stream (CSV imports). */
  rawBody?: { contentTypes: string[]; description: string };
  /** Bulk endpoints accept larger bodies (BULK_BODY_LIMIT). */
  bulk?: boolean;
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => unknown | Promise<unknown>;
}

/** Keeps the generic parameters inferred from the schemas at each definition site. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  def: RouteDef<P, Q, B>,
): RouteDef {
  return def as unknown as RouteDef;
}
