import type { Request, Response } from 'express';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { AssessmentsService } from '../../scoring/assessments-service.js';
import type { AuditService } from '../../audit/audit-service.js';
import type { CompaniesService } from '../../companies/companies-service.js';
import type { CreditService } from '../../credit/credit-service.js';
import type { CustomersService } from '../../customers/customers-service.js';
import type { OrdersService } from '../../orders/orders-service.js';
import type { ScoringPolicyService } from '../../scoring/scoring-policy-service.js';
import type { WorklistService } from '../../collections/worklist-service.js';
import type { SessionContext } from '../../users/users-service.js';
import { DomainError } from '../../errors.js';
import { describeError } from '../../http/error-handler.js';
import { currencyMinorDigits } from '../../identifiers.js';
import { parseDecimalToMinor } from '../../ledger/csv.js';
import type { Speaker } from '../i18n.js';
import { COLLECT, DECISION_WORDS, MANAGE, type Reason, REASONS_FR, reasonText, TIMELINE_STATUS } from '../words.js';
import type { ScreenKit } from './screen-kit.js';

/**
 * The customer sheet: identity and registry status as last read, the credit position, payment
 * behaviour, aging, the payment index and score histories as charts with what changed at each
 * assessment, the orders waiting; credit managers set the limit (in the customer's currency), block,
 * assess and accept an order; collectors and credit managers see the recovery timeline.
 */
export function customerScreen(
  kit: ScreenKit,
  deps: {
    db: Kysely<DB>;
    customers: CustomersService;
    credit: CreditService;
    assessments: AssessmentsService;
    scoringPolicy: ScoringPolicyService;
    companies: CompaniesService;
    orders: OrdersService;
    worklist: WorklistService;
    audit: AuditService;
  },
): void {
  const { router, guards } = kit;
  const sheet = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const speaking = kit.speaker(res);
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
    kit.render(
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
        // An e-mail reminder is one line (the e-mail, with its delivery state and its .eml), not two
        // (one held has no e-mail yet: its action says so);
        // a link only where it opens a document people read (a letter's PDF, an e-mail), never JSON.
        timeline:
          timeline?.items
            .filter((i) => i.type !== 'action.email' || i.status === 'held')
            .map((i) => ({
              date: frDate(i.at),
              summary: i.summary,
              status: i.status ? t(TIMELINE_STATUS[i.status] ?? i.status) : '',
              link: i.link && (i.link.startsWith('/v1/collections/documents/') || i.link.endsWith('/eml')) ? i.link : null,
            })) ?? null,
        audit: audit?.items.map((e) => ({ date: frDate(e.at), actor: e.actor, action: e.action, reason: e.reason ?? '' })) ?? null,
        credit: {
          exposure: eur(c.exposure.total, cur),
          limit: eur(c.creditLimit.amount, cur),
          limitSource: t(c.creditLimit.source === 'explicit' ? 'fixée' : 'par défaut'),
          reviewDate: frDate(c.creditLimit.reviewDate),
          // The limit form starts from the limit in force: saving keeps what is not changed (the review date too).
          form: {
            amount: c.creditLimit.source === 'explicit' ? (c.creditLimit.amount / 10 ** currencyMinorDigits(cur)).toFixed(currencyMinorDigits(cur)).replace('.', ',') : '',
            reviewDate: c.creditLimit.reviewDate ?? '',
          },
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
  router.get('/customers/:id', guards.loadSession, guards.signedIn, (req, res) => sheet(req, res));
  router.post('/customers/:id/limit', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    const { amount, reason, reviewDate } = req.body as Record<string, string | undefined>;
    const customer = await deps.customers.get(String(req.params.id));
    // In the customer's currency, by its own minor digits (no float: the ledger's decimal parser).
    const minor = parseDecimalToMinor(String(amount ?? '').replace(/\s/g, ''), currencyMinorDigits(customer.currency));
    if (typeof minor === 'string' || minor < 0) {
      return sheet(req, res, { error: kit.speaker(res).t('Limite : un montant en euros, par exemple 25 000 ou 1 500,50.') }, 400);
    }
    try {
      await deps.credit.setLimit(customer.id, { amount: minor, currency: customer.currency, reason: String(reason ?? '').trim(), reviewDate: reviewDate ? reviewDate : null }, session.auth);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'invalid_input') return sheet(req, res, { error: err.message }, 400);
      throw err;
    }
    await sheet(req, res, { notice: kit.speaker(res).t('Limite fixée à {amount}.', { amount: kit.speaker(res).money(minor, customer.currency) }) });
  });
  router.post('/customers/:id/block', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    const { blocked, reason } = req.body as Record<string, string | undefined>;
    if (!reason?.trim()) return sheet(req, res, { error: kit.speaker(res).t('Motif : dites pourquoi.') }, 400);
    try {
      await deps.credit.setManualBlock(String(req.params.id), blocked === 'true', reason.trim().slice(0, 1000), session.auth);
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'conflict' || err.kind === 'invalid_input')) return sheet(req, res, { error: err.message }, describeError(err)!.status);
      throw err;
    }
    await sheet(req, res, { notice: kit.speaker(res).t(blocked === 'true' ? 'Client bloqué.' : 'Client débloqué.') });
  });
  // An order waiting for this customer, approved from the sheet with a reason (the same override as /orders).
  router.post('/customers/:id/orders/:orderId/override', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const { t } = kit.speaker(res);
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
  router.post('/customers/:id/assess', guards.loadSession, guards.signedIn, guards.csrf, guards.allow(MANAGE), async (req, res) => {
    const session = res.locals.session as SessionContext;
    try {
      const a = await deps.assessments.recordForCustomer(String(req.params.id), {}, session.auth);
      await sheet(req, res, { notice: kit.speaker(res).t('Évaluation enregistrée : note {grade}, score {score}.', { grade: a.grade, score: a.score }) });
    } catch (err) {
      if (err instanceof DomainError) return sheet(req, res, { error: err.message }, err.kind === 'upstream_unavailable' ? 503 : 409);
      throw err;
    }
  });


}

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

