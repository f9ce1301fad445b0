import { z } from 'zod';
import type { RouteDef } from './route.js';

const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ field: z.string().optional(), message: z.string() }).loose()),
    requestId: z.string().optional(),
  }),
});

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return rest;
}

const toOpenApiPath = (p: string) => p.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

const STANDARD_ERRORS: Record<number, string> = {
  400: 'Invalid input: the message and details name each field at fault',
  401: 'Missing, unknown or revoked API key',
  403: "The API key's role may not call this route",
};

/** OpenAPI 3.1 from the routes' own zod schemas (JSON Schema 2020-12 is OpenAPI 3.1's dialect). */
export function buildOpenApi(routes: readonly RouteDef[], info: { version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [
      ['path', route.params],
      ['query', route.query],
    ] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({
          name,
          in: where,
          required: where === 'path' || (js.required ?? []).includes(name),
          ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
          schema: prop,
        });
      }
    }
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.schema ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } } : {}),
      };
    }
    for (const [status, description] of Object.entries(STANDARD_ERRORS)) {
      responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${route.path.replace(/[/:{}-]+(\w)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: route.summary,
      description: [route.description, `Roles: ${['admin', ...route.roles].join(', ')}.`].filter(Boolean).join('\n\n'),
      tags: [route.tag],
      security: route.public ? [] : [{ bearer: [] }, { session: [] }],
      ...(parameters.length ? { parameters } : {}),
      responses,
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } };
    } else if (route.rawBody) {
      operation.requestBody = {
        required: true,
        description: route.rawBody.description,
        content: Object.fromEntries(route.rawBody.contentTypes.map((t) => [t, { schema: { type: 'string' } }])),
      };
    }
    (paths[toOpenApiPath(route.path)] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigie API',
      version: info.version,
      description:
        'Credit risk assessment and customer monitoring. Authenticate with `Authorization: Bearer <API key>`. ' +
        'Money is an integer `amount` in minor units (cents) with an ISO 4217 `currency`; dates are ISO 8601. ' +
        'Errors have the body `{"error": {"code", "message", "details"}}`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A Vigie API key' },
        session: { type: 'apiKey', in: 'cookie', name: 'vigie_session', description: 'A person signed in (POST /v1/sessions); state-changing requests also send X-CSRF-Token' },
      },
      schemas: { Error: jsonSchema(errorSchema, 'output') },
    },
    paths,
  };
}
