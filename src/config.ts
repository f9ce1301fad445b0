import { z } from 'zod';
import { companySeedFrom } from './company/company-seed.js';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const int = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.coerce.number().int().min(min).max(max).default(def);

const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Every environment variable Vigie reads. `.env.example` documents each of them. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000, 0, 65535),
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  DATABASE_POOL_SIZE: int(10, 2, 200),
  VIGIE_DATA_DIR: z.string().default('./data'),
  EMBEDDED_DB_CONNECTIONS: int(4, 2, 32),
  VIGIE_ADMIN_KEY: optionalString.pipe(
    z.string().min(24, 'must be at least 24 characters (use a random secret)').optional(),
  ),
  // People signing in (the web application): the first admin's e-mail on first start, session lengths, sign-in limits.
  VIGIE_ADMIN_EMAIL: z.string().trim().toLowerCase().email('must be an e-mail address').default('admin@vigie.local'),
  SESSION_TTL_HOURS: int(12, 1, 24 * 30),
  SESSION_IDLE_MINUTES: int(30, 1, 24 * 60),
  SESSION_COOKIE_SECURE: bool(true),
  SIGN_IN_WINDOW_MINUTES: int(15, 1, 24 * 60),
  SIGN_IN_MAX_FAILURES: int(5, 1, 1000),
  SIGN_IN_MAX_FAILURES_PER_ADDRESS: int(20, 1, 100_000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 1mb').default('1mb'),
  BULK_BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'must look like 100kb or 20mb').default('25mb'),
  IMPORT_MAX_BYTES: int(512 * 1024 * 1024, 1024),
  JOBS_IN_PROCESS: bool(true),
  VIGIE_TIMEZONE: z
    .string()
    .default('Europe/Paris')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Paris'),
  // External sources: base URLs (point them at a proxy or a test server), the INSEE key, and how
  // long each source's answer is trusted before it is fetched again.
  RECHERCHE_ENTREPRISES_URL: z.url().default('https://recherche-entreprises.api.gouv.fr'),
  INSEE_SIRENE_URL: z.url().default('https://api.insee.fr/api-sirene/3.11'),
  INSEE_API_KEY: optionalString,
  BODACC_URL: z.url().default('https://bodacc-datadila.opendatasoft.com'),
  RATIOS_INPI_BCE_URL: z.url().default('https://data.economie.gouv.fr'),
  DGCCRF_URL: z.url().default('https://www.economie.gouv.fr'),
  SOURCE_TIMEOUT_MS: int(10_000, 100, 120_000),
  // After 5 failed calls in a row a source is left alone for this long.
  SOURCE_CIRCUIT_OPEN_MS: int(60_000, 0, 3_600_000),
  TTL_REGISTRY_HOURS: int(24 * 7, 0),
  TTL_BODACC_HOURS: int(24, 0),
  TTL_FINANCIALS_HOURS: int(24 * 30, 0),
  TTL_SANCTIONS_HOURS: int(24 * 7, 0),
  // Monitoring: when the recurring jobs run (a human interval such as "15 minutes", a cron
  // expression in VIGIE_TIMEZONE, or "off"), and how much each does.
  JOBS_SCHEDULE_HEARTBEAT: z.string().default('1 minute'),
  JOBS_SCHEDULE_EXPIRE_HOLDS: z.string().default('5 minutes'),
  JOBS_SCHEDULE_BODACC_DELTA: z.string().default('0 7 * * *'),
  JOBS_SCHEDULE_REFRESH_SOURCES: z.string().default('15 minutes'),
  JOBS_SCHEDULE_RESCORE_PORTFOLIO: z.string().default('0 2 * * *'),
  JOBS_SCHEDULE_EXPOSURE_WATCH: z.string().default('0 6 * * *'),
  JOBS_SCHEDULE_LIMIT_REVIEWS: z.string().default('0 8 * * *'),
  JOBS_SCHEDULE_DELIVER_WEBHOOKS: z.string().default('30 seconds'),
  JOBS_SCHEDULE_COLLECTIONS: z.string().default('0 7 * * 1-5'),
  JOBS_SCHEDULE_SEND_EMAILS: z.string().default('1 minute'),
  MONITORING_BODACC_FIRST_DAYS: int(1, 0, 365),
  MONITORING_REFRESH_BATCH: int(100, 1, 100_000),
  LIMIT_REVIEW_NOTICE_DAYS: int(14, 0, 365),
  WEBHOOK_TIMEOUT_MS: int(10_000, 100, 120_000),
  // Webhook receivers on loopback, private or link-local addresses (on-premises) are refused unless this is true.
  WEBHOOK_ALLOW_PRIVATE_TARGETS: bool(false),
  // Browsers' cross-origin calls: a comma-separated allow-list of origins (https://erp.example.com); empty = none.
  CORS_ORIGINS: optionalString.transform((v, ctx) => {
    const origins = (v ?? '').split(',').map((o) => o.trim()).filter(Boolean);
    for (const o of origins) {
      let ok = false;
      try {
        const u = new URL(o);
        ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o;
      } catch {
        ok = false;
      }
      if (!ok) ctx.addIssue({ code: 'custom', message: `"${o}" is not an origin such as https://erp.example.com (scheme, host, optional port, no path)` });
    }
    return origins;
  }),
  // Sent as Strict-Transport-Security when the service is reached over HTTPS (behind a TLS proxy: set TRUST_PROXY).
  HSTS_MAX_AGE_SECONDS: int(15_552_000, 0, 63_072_000),
  // Express "trust proxy": how many proxies to trust for X-Forwarded-* (0 = none).
  TRUST_PROXY_HOPS: int(0, 0, 10),
  // Collections e-mail: an SMTP URL (smtp://user:pass@host:587, smtps://… for implicit TLS). Without
  // it, reminders wait in the outbox as "not_sent" (readable, downloadable as .eml), never dropped.
  SMTP_URL: optionalString.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  SMTP_FROM: z.string().default('Vigie <no-reply@localhost>'),
  SMTP_REPLY_TO: optionalString,
  SMTP_POOL_SIZE: int(4, 1, 50),
  SMTP_TIMEOUT_MS: int(30_000, 100, 300_000),
  // A failed send is retried after 1, 4, 16… minutes; after this many attempts the e-mail is failed.
  SMTP_MAX_ATTEMPTS: int(5, 1, 20),
  // The creditor's identity seeds the company settings once (version 1, when none is stored yet);
  // after that it is edited in the application (Settings › Company, or PUT /v1/company).
  // COMPANY_ADDRESS: street lines separated by "|". COMPANY_SHARE_CAPITAL: in euros, e.g. 10000.00.
  COMPANY_NAME: optionalString,
  COMPANY_LEGAL_FORM: optionalString,
  COMPANY_SHARE_CAPITAL: optionalString,
  COMPANY_RCS_CITY: optionalString,
  COMPANY_VAT_NUMBER: optionalString,
  COMPANY_ADDRESS: optionalString,
  COMPANY_POSTCODE: optionalString,
  COMPANY_CITY: optionalString,
  COMPANY_SIREN: optionalString,
  COMPANY_EMAIL: optionalString,
  COMPANY_PHONE: optionalString,
  COMPANY_IBAN: optionalString,
  COMPANY_BIC: optionalString,
  COMPANY_SIGNATORY_NAME: optionalString,
  COMPANY_SIGNATORY_TITLE: optionalString,
  // Credit policy defaults: the first stored policy version is created from these.
  DEFAULT_CREDIT_LIMIT: int(0, 0),
  OVERDUE_GRACE_DAYS: int(0, 0, 365),
  ORDER_HOLD_TTL_HOURS: int(720, 1, 24 * 365),
  // Order checks arriving together share one database round trip and commit (group commit).
  ORDER_CHECK_BATCH_MAX: int(64, 1, 1000),
  ORDER_CHECK_LANES: int(2, 1, 32),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; a bad value names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const company = companySeedFrom(parsed.data);
  if ('problems' in company) throw new ConfigError(company.problems);
  return parsed.data;
}

/** For CLIs and process entry points: print the problem and exit instead of a stack trace. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}
