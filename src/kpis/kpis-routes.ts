import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { currencySchema, isoDateSchema } from '../identifiers.js';
import { cashForecast, GROUP_BY, kpisCsv, type KpisService } from './kpis-service.js';

const ROLES = ['credit_manager', 'collector'] as const;

export function kpisRoutes(service: KpisService, db: Kysely<DB>, today: () => string): RouteDef[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/kpis',
      tag: 'KPIs',
      summary: 'Recovery KPIs by month, grade or owner: DSO (count-back and simple), payment delay, overdue, unpaid and recovery rates, share over 90 days, promise-kept rate, days to collect per dunning step, amounts at risk by grade; JSON or CSV',
      description: 'Each figure and its formula are in the README (KPIs).',
      roles: ROLES,
      query: z.strictObject({
        from: isoDateSchema,
        to: isoDateSchema,
        groupBy: z.enum(GROUP_BY).default('month'),
        currency: currencySchema.default('EUR'),
        format: z.enum(['json', 'csv']).default('json'),
      }),
      responses: { 200: { description: 'The buckets (or text/csv)', schema: z.looseObject({}) }, 400: { description: 'Invalid window (field named)' } },
      handler: async ({ query }) => {
        const result = await service.kpis(query);
        if (query.format === 'csv') {
          return reply(200, Buffer.from(kpisCsv(result), 'utf8'), { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="kpis-${query.groupBy}-${query.from}-${query.to}.csv"` });
        }
        return result;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/kpis/cash-forecast',
      tag: 'KPIs',
      summary: 'Cash forecast by week from open invoices, each customer\'s payment behaviour, promises and payment-plan installments',
      roles: ROLES,
      query: z.strictObject({ weeks: z.coerce.number().int().min(1).max(52).default(13), currency: currencySchema.default('EUR') }),
      responses: { 200: { description: 'Weeks with expected inflows', schema: z.looseObject({}) } },
      handler: ({ query }) => cashForecast(db, { today: today(), weeks: query.weeks, currency: query.currency }),
    }),
  ];
}
