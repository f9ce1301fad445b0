import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import Handlebars from 'handlebars';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Role } from '../api-keys/roles.js';
import { SESSION_COOKIE, sameToken, sessionToken } from '../http/auth.js';
import { DomainError } from '../errors.js';
import { describeError } from '../http/error-handler.js';
import { parseDecimalToMinor } from '../ledger/csv.js';
import { currencyMinorDigits } from '../identifiers.js';
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
import { ADMIN, ALERT_STATUS_WORDS, ALERT_TYPE_LABELS, COLLECT, CONDITIONS_FR, CONFIDENCE_WORDS, DECISION_WORDS, DECISIONS, MANAGE, PROSPECT, type Reason, REASONS_FR, reasonText, ROLE_LABELS, SCORERS_FR, SEVERITIES, STATEMENT_TYPES, STATUS_FR, STATUSES, TASKS, TIMELINE_STATUS } from './words.js';
import { alertsScreen } from './screens/alerts-screen.js';
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

  const sheet = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const speaking = sp(res);
    const { t, money: eur, date: frDate } = speaking;
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Client inconnu.'));
    const customer = await deps.customers.get(id).catch(() => null);
    if (!customer) return void res.status(404).type('text').send(t('Client inconnu.'));
    const session = res.locals.session as SessionContext;
    const role = session.user.role;
    const collects = COLLECT.includes(role);
    const [detail, history, paydex, policy, audit, timeline, waiting, stored] = await Promise.all([
      deps.credit.detail(id),
      deps.assessments.history(id, 50),
      deps.credit.paymentHistory(id, 12),
      deps.scoringPolicy.current(),
      MANAGE.includes(role) ? deps.audit.list({ customerId: id, limit: 20 }) : null,
      collects ? deps.worklist.timeline(id, 30) : null,
      MANAGE.includes(role)
        ? sql<{ order_id: string; amount: number; currency: string; decision: string; created_at: Date }>`
            SELECT order_id, amount, currency, decision, created_at FROM order_checks
             WHERE customer_id = ${id} AND decision <> 'approved' AND declined IS NULL ORDER BY created_at DESC LIMIT 20`.execute(deps.db)
        : null,
      // What the registries said when last read (no source is called for a page).
      customer.siren ? deps.companies.stored([customer.siren]) : new Map<string, never>(),
    ]);
    const company = customer.siren ? stored.get(customer.siren) : undefined;
    const identity = company?.identity.siren ? company.identity : null;
    const lastEvent = company ? [...company.legalEvents.items].sort((a, b) => (a.publishedOn < b.publishedOn ? 1 : -1))[0] : undefined;
    const readOn = identity?.freshness.map((f) => f.fetchedAt).filter((x): x is string => x !== null).sort().at(-1);
    const c = detail.credit;
    const cur = customer.currency;
    const aging = [c.aging.notDue, c.aging.days1to30, c.aging.days31to60, c.aging.days61to90, c.aging.over90].map(Number);
    const agingLabels = [t('Non échu'), t('1–30 j'), t('31–60 j'), t('61–90 j'), t('+90 j')];
    const ordered = [...history].reverse();
    const floors = policy.policy.gradeFloors as Record<'A' | 'B' | 'C' | 'D', number>;
    const bands = [
      { grade: 'A', from: floors.A, to: 100 },
      { grade: 'B', from: floors.B, to: floors.A },
      { grade: 'C', from: floors.C, to: floors.B },
      { grade: 'D', from: floors.D, to: floors.C },
      { grade: 'E', from: 0, to: floors.D },
    ];
    const measured = paydex.filter((p) => p.paydex !== null);
    render(
      res,
      'customer',
      {
        title: customer.name,
        charts: true,
        customer,
        limitCurrency: customer.currency === 'EUR' ? '€' : customer.currency,
        canManage: MANAGE.includes(session.user.role),
        manualBlock: c.manualBlock ? `${c.manualBlock.reason ?? ''} (${c.manualBlock.by ?? ''})` : null,
        registry: identity
          ? {
              name: identity.name,
              status:
                identity.status === 'active'
                  ? t('active')
                  : identity.status === 'ceased'
                    ? [t('cessée'), identity.ceasedOn ? t('le {date}', { date: frDate(identity.ceasedOn) }) : null, identity.radiatedOn ? t('radiée le {date}', { date: frDate(identity.radiatedOn) }) : null].filter(Boolean).join(', ')
                    : t('situation inconnue'),
              ceased: identity.status === 'ceased',
              legalForm: identity.legalFormCode,
              activity: identity.activityCode,
              createdOn: frDate(identity.createdOn),
              headOffice: identity.headOffice?.address ?? null,
              headcount: identity.headcountBand,
              lastEvent: lastEvent ? `${lastEvent.kind.replace(/_/g, ' ')} (${frDate(lastEvent.publishedOn)})` : null,
              readOn: readOn ? frDate(readOn) : null,
              stale: identity.freshness.some((f) => f.stale),
            }
          : null,
        waiting: waiting?.rows.map((o) => ({ orderId: o.order_id, encodedId: encodeURIComponent(o.order_id), amount: eur(o.amount, o.currency), decision: t(DECISION_WORDS[o.decision] ?? o.decision), date: frDate(new Date(o.created_at).toISOString()) })) ?? [],
        timeline: timeline?.items.map((i) => ({ date: frDate(i.at), summary: i.summary, status: i.status ? t(TIMELINE_STATUS[i.status] ?? i.status) : '', link: i.link })) ?? null,
        audit: audit?.items.map((e) => ({ date: frDate(e.at), actor: e.actor, action: e.action, reason: e.reason ?? '' })) ?? null,
        credit: {
          exposure: eur(c.exposure.total, cur),
          limit: eur(c.creditLimit.amount, cur),
          limitSource: t(c.creditLimit.source === 'explicit' ? 'fixée' : 'par défaut'),
          reviewDate: frDate(c.creditLimit.reviewDate),
          available: eur(c.available, cur),
          overdue: eur(c.overdue.amount, cur),
          oldestDays: c.overdue.oldestDays,
          grade: c.riskGrade,
          paydex: c.paymentBehaviour.paydex,
          behaviour:
            c.paymentBehaviour.daysBeyondTerms === null
              ? t('pas encore de paiement observé')
              : t('{days} jours au-delà des conditions en moyenne ({count} factures)', { days: speaking.number(c.paymentBehaviour.daysBeyondTerms), count: c.paymentBehaviour.observations }),
          decision: t(DECISION_WORDS[c.newOrders.decision] ?? c.newOrders.decision),
          reasons: c.newOrders.reasons.map((r) => t(REASONS_FR[r] ?? r)),
          components: {
            open: eur(c.exposure.openReceivables, cur),
            overdue: eur(c.exposure.overdueReceivables, cur),
            factored: eur(c.exposure.factoredReceivables, cur),
            holds: eur(c.exposure.activeHolds, cur),
            unapplied: eur(c.exposure.unappliedCredits, cur),
          },
        },
        aging: {
          spec: JSON.stringify({ kind: 'aging', label: t('Montant'), labels: agingLabels, values: aging.map((v) => v / 100) }),
          summary: agingLabels.map((l, i) => `${l} ${eur(aging[i], cur)}`).join(', '),
        },
        paydex: {
          count: measured.length,
          spec: JSON.stringify({ kind: 'paydex', label: t('Indice de paiement'), labels: paydex.map((p) => frDate(p.asOf)), values: paydex.map((p) => p.paydex) }),
          summary: measured.map((p) => `${frDate(p.asOf)} : ${p.paydex}`).join(', '),
          rows: [...paydex].reverse().filter((p) => p.paydex !== null).map((p) => ({
            date: frDate(p.asOf),
            paydex: p.paydex,
            days: speaking.number(p.daysBeyondTerms ?? 0),
            observations: p.observations,
          })),
        },
        scores: {
          count: ordered.length,
          spec: JSON.stringify({ kind: 'score', label: t('Score'), labels: ordered.map((h) => frDate(h.asOf)), values: ordered.map((h) => h.score), notes: ordered.map((h) => t('Note {grade}', { grade: h.grade })), bands }),
          summary: ordered.map((h) => `${frDate(h.asOf)} : ${h.score} (${h.grade})`).join(', '),
          rows: history.map((h, i) => ({
            date: frDate(h.asOf),
            score: h.score,
            grade: h.grade,
            limit: eur(h.recommendedLimit.amount, h.recommendedLimit.currency),
            reasons: (h.reasons as Reason[]).filter((r) => r.points !== 0).slice(0, 3).map((r) => reasonText(speaking, r)),
            changes: assessmentChanges(speaking, h, history[i + 1]),
          })),
        },
        ...extra,
      },
      status,
    );
  };
  router.get('/customers/:id', loadSession, signedIn, (req, res) => sheet(req, res));
  router.post('/customers/:id/limit', loadSession, signedIn, csrf, allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    const { amount, reason, reviewDate } = req.body as Record<string, string | undefined>;
    const customer = await deps.customers.get(String(req.params.id));
    // In the customer's currency, by its own minor digits (no float: the ledger's decimal parser).
    const minor = parseDecimalToMinor(String(amount ?? '').replace(/\s/g, ''), currencyMinorDigits(customer.currency));
    if (typeof minor === 'string' || minor < 0) {
      return sheet(req, res, { error: sp(res).t('Limite : un montant en euros, par exemple 25 000 ou 1 500,50.') }, 400);
    }
    try {
      await deps.credit.setLimit(customer.id, { amount: minor, currency: customer.currency, reason: String(reason ?? '').trim(), reviewDate: reviewDate ? reviewDate : null }, session.auth);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'invalid_input') return sheet(req, res, { error: err.message }, 400);
      throw err;
    }
    await sheet(req, res, { notice: sp(res).t('Limite fixée à {amount}.', { amount: sp(res).money(minor, customer.currency) }) });
  });
  router.post('/customers/:id/block', loadSession, signedIn, csrf, allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    const { blocked, reason } = req.body as Record<string, string | undefined>;
    if (!reason?.trim()) return sheet(req, res, { error: sp(res).t('Motif : dites pourquoi.') }, 400);
    try {
      await deps.credit.setManualBlock(String(req.params.id), blocked === 'true', reason.trim().slice(0, 1000), session.auth);
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'conflict' || err.kind === 'invalid_input')) return sheet(req, res, { error: err.message }, describeError(err)!.status);
      throw err;
    }
    await sheet(req, res, { notice: sp(res).t(blocked === 'true' ? 'Client bloqué.' : 'Client débloqué.') });
  });
  // An order waiting for this customer, approved from the sheet with a reason (the same override as /orders).
  router.post('/customers/:id/orders/:orderId/override', loadSession, signedIn, csrf, allow(MANAGE), async (req, res) => {
    const { t } = sp(res);
    const orderId = String(req.params.orderId);
    const reason = String((req.body as Record<string, unknown>).reason ?? '').trim().slice(0, 1000);
    if (!reason) return sheet(req, res, { error: t('Un motif est nécessaire pour accepter une commande.') }, 400);
    const order = await deps.orders.get(orderId).catch(() => null);
    if (!order || order.customerId !== String(req.params.id)) return void res.status(404).type('text').send(t('Commande inconnue.'));
    try {
      await deps.orders.override(orderId, reason, (res.locals.session as SessionContext).auth);
    } catch (err) {
      if (err instanceof DomainError && err.kind !== 'upstream_unavailable') return sheet(req, res, { error: err.message }, 409);
      throw err;
    }
    await sheet(req, res, { notice: t('Commande {order} acceptée.', { order: orderId }) });
  });
  router.post('/customers/:id/assess', loadSession, signedIn, csrf, allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    try {
      const a = await deps.assessments.recordForCustomer(String(req.params.id), {}, session.auth);
      await sheet(req, res, { notice: sp(res).t('Évaluation enregistrée : note {grade}, score {score}.', { grade: a.grade, score: a.score }) });
    } catch (err) {
      if (err instanceof DomainError) return sheet(req, res, { error: err.message }, err.kind === 'upstream_unavailable' ? 503 : 409);
      throw err;
    }
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
/**
 * What changed from the assessment before: the score and grade, then the reasons that appeared,
 * went or moved by a point or more, the largest first.
 */
function assessmentChanges(s: Speaker, now: { score: number; grade: string; reasons: unknown }, before: { score: number; grade: string; reasons: unknown } | undefined): string[] {
  const { t } = s;
  if (!before) return [t('première évaluation')];
  const signed = (n: number) => `${n > 0 ? '+' : ''}${s.number(Math.round(n * 10) / 10)}`;
  const delta = now.score - before.score;
  const out = [
    now.grade !== before.grade
      ? t('note {from} → {to}, score {delta}', { from: before.grade, to: now.grade, delta: signed(delta) })
      : delta === 0
        ? t('score inchangé')
        : t('score {delta}', { delta: signed(delta) }),
  ];
  const points = (rs: unknown) => new Map((rs as Reason[]).filter((r) => r.points !== 0).map((r) => [r.code, r] as const));
  const a = points(now.reasons);
  const b = points(before.reasons);
  const moves = [...new Set([...a.keys(), ...b.keys()])]
    .map((code) => ({ code, reason: (a.get(code) ?? b.get(code))!, delta: (a.get(code)?.points ?? 0) - (b.get(code)?.points ?? 0), added: !b.has(code), gone: !a.has(code) }))
    .filter((m) => m.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
    .slice(0, 3);
  for (const m of moves) {
    const what = reasonText(s, m.reason).text;
    out.push(m.added ? t('nouveau : {what} ({delta})', { what, delta: signed(m.delta) }) : m.gone ? t('disparu : {what} ({delta})', { what, delta: signed(m.delta) }) : t('{what} : {delta}', { what, delta: signed(m.delta) }));
  }
  return out;
}

