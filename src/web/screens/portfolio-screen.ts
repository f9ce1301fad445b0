import type { Request, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { CreditService } from '../../credit/credit-service.js';
import type { CustomersService } from '../../customers/customers-service.js';
import { createCustomerBody } from '../../customers/customers-schemas.js';
import { DomainError } from '../../errors.js';
import type { SessionContext } from '../../users/users-service.js';
import type { Speaker } from '../i18n.js';
import { issuesText, MANAGE } from '../words.js';
import type { ScreenKit } from './screen-kit.js';

const GRADES = ['A', 'B', 'C', 'D', 'E', 'X'] as const;
const PAGE = 50;

interface PortfolioRow {
  id: string;
  name: string;
  siren: string;
  external_id: string;
  currency: string;
  risk_grade: string | null;
  manual_block: boolean;
  auto_block: boolean;
  collections_block: boolean;
  prepayment: boolean;
  total: number;
  overdue: number;
  oldest_overdue: string | null;
  limit_amount: number;
  available: number;
  alerts: number;
  owner: string | null;
}

type PortfolioDeps = { db: Kysely<DB>; credit: CreditService; customers: CustomersService };

/**
 * The portfolio (everyone signed in): every customer with its grade, exposure, limit and its use,
 * overdue, blocks and alerts; searched, filtered, sorted and paged in SQL; credit managers create a
 * customer from it.
 */
export function portfolioScreen(kit: ScreenKit, deps: PortfolioDeps): void {
  const { router, guards } = kit;
  const portfolioPage = async (req: Request, res: Response, error?: string, draft?: Record<string, unknown>) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    const grade = typeof req.query.grade === 'string' && (GRADES as readonly string[]).includes(req.query.grade) ? req.query.grade : '';
    const status = req.query.status === 'blocked' || req.query.status === 'overdue' ? req.query.status : '';
    const sort = req.query.sort === 'exposure' || req.query.sort === 'overdue' ? req.query.sort : 'name';
    const owner = typeof req.query.owner === 'string' ? req.query.owner.trim().slice(0, 200) : '';
    const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.page ?? '1'), 10) || 1));
    const rows = await portfolio(deps, kit.speaker(res), { q, grade, status, owner, sort, offset: (pageNo - 1) * PAGE });
    const link = (p: number) => `/?${new URLSearchParams({ ...(q ? { q } : {}), ...(grade ? { grade } : {}), ...(status ? { status } : {}), ...(owner ? { owner } : {}), sort, page: String(p) }).toString()}`;
    kit.render(res, 'portfolio', {
      title: 'Portefeuille',
      charts: false,
      canManage: MANAGE.includes((res.locals.session as SessionContext).user.role),
      error,
      draft,
      grades: GRADES,
      filters: { q, grade, status, owner, sort },
      rows: rows.slice(0, PAGE),
      from: (pageNo - 1) * PAGE + 1,
      to: (pageNo - 1) * PAGE + Math.min(rows.length, PAGE),
      previous: pageNo > 1 ? link(pageNo - 1) : null,
      next: rows.length > PAGE ? link(pageNo + 1) : null,
    }, error ? 400 : 200);
  };
  router.get('/', guards.loadSession, guards.signedIn, (req, res) => portfolioPage(req, res));
  router.post('/customers', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const parsed = createCustomerBody.safeParse({ externalId: b.externalId, siren: String(b.siren ?? '').replace(/\s/g, ''), name: b.name });
    if (!parsed.success) {
      const { t } = kit.speaker(res);
      const labels: Record<string, string> = { externalId: t('code client'), siren: 'SIREN', name: t('raison sociale') };
      return portfolioPage(req, res, t('Client non créé : {why}.', { why: issuesText(parsed.error.issues, labels) }), b);
    }
    try {
      const created = await deps.customers.create(parsed.data);
      res.redirect(303, `/customers/${created.id}`);
    } catch (err) {
      if (!(err instanceof DomainError) || (err.kind !== 'conflict' && err.kind !== 'invalid_input')) throw err;
      await portfolioPage(req, res, kit.speaker(res).t('Client non créé : {why}.', { why: err.message }), b);
    }
  });

}

/**
 * One page of the portfolio: filtered, sorted and cut in SQL, each row's position from the one
 * position function. By name, the customers index gives the page; by oldest open invoice,
 * portfolio_positions' index does (the keys of the customers written to since the last page are
 * refreshed first). By exposure, its ledger index (the position without order holds, from the same
 * function) gives the first offset + 51 customers: holds only add to an exposure, so no customer
 * without a hold can come before them; the customers holding an order join them as candidates, and
 * the function's position of each candidate orders the page.
 */
async function portfolio(deps: PortfolioDeps, { t, money: eur }: Speaker, f: { q: string; grade: string; status: string; owner: string; sort: string; offset: number }) {
  // The keys of the customers written to since the last page first (none, most of the time).
  const [rule] = await Promise.all([deps.credit.rule(), deps.credit.refreshStalePortfolioPositions()]);
  const filters = sql`
         (${f.q}::text = '' OR c.name ILIKE '%' || ${f.q}::text || '%' OR c.siren = ${f.q}::text OR c.external_id = ${f.q}::text)
     AND (${f.grade}::text = '' OR ca.risk_grade = ${f.grade}::text)
     AND (${f.status}::text <> 'blocked' OR ca.manual_block OR ca.auto_block OR ca.collections_block IS NOT NULL)
     -- overdue: an open invoice due before the threshold, i.e. the oldest open one is.
     AND (${f.status}::text <> 'overdue' OR pp.oldest_open_due < ${rule.overdueBefore}::date)
     -- owner: the salesperson who owns the account (name or e-mail) or its collector.
     AND (${f.owner}::text = '' OR EXISTS (
           SELECT 1 FROM collection_profiles cp
            WHERE cp.customer_id = c.id
              AND (cp.owner->>'name' ILIKE '%' || ${f.owner}::text || '%' OR cp.owner->>'email' ILIKE '%' || ${f.owner}::text || '%'
                   OR cp.collector ILIKE '%' || ${f.owner}::text || '%')))`;
  const from = sql`customers c JOIN credit_accounts ca ON ca.customer_id = c.id JOIN portfolio_positions pp ON pp.customer_id = c.id`;
  const byExposure = f.sort === 'exposure';
  const candidates = byExposure
    ? sql`
      (SELECT c.id FROM ${from} WHERE ${filters} ORDER BY pp.ledger_exposure DESC, pp.customer_id LIMIT ${f.offset + PAGE + 1})
      UNION
      (SELECT c.id FROM ${from} WHERE ${filters}
          AND EXISTS (SELECT 1 FROM order_checks o WHERE o.customer_id = c.id AND o.hold_status = 'active' AND o.expires_at > ${rule.now}::timestamptz))`
    : sql`SELECT c.id FROM ${from} WHERE ${filters}
           ORDER BY ${f.sort === 'overdue' ? sql`pp.oldest_open_due, pp.customer_id` : sql`c.name, c.id`}
           LIMIT ${PAGE + 1} OFFSET ${f.offset}`;
  const order = byExposure ? sql`p.total DESC, c.id` : f.sort === 'overdue' ? sql`pp.oldest_open_due, pp.customer_id` : sql`c.name, c.id`;
  const { rows } = await sql<PortfolioRow>`
    WITH page AS (${candidates})
    SELECT c.id, c.name, c.siren, c.external_id, c.currency, ca.risk_grade, ca.manual_block, ca.auto_block,
           ca.collections_block IS NOT NULL AS collections_block, ca.prepayment_only IS NOT NULL AS prepayment,
           p.total, p.overdue, to_char(p.oldest_overdue, 'YYYY-MM-DD') AS oldest_overdue, p.limit_amount, p.available,
           (SELECT count(*) FROM alerts a WHERE a.customer_id = c.id AND a.status <> 'resolved')::int AS alerts,
           (SELECT concat_ws(' · ', cp.owner->>'name', cp.collector) FROM collection_profiles cp WHERE cp.customer_id = c.id) AS owner
      FROM page JOIN customers c ON c.id = page.id JOIN credit_accounts ca ON ca.customer_id = c.id JOIN portfolio_positions pp ON pp.customer_id = c.id
     CROSS JOIN LATERAL vigie_credit_position(c.id, ca.credit_limit, ${rule.defaultLimit}::bigint, ${rule.overdueBefore}::date, ${rule.now}::timestamptz,
                                              ca.insured_limit, ca.insured_coverage_bp) p
     ORDER BY ${order}
     ${byExposure ? sql`LIMIT ${PAGE + 1} OFFSET ${f.offset}` : sql``}`.execute(deps.db);
  return rows.map((r) => {
    const used = Number(r.limit_amount) > 0 ? Math.round((Number(r.total) / Number(r.limit_amount)) * 100) : Number(r.total) > 0 ? 100 : 0;
    const badges = [
      r.manual_block ? { label: t('Bloqué'), tone: 'bad' } : null,
      r.auto_block ? { label: t('Bloqué (auto)'), tone: 'bad' } : null,
      r.collections_block ? { label: t('Recouvrement'), tone: 'bad' } : null,
      r.prepayment ? { label: t('Paiement d’avance'), tone: 'warn' } : null,
      Number(r.overdue) > 0 ? { label: t('En retard'), tone: 'warn' } : null,
    ].filter(Boolean);
    return {
      id: r.id,
      name: r.name,
      siren: r.siren,
      externalId: r.external_id,
      grade: r.risk_grade,
      exposure: eur(r.total, r.currency),
      limit: eur(r.limit_amount, r.currency),
      available: eur(r.available, r.currency),
      overdue: eur(r.overdue, r.currency),
      oldestDays: r.oldest_overdue ? Math.round((Date.parse(rule.today) - Date.parse(r.oldest_overdue)) / 86_400_000) : null,
      usedPercent: used,
      usedWidth: Math.min(100, Math.max(0, used)),
      // Past the limit, or owing anything on a zero limit: red; from 80 % of it: amber.
      over: used > 100 || (Number(r.limit_amount) <= 0 && Number(r.total) > 0),
      near: used >= 80 && used <= 100 && Number(r.limit_amount) > 0,
      badges: badges.length ? badges : [{ label: t('Normal'), tone: 'ok' }],
      alerts: r.alerts,
      owner: r.owner || null,
    };
  });
}
