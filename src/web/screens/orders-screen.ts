import type { Request, Response } from 'express';
import type { ScreenKit } from './screen-kit.js';
import type { SessionContext } from '../../users/users-service.js';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { OrdersService } from '../../orders/orders-service.js';
import { DomainError } from '../../errors.js';
import { DECISION_WORDS, DECISIONS, MANAGE, REASONS_FR } from '../words.js';

/**
 * Orders to review (credit managers): the orders answered review or blocked, newest first, with
 * their reasons in words; accept one with a reason, decline it with a reason, or check it again.
 */
export function ordersScreen(kit: ScreenKit, deps: { db: Kysely<DB>; orders: OrdersService }): void {
  const { router, guards } = kit;
  const ordersPage = async (_req: Request, res: Response, extra: { notice?: string; error?: string } = {}, status = 200) => {
    const { t, money: eur, date: frDate } = kit.speaker(res);
    const { rows } = await sql<{ order_id: string; customer_id: string; name: string; amount: number; currency: string; decision: string; reasons: string[] | null; created_at: Date }>`
      SELECT o.order_id, o.customer_id, c.name, o.amount, o.currency, o.decision, ARRAY(SELECT jsonb_array_elements_text(o.facts->'reasons')) AS reasons, o.created_at
        FROM order_checks o JOIN customers c ON c.id = o.customer_id
       WHERE o.decision <> 'approved' AND o.declined IS NULL
       ORDER BY o.created_at DESC
       LIMIT 200`.execute(deps.db);
    kit.render(
      res,
      'orders',
      {
        title: 'Commandes à examiner',
        ...extra,
        rows: rows.map((o) => ({
          orderId: o.order_id,
          encodedId: encodeURIComponent(o.order_id),
          customerId: o.customer_id,
          customerName: o.name,
          amount: eur(o.amount, o.currency),
          decision: t(DECISIONS[o.decision]?.label ?? o.decision),
          tone: DECISIONS[o.decision]?.tone ?? 'warn',
          reasons: (o.reasons ?? []).map((r) => t(REASONS_FR[r] ?? r)),
          date: frDate(new Date(o.created_at).toISOString()),
        })),
      },
      status,
    );
  };
  router.get('/orders', guards.loadSession, guards.signedIn, guards.allow(MANAGE), (req, res) => ordersPage(req, res));
  router.post('/orders/:orderId/:action', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const orderId = String(req.params.orderId);
    const actor = (res.locals.session as SessionContext).auth;
    const reason = String((req.body as Record<string, unknown>).reason ?? '').trim().slice(0, 1000);
    const { t } = kit.speaker(res);
    try {
      if (req.params.action === 'override') {
        if (!reason) return ordersPage(req, res, { error: t('Un motif est nécessaire pour accepter une commande.') }, 400);
        await deps.orders.override(orderId, reason, actor);
        return ordersPage(req, res, { notice: t('Commande {order} acceptée.', { order: orderId }) });
      }
      if (req.params.action === 'decline') {
        if (!reason) return ordersPage(req, res, { error: t('Un motif est nécessaire pour refuser une commande.') }, 400);
        // A decline cannot be undone: the form asks for it to be confirmed.
        if ((req.body as Record<string, unknown>).confirm !== 'yes') return ordersPage(req, res, { error: t('Confirmez le refus : il est définitif.') }, 400);
        await deps.orders.decline(orderId, reason, actor);
        return ordersPage(req, res, { notice: t('Commande {order} refusée.', { order: orderId }) });
      }
      if (req.params.action === 'recheck') {
        const r = await deps.orders.recheck(orderId, null, actor);
        return ordersPage(req, res, { notice: t('Commande {order} vérifiée à nouveau : {decision}.', { order: orderId, decision: t(DECISION_WORDS[r.decision] ?? r.decision) }) });
      }
      res.status(404).type('text').send(t('Action inconnue.'));
    } catch (err) {
      if (err instanceof DomainError && err.kind !== 'upstream_unavailable') return ordersPage(req, res, { error: err.message }, 409);
      throw err;
    }
  });
}
