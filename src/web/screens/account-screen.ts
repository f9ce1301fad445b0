import type { Response } from 'express';
import { DomainError, RateLimited } from '../../errors.js';
import { sessionToken } from '../../http/auth.js';
import { ownPasswordBody, type SessionContext, type UsersService } from '../../users/users-service.js';
import { issuesText, ROLE_LABELS } from '../words.js';
import type { ScreenKit } from './screen-kit.js';

/**
 * My account (everyone): name, e-mail, role, and changing one's own password — the current one
 * first (a wrong one counts as a failed sign-in), the new one twice; the other sessions end.
 */
export function accountScreen(kit: ScreenKit, users: UsersService): void {
  const { router, guards } = kit;
  const accountPage = (res: Response, extra: { notice?: string; error?: string } = {}, status = 200) => {
    const session = res.locals.session as SessionContext;
    kit.render(res, 'account', { title: 'Mon compte', account: { ...session.user, role: kit.speaker(res).t(ROLE_LABELS[session.user.role] ?? session.user.role) }, ...extra }, status);
  };
  router.get('/account', guards.loadSession, guards.signedIn, (_req, res) => accountPage(res));
  router.post('/account/password', guards.loadSession, guards.signedIn, guards.csrf, async (req, res) => {
    const { t } = kit.speaker(res);
    const b = req.body as Record<string, string | undefined>;
    if (String(b.password ?? '') !== String(b.confirm ?? '')) return accountPage(res, { error: t('Les deux nouveaux mots de passe diffèrent.') }, 400);
    const parsed = ownPasswordBody.safeParse({ currentPassword: b.currentPassword ?? '', password: b.password ?? '' });
    if (!parsed.success) {
      const labels: Record<string, string> = { currentPassword: t('mot de passe actuel'), password: t('nouveau mot de passe') };
      return accountPage(res, { error: t('Mot de passe non changé : {why}.', { why: issuesText(parsed.error.issues, labels) }) }, 400);
    }
    try {
      await users.changeOwnPassword((res.locals.session as SessionContext).auth, parsed.data, sessionToken(req), { ip: req.ip ?? 'unknown' });
      accountPage(res, { notice: t('Mot de passe changé ; vos autres sessions sont fermées.') });
    } catch (err) {
      if (err instanceof RateLimited) return accountPage(res, { error: t('Trop de tentatives : réessayez dans {seconds} secondes.', { seconds: err.retryAfterSeconds }) }, 429);
      if (err instanceof DomainError && err.kind === 'invalid_input') return accountPage(res, { error: t('Mot de passe actuel incorrect.') }, 400);
      throw err;
    }
  });

}
