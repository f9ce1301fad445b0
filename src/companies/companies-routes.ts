import { z } from 'zod';
import { defineRoute, type RouteDef } from '../http/route.js';
import { sirenSchema } from '../identifiers.js';
import type { CompaniesService } from './companies-service.js';

const roles = ['sales', 'credit_manager'] as const;

export function companiesRoutes(service: CompaniesService): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/companies/search',
      tag: 'Companies',
      summary: "Find companies by SIREN, SIRET or name (API Recherche d'entreprises)",
      roles,
      query: z.strictObject({
        q: z.string().trim().min(2, 'at least 2 characters').max(200),
        page: z.coerce.number().int().min(1).max(1000).default(1),
      }),
      responses: { 200: { description: 'A page of companies' }, 503: { description: 'The registry cannot be reached' } },
      handler: ({ query }) => service.search(query.q, query.page),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/companies/:siren',
      tag: 'Companies',
      summary: 'A company: identity, status, legal announcements, financial statements and late-payment sanctions, each with its source and freshness',
      description: 'Stored answers are used within each source\'s TTL; `refresh=true` fetches again (within the sources\' rate limits). A source that fails is served from its last good answer, flagged `stale`.',
      roles,
      params: z.strictObject({ siren: sirenSchema }),
      query: z.strictObject({ refresh: z.enum(['true', 'false']).default('false') }),
      responses: { 200: { description: 'The company' }, 404: { description: 'Unknown SIREN' }, 503: { description: 'The registry cannot be reached and nothing is stored' } },
      handler: ({ params, query }) => service.company(params.siren, query.refresh === 'true'),
    }),
  ];
}
