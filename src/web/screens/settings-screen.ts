import type { Response } from 'express';
import type { Role } from '../../api-keys/roles.js';
import { ROLES } from '../../api-keys/roles.js';
import type { ApiKeysService } from '../../api-keys/api-keys-service.js';
import { DomainError } from '../../errors.js';
import { describeError } from '../../http/error-handler.js';
import { parseDecimalToMinor } from '../../ledger/csv.js';
import type { PolicyService } from '../../policy/policy-service.js';
import { scoringPolicySchema } from '../../scoring/scoring-policy-schemas.js';
import type { ScoringPolicyService } from '../../scoring/scoring-policy-service.js';
import type { ScoringPolicy } from '../../../scorers/scoring-policy.js';
import { createUserBody, USER_ROLES, type SessionContext, type UsersService } from '../../users/users-service.js';
import type { WebhooksService } from '../../webhooks/webhooks-service.js';
import { createWebhookBody, SUBSCRIBABLE } from '../../webhooks/webhooks-routes.js';
import { issuesText, ROLE_LABELS } from '../words.js';
import type { ScreenKit } from './screen-kit.js';

const ADMIN: readonly Role[] = ['admin'];

/**
 * Settings (admins): the credit policy, the scoring policy (in fields or as the whole JSON
 * document), users, API keys and webhooks — each change a call to its service (validated by the
 * API's own schemas, audited), the page again with its outcome; a secret (a password, a key, a
 * signing secret) shown once.
 */
export function settingsScreen(
  kit: ScreenKit,
  deps: { policy: PolicyService; scoringPolicy: ScoringPolicyService; users: UsersService; apiKeys: ApiKeysService; webhooks: WebhooksService },
): void {
  const { router, guards } = kit;
  const settingsPage = async (res: Response, extra: { notice?: string; error?: string; secret?: { label: string; value: string }; scoringDraft?: string } = {}, status = 200) => {
    const session = res.locals.session as SessionContext;
    const { t, date: frDate } = kit.speaker(res);
    const [policy, scoring, users, keys, hooks] = await Promise.all([deps.policy.current(), deps.scoringPolicy.current(), deps.users.list(), deps.apiKeys.list(), deps.webhooks.list()]);
    const doc = scoring.policy as ScoringPolicy;
    kit.render(
      res,
      'settings',
      {
        title: 'Réglages',
        ...extra,
        policy: { ...policy, defaultLimit: String(policy.defaultCreditLimit / 100).replace('.', ',') },
        scoring: {
          version: scoring.version,
          floors: doc.gradeFloors,
          weights: doc.weights,
          hysteresis: doc.gradeHysteresisPoints ?? 3,
          json: extra.scoringDraft ?? JSON.stringify(doc, null, 2),
        },
        users: users.map((u) => ({ ...u, role: t(ROLE_LABELS[u.role] ?? u.role), self: u.id === session.user.id })),
        userRoles: USER_ROLES.map((r) => ({ value: r, label: t(ROLE_LABELS[r] ?? r) })),
        keys: keys.map((k) => ({ ...k, lastUsed: k.lastUsedAt ? frDate(k.lastUsedAt) : t('jamais') })),
        keyRoles: ROLES,
        alertTypes: SUBSCRIBABLE,
        webhooks: hooks.items.filter((h) => h.active).map((h) => ({ id: h.id, url: h.url, description: h.description, types: h.alertTypes.length ? h.alertTypes.join(', ') : t('toutes') })),
      },
      status,
    );
  };
  /** A settings change, then the settings page with its outcome; a change the service refuses (bad input, conflict, unknown) is said there, as a 400. */
  const settingsChange = async (res: Response, change: () => Promise<{ notice: string; secret?: { label: string; value: string } }>) => {
    let outcome: Awaited<ReturnType<typeof change>>;
    try {
      outcome = await change();
    } catch (err) {
      if (err instanceof DomainError && (err.kind === 'invalid_input' || err.kind === 'conflict' || err.kind === 'not_found')) return settingsPage(res, { error: err.message }, describeError(err)!.status);
      throw err;
    }
    await settingsPage(res, outcome);
  };
  /** Every settings form: signed in, a form with the session's CSRF token, an admin. */
  const adminForm = [guards.loadSession, guards.signedIn, guards.csrf, guards.allow(ADMIN)];
  router.get('/settings', guards.loadSession, guards.signedIn, guards.allow(ADMIN), (_req, res) => settingsPage(res));
  router.post('/settings/policy', ...adminForm, async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    // The policy's amounts are in euros: two minor digits, parsed without floats.
    const limit = parseDecimalToMinor(String(b.defaultCreditLimit ?? '').replace(/\s/g, ''), 2);
    const days = Number(b.overdueGraceDays);
    const hours = Number(b.holdTtlHours);
    const { t } = kit.speaker(res);
    if (typeof limit === 'string' || limit < 0) return settingsPage(res, { error: t('Limite par défaut : un montant en euros.') }, 400);
    if (!Number.isInteger(days) || days < 0 || days > 365) return settingsPage(res, { error: t('Tolérance de retard : de 0 à 365 jours.') }, 400);
    if (!Number.isInteger(hours) || hours < 1 || hours > 8760) return settingsPage(res, { error: t('Durée d’une réservation : de 1 à 8 760 heures.') }, 400);
    const reason = b.reason?.trim().slice(0, 1000);
    if (!reason) return settingsPage(res, { error: t('Motif : dites pourquoi.') }, 400);
    await settingsChange(res, async () => {
      const p = await deps.policy.change(
        {
          defaultCreditLimit: limit,
          overdueGraceDays: days,
          holdTtlHours: hours,
          autoRecheckOrders: b.autoRecheckOrders === 'true',
          exposureBasis: b.exposureBasis === 'net' ? 'net' : 'gross',
          limitFollowsCover: b.limitFollowsCover === 'true',
          reason,
        },
        (res.locals.session as SessionContext).auth,
      );
      return { notice: t('Politique de crédit enregistrée (version {version}).', { version: p.version }) };
    });
  });
  router.post('/settings/users', ...adminForm, async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const { t } = kit.speaker(res);
    const parsed = createUserBody.safeParse({ email: b.email, name: b.name, role: b.role });
    if (!parsed.success) return settingsPage(res, { error: t('Utilisateur non créé : {why}.', { why: issuesText(parsed.error.issues) }) }, 400);
    await settingsChange(res, async () => {
      const { user, password } = await deps.users.create(parsed.data, (res.locals.session as SessionContext).auth);
      return { notice: t('Utilisateur {email} créé.', { email: user.email }), secret: { label: t('Mot de passe de {email}', { email: user.email }), value: password! } };
    });
  });
  router.post('/settings/users/:id', ...adminForm, async (req, res) => {
    const id = String(req.params.id);
    const { t } = kit.speaker(res);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Utilisateur inconnu.'));
    await settingsChange(res, async () => {
      const u = await deps.users.update(id, { disabled: (req.body as Record<string, string>).disabled === 'true' }, (res.locals.session as SessionContext).auth);
      return { notice: t(u.disabled ? '{email} désactivé.' : '{email} réactivé.', { email: u.email }) };
    });
  });
  router.post('/settings/api-keys', ...adminForm, async (req, res) => {
    const b = req.body as Record<string, string | undefined>;
    const name = String(b.name ?? '').trim().slice(0, 100);
    const { t } = kit.speaker(res);
    if (!name || !(ROLES as readonly string[]).includes(String(b.role))) return settingsPage(res, { error: t('Clé non créée : un nom et un rôle.') }, 400);
    await settingsChange(res, async () => {
      const { key, apiKey } = await deps.apiKeys.create({ name, role: b.role as Role }, (res.locals.session as SessionContext).auth);
      return { notice: t('Clé {name} créée.', { name: apiKey.name }), secret: { label: t('Clé {name}', { name: apiKey.name }), value: key } };
    });
  });
  router.post('/settings/api-keys/:id/revoke', ...adminForm, async (req, res) => {
    const id = String(req.params.id);
    const { t } = kit.speaker(res);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Clé inconnue.'));
    await settingsChange(res, async () => {
      const k = await deps.apiKeys.revoke(id, (res.locals.session as SessionContext).auth);
      return { notice: t('Clé {name} révoquée.', { name: k.name }) };
    });
  });
  // The scoring policy: the grade floors, weights and hysteresis in fields, or the whole document
  // as JSON; either way checked by the API's schema, a new audited version.
  router.post('/settings/scoring', ...adminForm, async (req, res) => {
    const { t } = kit.speaker(res);
    const b = req.body as Record<string, string | undefined>;
    const reason = String(b.reason ?? '').trim().slice(0, 1000);
    let doc: unknown;
    if (b.mode === 'json') {
      try {
        doc = JSON.parse(String(b.policy ?? ''));
      } catch (err) {
        return settingsPage(res, { error: t('Politique de notation non enregistrée : JSON illisible ({why}).', { why: (err as Error).message }), scoringDraft: String(b.policy ?? '') }, 400);
      }
    } else {
      const current = (await deps.scoringPolicy.current()).policy as ScoringPolicy;
      const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? Number.NaN : Number(v.replace(',', '.')));
      doc = {
        ...current,
        gradeFloors: { A: num(b.floorA), B: num(b.floorB), C: num(b.floorC), D: num(b.floorD) },
        gradeHysteresisPoints: num(b.hysteresis),
        weights: { financial: num(b.weightFinancial), legal: num(b.weightLegal), firmographics: num(b.weightFirmographics), paymentBehaviour: num(b.weightPaymentBehaviour) },
      };
    }
    const parsed = scoringPolicySchema.safeParse(doc);
    if (!parsed.success) return settingsPage(res, { error: t('Politique de notation non enregistrée : {why}.', { why: issuesText(parsed.error.issues) }), ...(b.mode === 'json' ? { scoringDraft: String(b.policy ?? '') } : {}) }, 400);
    if (!reason) return settingsPage(res, { error: t('Motif : dites pourquoi.') }, 400);
    await settingsChange(res, async () => {
      const v = await deps.scoringPolicy.change(parsed.data as ScoringPolicy, reason, (res.locals.session as SessionContext).auth);
      return { notice: t('Politique de notation enregistrée (version {version}).', { version: v.version }) };
    });
  });
  router.post('/settings/webhooks', ...adminForm, async (req, res) => {
    const { t } = kit.speaker(res);
    const b = req.body as Record<string, string | string[] | undefined>;
    const types = ([] as string[]).concat(b.alertTypes ?? []);
    const parsed = createWebhookBody.safeParse({ url: String(b.url ?? '').trim(), alertTypes: types, ...(String(b.description ?? '').trim() ? { description: String(b.description).trim() } : {}) });
    if (!parsed.success) return settingsPage(res, { error: t('Webhook non créé : {why}.', { why: issuesText(parsed.error.issues) }) }, 400);
    await settingsChange(res, async () => {
      const hook = await deps.webhooks.create(parsed.data, (res.locals.session as SessionContext).auth);
      return { notice: t('Webhook {url} créé.', { url: hook.url }), secret: { label: t('Secret de signature de {url}', { url: hook.url }), value: hook.secret } };
    });
  });
  router.post('/settings/webhooks/:id/remove', ...adminForm, async (req, res) => {
    const { t } = kit.speaker(res);
    const id = String(req.params.id);
    if (!/^[0-9a-f-]{36}$/i.test(id)) return void res.status(404).type('text').send(t('Webhook inconnu.'));
    await settingsChange(res, async () => {
      await deps.webhooks.remove(id, (res.locals.session as SessionContext).auth);
      return { notice: t('Webhook supprimé.') };
    });
  });

}
