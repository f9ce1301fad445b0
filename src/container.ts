import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { Agenda } from 'agenda';
import type { Express } from 'express';
import type { Transaction } from 'kysely';
import type { DB } from './db/schema.js';
import { ConfigError, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { isDatabaseUnavailable, openDatabase, type Database } from './db/database.js';
import { migrateToLatest, pendingMigrations } from './db/migrate.js';
import { systemClock, type Clock } from './clock.js';
import { createApp } from './app.js';
import { createMetrics, type Metrics } from './http/metrics.js';
import type { RouteDef } from './http/route.js';
import { ApiKeysStore } from './api-keys/api-keys-store.js';
import { ApiKeysService } from './api-keys/api-keys-service.js';
import { apiKeysRoutes } from './api-keys/api-keys-routes.js';
import { AuditStore } from './audit/audit-store.js';
import { AuditService } from './audit/audit-service.js';
import { auditRoutes } from './audit/audit-routes.js';
import { CustomersStore } from './customers/customers-store.js';
import { CustomersService } from './customers/customers-service.js';
import { customersRoutes } from './customers/customers-routes.js';
import { JobRunsStore } from './jobs/job-runs-store.js';
import { jobsRoutes } from './jobs/jobs-routes.js';
import { JobsService } from './jobs/jobs-service.js';
import { PolicyService } from './policy/policy-service.js';
import { policyRoutes } from './policy/policy-routes.js';
import { CreditStore } from './credit/credit-store.js';
import { CreditService } from './credit/credit-service.js';
import { creditDetailSchema, creditRoutes } from './credit/credit-routes.js';
import { LedgerStore } from './ledger/ledger-store.js';
import { LedgerService } from './ledger/ledger-service.js';
import { ledgerRoutes } from './ledger/ledger-routes.js';
import { LedgerReadStore } from './ledger/ledger-read-store.js';
import { LedgerReadService } from './ledger/ledger-read-service.js';
import { ledgerReadRoutes } from './ledger/ledger-read-routes.js';
import { OrdersStore } from './orders/orders-store.js';
import { OrdersService } from './orders/orders-service.js';
import { ordersRoutes } from './orders/orders-routes.js';
import { InvalidInput } from './errors.js';
import { CompaniesStore } from './companies/companies-store.js';
import { CompaniesService } from './companies/companies-service.js';
import { companiesRoutes } from './companies/companies-routes.js';
import { AssessmentsStore } from './scoring/assessments-store.js';
import { AssessmentsService } from './scoring/assessments-service.js';
import { ScoringPolicyService } from './scoring/scoring-policy-service.js';
import { scoringRoutes } from './scoring/scoring-routes.js';
import { AlertsService } from './alerts/alerts-service.js';
import { AlertsStore } from './alerts/alerts-store.js';
import { alertsRoutes } from './alerts/alerts-routes.js';
import { WebhooksService } from './webhooks/webhooks-service.js';
import { webhooksRoutes } from './webhooks/webhooks-routes.js';
import { WebhookOutboxStore } from './webhooks/webhook-outbox-store.js';
import { WebhooksStore } from './webhooks/webhooks-store.js';
import { LegalEventsStore } from './monitoring/legal-events-store.js';
import { MonitoringStore } from './monitoring/monitoring-store.js';
import { BodaccDeltaService } from './monitoring/bodacc-delta-service.js';
import { SourceRefreshService } from './monitoring/source-refresh-service.js';
import { RescoreService } from './monitoring/rescore-service.js';
import { ExposureWatchService } from './monitoring/exposure-watch-service.js';
import { LimitReviewsService } from './monitoring/limit-reviews-service.js';
import { EXPOSURE_WATCH } from '../jobs/exposure-watch.job.js';
import { RECHECK_ORDERS } from '../jobs/recheck-orders.job.js';
import { COLLECTIONS } from '../jobs/collections.job.js';
import { RechercheEntreprisesSource } from '../sources/recherche-entreprises/recherche-entreprises-source.js';
import { InseeSireneSource } from '../sources/insee-sirene/insee-sirene-source.js';
import { BodaccSource } from '../sources/bodacc/bodacc-source.js';
import { RatiosInpiBceSource } from '../sources/ratios-inpi-bce/ratios-inpi-bce-source.js';
import { DgccrfSource } from '../sources/dgccrf/dgccrf-source.js';
import { Templates } from './collections/templates.js';
import { CollectionsPolicyService } from './collections/collections-policy.js';
import { DunningPlansService } from './collections/dunning-plans.js';
import { LatePaymentLaw } from './collections/late-payment-law.js';
import { ProfilesService } from './collections/profiles.js';
import { EmailOutbox } from './collections/email-outbox.js';
import { Mailer } from './collections/mailer.js';
import { DocumentsStore } from './collections/documents.js';
import { CompanyService } from './company/company-service.js';
import { companyRoutes } from './company/company-routes.js';
import { InvoiceCopies, invoiceCopyRoutes } from './collections/invoice-copies.js';
import { companySeedFrom } from './company/company-seed.js';
import { DunningService } from './collections/dunning-service.js';
import { NegotiationService } from './collections/negotiation-service.js';
import { StatementService } from './collections/statement-service.js';
import { WorklistService } from './collections/worklist-service.js';
import { collectionsRoutes } from './collections/collections-routes.js';
import { InsolvencyService } from './legal/insolvency-service.js';
import { legalRoutes } from './legal/legal-routes.js';
import { UsersService } from './users/users-service.js';
import { usersRoutes } from './users/users-routes.js';
import { webApp } from './web/web-app.js';
import { LegalCasesService } from './legal/legal-cases-service.js';
import { CreditInsuranceService } from './credit/credit-insurance-service.js';
import { creditInsuranceRoutes } from './credit/credit-insurance-routes.js';
import { dayIn } from './clock.js';
import { KpisService } from './kpis/kpis-service.js';
import { kpisRoutes } from './kpis/kpis-routes.js';
import { FecImportService } from './fec/fec-import.js';
import { fecRoutes } from './fec/fec-routes.js';
import { createAgenda, defineJobs, scheduleJobs, DEFAULT_SCHEDULE, type JobSchedule } from '../jobs/index.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export interface ContainerOptions {
  clock?: Clock;
  logger?: Logger;
  /** Use this database instead of opening one from the config (tests). */
  database?: Database;
  /** How often Agenda polls (tests use a short interval). */
  jobsProcessEvery?: string | number;
  schedule?: Partial<JobSchedule>;
  collectDefaultMetrics?: boolean;
}

export interface Container {
  config: Config;
  logger: Logger;
  clock: Clock;
  database: Database;
  metrics: Metrics;
  routes: RouteDef[];
  app: Express;
  agenda: Agenda;
  services: {
    apiKeys: ApiKeysService;
    audit: AuditService;
    customers: CustomersService;
    policy: PolicyService;
    credit: CreditService;
    ledger: LedgerService;
    orders: OrdersService;
    companies: CompaniesService;
    company: CompanyService;
    scoringPolicy: ScoringPolicyService;
    assessments: AssessmentsService;
    alerts: AlertsService;
    webhooks: WebhooksService;
    /** One service per monitoring job. */
    monitoring: {
      bodaccDelta: BodaccDeltaService;
      sourceRefresh: SourceRefreshService;
      rescore: RescoreService;
      exposureWatch: ExposureWatchService;
      limitReviews: LimitReviewsService;
    };
    collections: {
      dunning: DunningService;
      negotiation: NegotiationService;
      statements: StatementService;
      worklist: WorklistService;
      outbox: EmailOutbox;
      plans: DunningPlansService;
      policy: CollectionsPolicyService;
      law: LatePaymentLaw;
      profiles: ProfilesService;
    };
    fec: FecImportService;
    insolvency: InsolvencyService;
    insurance: CreditInsuranceService;
    legalCases: LegalCasesService;
    users: UsersService;
  };
  stores: { jobRuns: JobRunsStore };
  /** Starts the Agenda scheduler and the recurring schedules in this process. */
  startJobs(): Promise<void>;
  close(): Promise<void>;
}

/** The composition root: database → stores → services → Agenda → app. */
export async function createContainer(config: Config, options: ContainerOptions = {}): Promise<Container> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const database =
    options.database ??
    (await openDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.VIGIE_DATA_DIR,
      poolSize: config.DATABASE_POOL_SIZE,
      embeddedConnections: config.EMBEDDED_DB_CONNECTIONS,
    }));
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    if (!options.database) await database.close();
    throw err;
  }
  const { db } = database;
  const transaction = <T>(fn: (trx: Transaction<DB>) => Promise<T>) => db.transaction().execute(fn);

  const metrics = createMetrics(options.collectDefaultMetrics ?? true);
  const auditStore = new AuditStore(db);
  const audit = new AuditService(auditStore);
  const apiKeys = new ApiKeysService(new ApiKeysStore(db), audit, clock, config.VIGIE_ADMIN_KEY);
  const users = new UsersService({
    db,
    audit,
    clock,
    sessionTtlMs: config.SESSION_TTL_HOURS * 3_600_000,
    sessionIdleMs: config.SESSION_IDLE_MINUTES * 60_000,
    signIn: { windowMs: config.SIGN_IN_WINDOW_MINUTES * 60_000, maxPerEmail: config.SIGN_IN_MAX_FAILURES, maxPerAddress: config.SIGN_IN_MAX_FAILURES_PER_ADDRESS },
  });
  const customers = new CustomersService(new CustomersStore(db), transaction);
  const jobRuns = new JobRunsStore(db);
  const policy = new PolicyService(db, audit, {
    defaultCreditLimit: config.DEFAULT_CREDIT_LIMIT,
    overdueGraceDays: config.OVERDUE_GRACE_DAYS,
    holdTtlHours: config.ORDER_HOLD_TTL_HOURS,
  });
  const creditStore = new CreditStore(db);
  const credit = new CreditService({ db, store: creditStore, policy, audit, clock, timeZone: config.VIGIE_TIMEZONE });
  const ledger = new LedgerService(db, new LedgerStore(), creditStore);
  // Order checks use at most ORDER_CHECK_LANES connections for batches, and those waiting for an
  // account another transaction holds at most the rest of the pool but one.
  const poolSize = database.mode === 'server' ? config.DATABASE_POOL_SIZE : config.EMBEDDED_DB_CONNECTIONS;
  const lanes = Math.max(1, Math.min(config.ORDER_CHECK_LANES, poolSize - 1));
  const scoringPolicy = new ScoringPolicyService(db, audit);
  const outbox = new WebhookOutboxStore();
  const orders = new OrdersService({
    db,
    store: new OrdersStore(db, database.pool, database.mode === 'server'),
    credit,
    policy,
    audit,
    clock,
    logger: logger.child({ component: 'orders' }),
    gradeConditions: async () => (await scoringPolicy.current()).policy.conditions,
    outbox,
    batching: {
      maxBatch: config.ORDER_CHECK_BATCH_MAX,
      lanes,
      waitingChecks: Math.max(1, poolSize - lanes - 1),
      metrics: { batchSize: metrics.orderCheckBatchSize, batchFallbacks: metrics.orderCheckBatchFallbacks, deferred: metrics.orderChecksDeferred },
    },
  });

  const alerts = new AlertsService(db, new AlertsStore(db), audit, clock, outbox);
  const webhooks = new WebhooksService({
    db,
    store: new WebhooksStore(db),
    audit,
    clock,
    logger: logger.child({ component: 'webhooks' }),
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    allowInternalTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
  });

  // One adapter instance per source, so its rate limiter is shared by every caller in the process.
  const timeoutMs = config.SOURCE_TIMEOUT_MS;
  const circuit = { failures: 5, openMs: config.SOURCE_CIRCUIT_OPEN_MS };
  const hours = (h: number) => h * 3_600_000;
  const bodacc = new BodaccSource({ baseURL: config.BODACC_URL, timeoutMs, circuit });
  const companies = new CompaniesService(
    new CompaniesStore(db),
    {
      registry: new RechercheEntreprisesSource({ baseURL: config.RECHERCHE_ENTREPRISES_URL, timeoutMs, circuit }),
      ...(config.INSEE_API_KEY ? { insee: new InseeSireneSource({ baseURL: config.INSEE_SIRENE_URL, apiKey: config.INSEE_API_KEY, timeoutMs, circuit }) } : {}),
      bodacc,
      ratios: new RatiosInpiBceSource({ baseURL: config.RATIOS_INPI_BCE_URL, timeoutMs, circuit }),
      dgccrf: new DgccrfSource({ baseURL: config.DGCCRF_URL, timeoutMs, circuit }),
    },
    {
      registryMs: hours(config.TTL_REGISTRY_HOURS),
      bodaccMs: hours(config.TTL_BODACC_HOURS),
      financialsMs: hours(config.TTL_FINANCIALS_HOURS),
      sanctionsMs: hours(config.TTL_SANCTIONS_HOURS),
    },
    clock,
    logger.child({ component: 'companies' }),
  );

  const legalEvents = new LegalEventsStore(db);
  const assessments = new AssessmentsService({
    db,
    store: new AssessmentsStore(db),
    companies,
    legalEvents,
    creditStore,
    credit,
    creditPolicy: policy,
    scoringPolicy,
    alerts,
    audit,
    clock,
  });
  // One service per monitoring job. Re-scoring and the exposure watch call each other (a grade into
  // or out of X re-runs the watch; a customer newly overdue is re-scored), hence the late binding.
  const monitoringStore = new MonitoringStore(db);
  const rescore: RescoreService = new RescoreService({ assessments, onIntoOrOutOfX: (ids): Promise<unknown> => exposureWatch.run(ids) });
  const exposureWatch: ExposureWatchService = new ExposureWatchService({ store: monitoringStore, credit, policy, alerts, audit, rescore });
  const monitoring = {
    bodaccDelta: new BodaccDeltaService({
      store: monitoringStore,
      legalEvents,
      bodacc,
      alerts,
      credit,
      rescore,
      clock,
      firstDays: config.MONITORING_BODACC_FIRST_DAYS,
      onAnnouncements: (events, owners) => insolvency.onAnnouncements(events, owners),
    }),
    sourceRefresh: new SourceRefreshService({
      store: monitoringStore,
      companies,
      alerts,
      rescore,
      clock,
      batch: config.MONITORING_REFRESH_BATCH,
      registryTtlMs: hours(config.TTL_REGISTRY_HOURS),
      financialsTtlMs: hours(config.TTL_FINANCIALS_HOURS),
    }),
    rescore,
    exposureWatch,
    limitReviews: new LimitReviewsService({ store: monitoringStore, credit, alerts, noticeDays: config.LIMIT_REVIEW_NOTICE_DAYS }),
  };

  // Collections: plans, policy, the late-payment law as data, the e-mail outbox, letters.
  const today = () => dayIn(config.VIGIE_TIMEZONE, clock.now());
  const templates = new Templates();
  const companySeed = companySeedFrom(config);
  if ('problems' in companySeed) throw new ConfigError(companySeed.problems);
  // Letters and e-mails held while the identity was incomplete leave with a run started at once.
  const company = new CompanyService(db, audit, companySeed.seed, async () => {
    await agenda.now(COLLECTIONS).catch((err: Error) => logger.warn({ err }, 'could not enqueue the collections run'));
  });
  const letterhead = () => company.letterhead();
  const raise = (list: Parameters<AlertsService['raise']>[0], trx?: Parameters<AlertsService['raise']>[1]) => alerts.raise(list, trx);
  const collectionsPolicy = new CollectionsPolicyService(db, audit);
  const plans = new DunningPlansService(db, audit, templates);
  const law = new LatePaymentLaw(db, audit);
  const profiles = new ProfilesService(db, audit, law, async (id) => (await plans.current()).has(id), today);
  const documents = new DocumentsStore(db);
  const mailer = config.SMTP_URL ? new Mailer(config.SMTP_URL, { poolSize: config.SMTP_POOL_SIZE, timeoutMs: config.SMTP_TIMEOUT_MS }) : null;
  const emailOutbox = new EmailOutbox(db, {
    mailer,
    from: config.SMTP_FROM,
    replyTo: config.SMTP_REPLY_TO ?? null,
    maxAttempts: config.SMTP_MAX_ATTEMPTS,
    clock,
    logger: logger.child({ component: 'email' }),
    raise,
  });
  // The run reviews negotiations first; a negotiation that changes refreshes the order blocks.
  const dunning: DunningService = new DunningService({
    db,
    plans,
    policy: collectionsPolicy,
    law,
    profiles,
    templates,
    outbox: emailOutbox,
    documents,
    raise,
    // Before the reminders: promises and installments, insolvency cases (openings caught up, deadlines), insurer claims, legal-case deadlines.
    reviewFirst: async (day) => ({ ...(await negotiation.review(day)), ...(await insolvency.review(day)), ...(await insurance.review(day)), ...(await legalCases.review(day)) }),
    clock,
    timeZone: config.VIGIE_TIMEZONE,
    company,
    resolve: (keys, comment) => alerts.resolveSituations(keys, comment),
    logger: logger.child({ component: 'collections' }),
    batchSize: 1000,
  });
  const refreshCollectionBlocks = (ids: string[]) => dunning.refreshBlocks(ids);
  const negotiation: NegotiationService = new NegotiationService({ db, audit, policy: collectionsPolicy, profiles, documents, letterhead, raise, today, now: () => clock.now(), changed: refreshCollectionBlocks });
  const fec = new FecImportService({ db, ledger, customers, audit, today });
  const statements = new StatementService({ db, law, profiles, audit, letterhead, today });
  const insurance: CreditInsuranceService = new CreditInsuranceService({ db, credit, policy, audit, raise, announce: (ids) => ledger.announce(ids), today, now: () => clock.now() });
  const invoiceCopies = new InvoiceCopies(db, audit, () => clock.now());
  const legalCases: LegalCasesService = new LegalCasesService({ db, statements, profiles, companies, documents, company, copies: invoiceCopies, sentEml: (id) => emailOutbox.sentEml(id), audit, raise, today, now: () => clock.now() });
  const insolvency: InsolvencyService = new InsolvencyService({ db, statements, profiles, documents, letterhead, audit, raise, today, now: () => clock.now() });
  const collections = {
    dunning,
    negotiation,
    statements,
    worklist: new WorklistService({ db, audit, today, now: () => clock.now() }),
    outbox: emailOutbox,
    plans,
    policy: collectionsPolicy,
    law,
    profiles,
  };

  // The first versions of the policies, the shipped plan and the shipped legal data are written at
  // start, not by whichever request reads them first.
  await Promise.all([policy.current(), scoringPolicy.current(), collectionsPolicy.current(), plans.ensureShipped(), law.ensureShipped()]);

  // Every customer has a credit account from its creation: the row its money transactions lock.
  customers.addCreatedHook((row, trx) => creditStore.createAccount(row.id, row.currency, trx));
  customers.addUpdateHook(async (current, patch, trx) => {
    if (patch.currency === undefined || patch.currency === current.currency) return;
    if (await creditStore.hasLedger(current.id, trx)) {
      throw InvalidInput.field('body.currency', 'cannot change once the customer has invoices, payments or order checks', 'currency_locked');
    }
    await creditStore.update(current.id, { currency: patch.currency, credit_limit: null }, trx);
  });

  const worker = `${os.hostname()}:${process.pid}`;
  const agenda = createAgenda(database.pool, { name: worker, processEvery: options.jobsProcessEvery, logger: logger.child({ component: 'jobs' }) });
  defineJobs(agenda, { runs: jobRuns, logger: logger.child({ component: 'jobs' }), worker, orders, ...monitoring, webhooks, collections: dunning, emailOutbox });
  // After a ledger change, the exposure watch runs for the customers it touched (in whichever
  // process runs jobs); the daily watch catches anything an enqueue failure missed.
  ledger.onChange((customerIds) => {
    agenda.now(EXPOSURE_WATCH, { customerIds }).catch((err: Error) => logger.warn({ err }, 'could not enqueue the exposure watch'));
  });
  // Orders waiting (review or blocked) are re-checked (by policy) when a payment lands or a limit is raised.
  const recheckWaiting = (customerIds: string[]) => {
    agenda.now(RECHECK_ORDERS, { customerIds }).catch((err: Error) => logger.warn({ err }, 'could not enqueue the re-check of waiting orders'));
  };
  ledger.onChange(recheckWaiting);
  // A payment may lift a collections block (the invoice at the blocking step is paid).
  ledger.onChange((customerIds) => {
    refreshCollectionBlocks(customerIds).catch((err: Error) => logger.warn({ err }, 'could not refresh the collections blocks'));
  });
  credit.onLimitRaised(recheckWaiting);
  agenda.on('error', (err: Error) => {
    if (isDatabaseUnavailable(err)) logger.warn({ err: { message: err.message } }, 'jobs: database unavailable; the scheduler retries');
    else logger.error({ err }, 'agenda error');
  });

  const routes: RouteDef[] = [
    ...customersRoutes(customers, { schema: creditDetailSchema, provide: (id) => credit.detail(id) }),
    ...creditRoutes(credit),
    ...ledgerRoutes(ledger, { importMaxBytes: config.IMPORT_MAX_BYTES }),
    ...ledgerReadRoutes(new LedgerReadService(new LedgerReadStore(db), credit)),
    ...ordersRoutes(orders, metrics),
    ...policyRoutes(policy),
    ...companyRoutes(company),
    ...scoringRoutes(assessments, scoringPolicy),
    ...alertsRoutes(alerts),
    ...webhooksRoutes(webhooks),
    ...companiesRoutes(companies),
    ...collectionsRoutes({ ...collections, documents }),
    ...legalRoutes({ insolvency, cases: legalCases }),
    ...invoiceCopyRoutes(invoiceCopies),
    ...creditInsuranceRoutes(insurance),
    ...kpisRoutes(new KpisService(db), db, today),
    ...fecRoutes(fec, { importMaxBytes: config.IMPORT_MAX_BYTES }),
    ...auditRoutes(audit),
    ...jobsRoutes(
      jobRuns,
      new JobsService({
        enqueue: async (name) => {
          const job = await agenda.now(name);
          return { id: job.attrs._id === undefined ? null : String(job.attrs._id) };
        },
        audit,
        clock,
      }),
    ),
    ...apiKeysRoutes(apiKeys),
    ...usersRoutes(users, { secure: config.SESSION_COOKIE_SECURE, maxAgeMs: config.SESSION_TTL_HOURS * 3_600_000 }),
  ];
  const app = createApp({
    logger,
    routes,
    apiKeys,
    users,
    web: webApp({ db, users, customers, credit, assessments, scoringPolicy, alerts, orders, companies, company, invoiceCopies, statements, worklist: collections.worklist, kpis: new KpisService(db), policy, apiKeys, webhooks, audit, cookie: { secure: config.SESSION_COOKIE_SECURE, maxAgeMs: config.SESSION_TTL_HOURS * 3_600_000 } }),
    metrics,
    bodyLimit: config.BODY_LIMIT,
    bulkBodyLimit: config.BULK_BODY_LIMIT,
    corsOrigins: config.CORS_ORIGINS,
    hstsMaxAgeSeconds: config.HSTS_MAX_AGE_SECONDS,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    version: pkg.version,
    readiness: {
      async ready() {
        const started = Date.now();
        await db.selectNoFrom((eb) => eb.lit(1).as('one')).execute();
        const pending = await pendingMigrations(db);
        return {
          ok: pending.length === 0,
          checks: { database: { mode: database.mode, latencyMs: Date.now() - started }, pendingMigrations: pending },
        };
      },
    },
  });

  let jobsStarted = false;
  let closed = false;
  return {
    config,
    logger,
    clock,
    database,
    metrics,
    routes,
    app,
    agenda,
    services: { apiKeys, audit, customers, policy, credit, ledger, orders, companies, company, scoringPolicy, assessments, alerts, webhooks, monitoring, collections, fec, insolvency, insurance, legalCases, users },
    stores: { jobRuns },
    async startJobs() {
      await agenda.start();
      await scheduleJobs(
        agenda,
        {
          ...DEFAULT_SCHEDULE,
          heartbeat: config.JOBS_SCHEDULE_HEARTBEAT,
          expireHolds: config.JOBS_SCHEDULE_EXPIRE_HOLDS,
          bodaccDelta: config.JOBS_SCHEDULE_BODACC_DELTA,
          refreshSources: config.JOBS_SCHEDULE_REFRESH_SOURCES,
          rescorePortfolio: config.JOBS_SCHEDULE_RESCORE_PORTFOLIO,
          exposureWatch: config.JOBS_SCHEDULE_EXPOSURE_WATCH,
          limitReviews: config.JOBS_SCHEDULE_LIMIT_REVIEWS,
          deliverWebhooks: config.JOBS_SCHEDULE_DELIVER_WEBHOOKS,
          collections: config.JOBS_SCHEDULE_COLLECTIONS,
          sendEmails: config.JOBS_SCHEDULE_SEND_EMAILS,
          ...options.schedule,
        },
        config.VIGIE_TIMEZONE,
      );
      jobsStarted = true;
    },
    async close() {
      if (closed) return;
      closed = true;
      // The scheduler's backend connects as it is built; let that finish before the pool closes
      // under it (a container closed right after it was built, in tests or a failed start).
      await Promise.race([agenda.ready, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      if (jobsStarted) await agenda.stop(false);
      mailer?.close();
      if (!options.database) await database.close();
    },
  };
}
