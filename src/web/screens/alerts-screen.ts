import type { Request, Response } from 'express';
import type { ScreenKit } from './screen-kit.js';
import type { SessionContext } from '../../users/users-service.js';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AlertsService } from '../../alerts/alerts-service.js';
import { ALERT_TYPES } from '../../alerts/alerts-routes.js';
import { ALERT_STATUS_WORDS, ALERT_TYPE_LABELS, MANAGE, SEVERITIES, STATUSES } from '../words.js';

/**
 * Alerts (credit managers): each alert's type in words, filtered by status, severity, type and
 * customer (a SIREN, a code or part of a name); acknowledged or resolved with a comment.
 */
export function alertsScreen(kit: ScreenKit, deps: { db: Kysely<DB>; alerts: AlertsService }): void {
  const { router, guards } = kit;
  const alertsPage = async (req: Request, res: Response, notice?: string) => {
    const { t, date: frDate } = kit.speaker(res);
    const pick = (v: unknown, allowed: readonly string[], fallback: string) => (typeof v === 'string' && allowed.includes(v) ? v : fallback);
    const filters = {
      status: pick(req.query.status, STATUSES.map((x) => x.value), 'open'),
      severity: pick(req.query.severity, SEVERITIES.map((x) => x.value), ''),
      type: pick(req.query.type, ALERT_TYPES, ''),
      customer: typeof req.query.customer === 'string' ? req.query.customer.trim().slice(0, 200) : '',
    };
    // The customer filter: a SIREN or a customer code, else part of a name (up to 500 customers).
    const customerIds = filters.customer
      ? (
          await sql<{ id: string }>`
            SELECT id FROM customers
             WHERE siren = ${filters.customer.replace(/\s/g, '')} OR external_id = ${filters.customer} OR name ILIKE '%' || ${filters.customer} || '%'
             LIMIT 500`.execute(deps.db)
        ).rows.map((r) => r.id)
      : undefined;
    const { items } = await deps.alerts.list({
      status: filters.status,
      ...(filters.severity ? { severity: filters.severity } : {}),
      ...(filters.type ? { type: filters.type } : {}),
      ...(customerIds ? { customerIds } : {}),
      limit: 200,
    });
    const ids = [...new Set(items.map((a) => a.customerId).filter((x): x is string => x !== null))];
    const names = new Map(ids.length ? (await deps.db.selectFrom('customers').select(['id', 'name']).where('id', 'in', ids).execute()).map((c) => [c.id, c.name]) : []);
    const kept = new URLSearchParams(Object.entries(filters).filter(([, v]) => v !== '')).toString();
    kit.render(res, 'alerts', {
      title: 'Alertes',
      notice,
      filters,
      // The acknowledgement forms post to the same filters: the page comes back as it was.
      querySuffix: kept ? `?${kept}` : '',
      statuses: STATUSES.map((x) => ({ ...x, label: t(x.label) })),
      severities: SEVERITIES.map((x) => ({ ...x, label: t(x.label) })),
      types: ALERT_TYPES.map((value) => ({ value, label: t(ALERT_TYPE_LABELS[value] ?? value) })),
      rows: items.map((a) => {
        const sev = SEVERITIES.find((x) => x.value === a.severity);
        return {
          id: a.id,
          date: frDate(a.createdAt),
          severity: sev ? t(sev.label) : a.severity,
          tone: sev?.tone ?? 'warn',
          customerId: a.customerId,
          customerName: a.customerId ? (names.get(a.customerId) ?? a.customerId) : null,
          type: a.type,
          typeLabel: t(ALERT_TYPE_LABELS[a.type] ?? a.type),
          message: a.message,
          status: t(ALERT_STATUS_WORDS[a.status] ?? a.status),
          comment: a.comment,
          open: a.status !== 'resolved',
        };
      }),
    });
  };
  router.get('/alerts', guards.loadSession, guards.signedIn, guards.allow(MANAGE), (req, res) => alertsPage(req, res));
  router.post('/alerts/:id', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const { comment, action } = req.body as Record<string, string | undefined>;
    const text = String(comment ?? '').trim().slice(0, 1000);
    if (!text) return alertsPage(req, res, kit.speaker(res).t('Un commentaire est nécessaire.'));
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(kit.speaker(res).t('Alerte inconnue.'));
    const done = await deps.alerts.acknowledge(id, { comment: text, resolve: action === 'resolve' }, (res.locals.session as SessionContext).auth);
    await alertsPage(req, res, kit.speaker(res).t(done.status === 'resolved' ? 'Alerte résolue.' : 'Alerte prise en compte.'));
  });

}
