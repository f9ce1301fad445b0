import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import Handlebars from 'handlebars';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Role } from '../api-keys/roles.js';
import { SESSION_COOKIE, sameToken, sessionToken } from '../http/auth.js';
import { describeError } from '../http/error-handler.js';
import type { CreditService } from '../credit/credit-service.js';
import type { CustomersService } from '../customers/customers-service.js';
import type { CompaniesService } from '../companies/companies-service.js';
import type { WorklistService } from '../collections/worklist-service.js';
import type { KpisService } from '../kpis/kpis-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { ApiKeysService } from '../api-keys/api-keys-service.js';
import type { WebhooksService } from '../webhooks/webhooks-service.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AssessmentsService } from '../scoring/assessments-service.js';
import type { AlertsService } from '../alerts/alerts-service.js';
import type { OrdersService } from '../orders/orders-service.js';
import type { ScoringPolicyService } from '../scoring/scoring-policy-service.js';
import type { SessionContext, UsersService } from '../users/users-service.js';
import { Assets } from './assets.js';
import { isApiPath, pageInput } from './page-input.js';
import { ADMIN, ALERT_STATUS_WORDS, ALERT_TYPE_LABELS, COLLECT, CONDITIONS_FR, CONFIDENCE_WORDS, DECISION_WORDS, DECISIONS, MANAGE, PROSPECT, REASONS_FR, ROLE_LABELS, SCORERS_FR, SEVERITIES, STATEMENT_TYPES, STATUS_FR, STATUSES, TASKS, TIMELINE_STATUS } from './words.js';
import { alertsScreen } from './screens/alerts-screen.js';
import { customerScreen } from './screens/customer-screen.js';
import { safeNext, signInScreen } from './screens/signin-screen.js';
import { portfolioScreen } from './screens/portfolio-screen.js';
import { prospectsScreen } from './screens/prospects-screen.js';
import { ordersScreen } from './screens/orders-screen.js';
import { worklistScreen } from './screens/worklist-screen.js';
import { kpisScreen } from './screens/kpis-screen.js';
import { settingsScreen } from './screens/settings-screen.js';
import { accountScreen } from './screens/account-screen.js';
import type { ScreenKit } from './screens/screen-kit.js';
import { COMPANY_SCREEN_LABELS, COMPANY_UPLOADS, companyScreen } from './screens/company-screen.js';
import { invoicesScreen, isInvoiceCopyUpload } from './screens/invoices-screen.js';
import type { InvoiceCopies } from '../collections/invoice-copies.js';
import type { StatementService } from '../collections/statement-service.js';
import type { CompanyService } from '../company/company-service.js';
import { LANG_COOKIE, langOf, speaker, type Speaker, type WebLang } from './i18n.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
interface WebDeps {
  db: Kysely<DB>;
  users: UsersService;
  customers: CustomersService;
  credit: CreditService;
  assessments: AssessmentsService;
  scoringPolicy: ScoringPolicyService;
  alerts: AlertsService;
  orders: OrdersService;
  companies: CompaniesService;
  /** The creditor's identity (Settings › Company). */
  company: CompanyService;
  /** The copies of invoices (a customer's invoices page). */
  invoiceCopies: InvoiceCopies;
  statements: StatementService;
  worklist: WorklistService;
  kpis: KpisService;
  policy: PolicyService;
  apiKeys: ApiKeysService;
  webhooks: WebhooksService;
  audit: AuditService;
  cookie: { secure: boolean; maxAgeMs: number };
}

/** The speaker of a request's language (set on every request): its texts, amounts and dates. */
const sp = (res: Response): Speaker => res.locals.speaker as Speaker;

/**
 * The web application, served by the API's process at `/`: pages rendered on the server with
 * Handlebars (escaped), forms that work without JavaScript, charts drawn by Chart.js from data the
 * page carries (no inline script: the Content-Security-Policy allows scripts from this origin
 * only). A person signs in with the session cookie of /v1/sessions; every form posts the session's
 * CSRF token. Every page speaks French, or English when the browser chose it (src/web/i18n.ts).
 * Pages: sign-in, the portfolio, the customer sheet, alerts, orders to review, the prospect check,
 * the collections worklist, the KPIs, the settings, and each person's account.
 */
export function webApp(deps: WebDeps): Router {
  const router = express.Router();
  const assets = new Assets();
  const hbs = Handlebars.create();
  hbs.registerHelper('asset', (name: string) => assets.url(name));
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('roleLabel', (r: string, options: Handlebars.HelperOptions) => (options.data.root.speaker as Speaker).t(ROLE_LABELS[r] ?? r));
  // {{t "Texte en français" name=value}}: the text in the page's language (escaped like any value).
  hbs.registerHelper('t', (text: string, options: Handlebars.HelperOptions) => (options.data.root.speaker as Speaker).t(text, options.hash as Record<string, string>));
  const view = (name: string) => hbs.compile(readFileSync(path.join(ROOT, 'web/views', `${name}.hbs`), 'utf8'));
  const layout = view('layout');
  const pages: Record<string, Handlebars.TemplateDelegate> = {
    login: view('login'),
    portfolio: view('portfolio'),
    customer: view('customer'),
    alerts: view('alerts'),
    orders: view('orders'),
    prospects: view('prospects'),
    prospect: view('prospect'),
    worklist: view('worklist'),
    kpis: view('kpis'),
    settings: view('settings'),
    account: view('account'),
    error: view('error'),
  };

  const render = (res: Response, page: string, data: Record<string, unknown>, status = 200) => {
    const session = res.locals.session as SessionContext | undefined;
    const speaking = sp(res);
    const body = pages[page]!({ ...data, speaker: speaking, csrf: session?.csrfToken });
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    const role = session?.user.role;
    const may = (roles: readonly Role[]) => role !== undefined && roles.includes(role);
    const nav = { alerts: may(MANAGE), orders: may(MANAGE), prospects: may(PROSPECT), collections: may(COLLECT), settings: may(ADMIN) };
    res.send(layout({ ...data, title: speaking.t(String(data.title ?? '')), body, page, nav, user: session?.user, csrf: session?.csrfToken, speaker: speaking, lang: speaking.lang, here: pageAddress(res.req) }));
  };

  router.use(assets.handler());
  router.use((req, res, next) => {
    res.locals.speaker = speaker(langOf(req));
    next();
  });
  router.use(pageInput((p) => COMPANY_UPLOADS.includes(p) || isInvoiceCopyUpload(p)));
  // The language switch: a preference kept in the browser (no server state, hence no CSRF token).
  router.post('/language', (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const lang: WebLang = b.lang === 'en' ? 'en' : 'fr';
    res.cookie(LANG_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: deps.cookie.secure, path: '/', maxAge: 365 * 86_400_000 });
    res.redirect(303, safeNext(b.next));
  });

  /** The session of the cookie, if any, on every page. */
  const loadSession: RequestHandler = async (req, res, next) => {
    const token = sessionToken(req);
    if (token) {
      const s = await deps.users.session(token);
      if (s) res.locals.session = s;
      else res.clearCookie(SESSION_COOKIE, { path: '/' });
    }
    next();
  };
  const signedIn: RequestHandler = (req, res, next) => {
    if (res.locals.session) return next();
    res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
  };
  /** A form's CSRF token must be the session's. */
  const csrf: RequestHandler = (req, res, next) => {
    const session = res.locals.session as SessionContext | undefined;
    const sent = (req.body as Record<string, unknown> | undefined)?._csrf;
    if (!session || typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
      render(res, 'error', { title: 'Demande refusée', message: sp(res).t('Formulaire refusé : jeton CSRF absent ou invalide. Rechargez la page.') }, 403);
      return;
    }
    next();
  };
  /** The page or form for these roles only (403 otherwise). */
  const allow =
    (roles: readonly Role[]): RequestHandler =>
    (_req, res, next) => {
      if (roles.includes((res.locals.session as SessionContext).user.role)) return next();
      // A page with the navigation of what the role may open, not bare text.
      render(res, 'error', { title: 'Accès refusé', message: sp(res).t('Votre rôle ne donne pas accès à cette page.') }, 403);
    };

  // The screens that live in their own modules (src/web/screens), beside their views.
  const kit: ScreenKit = {
    router,
    registerView: (name) => {
      pages[name] = view(name);
    },
    render,
    speaker: sp,
    guards: {
      loadSession,
      signedIn,
      csrf,
      allow,
      csrfToken: (res, sent) => {
        const session = res.locals.session as SessionContext | undefined;
        if (session && typeof sent === 'string' && sameToken(sent, session.csrfToken)) return true;
        render(res, 'error', { title: 'Demande refusée', message: sp(res).t('Formulaire refusé : jeton CSRF absent ou invalide. Rechargez la page.') }, 403);
        return false;
      },
    },
  };

  signInScreen(kit, { users: deps.users, cookie: deps.cookie });
  portfolioScreen(kit, { db: deps.db, credit: deps.credit, customers: deps.customers });

  customerScreen(kit, {
    db: deps.db,
    customers: deps.customers,
    credit: deps.credit,
    assessments: deps.assessments,
    scoringPolicy: deps.scoringPolicy,
    companies: deps.companies,
    orders: deps.orders,
    worklist: deps.worklist,
    audit: deps.audit,
  });
  prospectsScreen(kit, { assessments: deps.assessments, companies: deps.companies });
  alertsScreen(kit, { db: deps.db, alerts: deps.alerts });
  ordersScreen(kit, { db: deps.db, orders: deps.orders });
  worklistScreen(kit, { credit: deps.credit, worklist: deps.worklist });
  kpisScreen(kit, { credit: deps.credit, kpis: deps.kpis });
  companyScreen(kit, deps.company);
  invoicesScreen(kit, { db: deps.db, copies: deps.invoiceCopies, statements: deps.statements });
  settingsScreen(kit, { policy: deps.policy, scoringPolicy: deps.scoringPolicy, users: deps.users, apiKeys: deps.apiKeys, webhooks: deps.webhooks });
  accountScreen(kit, deps.users);

  // A refused request on a page answers a page in the reader's language, with the status the one
  // error handler gives it (src/http/error-handler.ts); anything else goes on to that handler.
  router.use((err: unknown, req: Request, res: Response, next: (err?: unknown) => void) => {
    const known = isApiPath(req.path) ? undefined : describeError(err);
    if (!known || res.headersSent) return next(err);
    if (!req.complete) res.setHeader('Connection', 'close');
    const { t } = sp(res);
    const message =
      known.status === 413 ? t('Le formulaire envoyé est trop volumineux.')
      : known.status === 503 ? t('Le service est momentanément indisponible ; rien n’a été enregistré. Réessayez dans un instant.')
      : known.status === 429 ? t('Trop de demandes : réessayez dans un instant.')
      : t('La demande ne peut pas être traitée : elle contient des caractères ou des valeurs que Vigie ne peut pas enregistrer.');
    render(res, 'error', { title: 'Demande refusée', message }, known.status);
  });

  return router;
}



/** Where the page shown stands, for the language switch to come back to: the address of a GET; after a form, the page the form was on. */
function pageAddress(req: Request): string {
  if (req.method === 'GET') return req.originalUrl;
  try {
    const from = new URL(req.headers.referer ?? '');
    return from.host === req.headers.host ? `${from.pathname}${from.search}` : '/';
  } catch {
    return '/';
  }
}

/** Every French label the pages translate from these tables (test/web/i18n.test.ts checks each has its English). */
export const TRANSLATED_LABELS: readonly string[] = [
  ...[TIMELINE_STATUS, ROLE_LABELS, REASONS_FR, ALERT_TYPE_LABELS, ALERT_STATUS_WORDS, TASKS, STATUS_FR, CONDITIONS_FR, STATEMENT_TYPES, SCORERS_FR, DECISION_WORDS, CONFIDENCE_WORDS].flatMap((table) => Object.values(table)),
  ...[...SEVERITIES, ...STATUSES, ...Object.values(DECISIONS)].map((x) => x.label),
  ...COMPANY_SCREEN_LABELS,
];
