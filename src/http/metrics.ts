import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  orderDecisions: Counter<'decision'>;
  orderCheckBatchSize: Histogram;
  orderCheckBatchFallbacks: Counter;
  orderChecksDeferred: Counter;
}

/** One registry per app instance (tests build many apps in one process). */
export function createMetrics(collectDefaults = true): Metrics {
  const registry = new Registry();
  if (collectDefaults) collectDefaultMetrics({ register: registry, prefix: 'vigie_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'vigie_http_request_duration_seconds',
      help: 'HTTP request duration by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
    orderDecisions: new Counter({
      name: 'vigie_order_decisions_total',
      help: 'Order checks answered, by decision',
      labelNames: ['decision'],
      registers: [registry],
    }),
    orderCheckBatchSize: new Histogram({
      name: 'vigie_order_check_batch_size',
      help: 'Order checks sent to the database in one round trip',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers: [registry],
    }),
    orderCheckBatchFallbacks: new Counter({
      name: 'vigie_order_check_batch_fallbacks_total',
      help: 'Batches of order checks that failed as a whole and were checked one by one',
      registers: [registry],
    }),
    orderChecksDeferred: new Counter({
      name: 'vigie_order_checks_deferred_total',
      help: 'Order checks taken out of a batch because another transaction held the account, then checked on their own',
      registers: [registry],
    }),
  };
}
