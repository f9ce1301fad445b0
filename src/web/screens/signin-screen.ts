import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import { DomainError, RateLimited } from '../../errors.js';
import { SESSION_COOKIE, sameToken, sessionToken } from '../../http/auth.js';
import type { UsersService } from '../../users/users-service.js';
import type { ScreenKit } from './screen-kit.js';

/** A page to go back to after signing in or switching language: a path on this site, else the portfolio. */
export const safeNext = (next: unknown) => (typeof next === 'string' && /^\/(?!\/)[\w\-/?=&%.+,]*$/.test(next) ? next : '/');

const LOGIN_COOKIE = 'vigie_login';
const LOGIN_COOKIE_VALUE = /(?:^|;\s*)vigie_login=([\w-]{32})(?:;|$)/;

/**
 * The browser says the request comes from this origin. Sec-Fetch-Site is the browser's own word;
 * without it, an Origin naming another host is refused. "Origin: null" is what Chromium sends for
 * a form under this site's Referrer-Policy: no-referrer, so it decides nothing here and the
 * form's token (bound to a SameSite=Strict cookie) decides.
 */
function sameOrigin(req: Request): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  if (origin === undefined || origin === 'null') return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Signing in and out: the e-mail and password form (the session cookie of /v1/sessions, same limits,
 * same expiry), guarded against sign-in CSRF; signing out ends the session.
 */
export function signInScreen(kit: ScreenKit, deps: { users: UsersService; cookie: { secure: boolean; maxAgeMs: number } }): void {
  const { router, guards } = kit;
  /*
   * Sign-in CSRF: a page of another site must not sign a browser in to an account of its choosing.
   * The form carries a token that matches a pre-session cookie (SameSite=Strict, so a cross-site
   * POST never carries it), and a request the browser marks as cross-site (Sec-Fetch-Site) or
   * from another origin (Origin) is refused before any password is checked.
   */
  const loginForm = (res: Response, data: Record<string, unknown>, status = 200) => {
    const token = randomBytes(24).toString('base64url');
    res.cookie(LOGIN_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: deps.cookie.secure, path: '/login', maxAge: 3_600_000 });
    kit.render(res, 'login', { title: 'Connexion', ...data, loginToken: token }, status);
  };
  router.get('/login', guards.loadSession, (req, res) => {
    if (res.locals.session) return res.redirect(303, safeNext(req.query.next));
    loginForm(res, { next: safeNext(req.query.next) });
  });
  router.post('/login', async (req, res) => {
    const { email, password, next, _csrf } = req.body as Record<string, string | undefined>;
    const { t } = kit.speaker(res);
    const cookieToken = LOGIN_COOKIE_VALUE.exec(req.headers.cookie ?? '')?.[1];
    if (!sameOrigin(req) || typeof _csrf !== 'string' || !cookieToken || !sameToken(_csrf, cookieToken)) {
      return loginForm(res, { error: t('Connexion refusée : le formulaire ne vient pas de cette page ou a expiré. Réessayez.'), next: safeNext(next) }, 403);
    }
    try {
      const s = await deps.users.signIn({ email: String(email ?? '').trim().toLowerCase(), password: String(password ?? '') }, { ip: req.ip ?? 'unknown', userAgent: req.headers['user-agent'] ?? null });
      res.cookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', secure: deps.cookie.secure, path: '/', maxAge: deps.cookie.maxAgeMs });
      res.redirect(303, safeNext(next));
    } catch (err) {
      // A wrong password, an unknown or malformed e-mail, too many attempts; anything else (the database down) is not a sign-in answer.
      if (!(err instanceof DomainError) || !['unauthenticated', 'rate_limited', 'invalid_input'].includes(err.kind)) throw err;
      const message = err instanceof RateLimited ? t('Trop de tentatives : réessayez dans {seconds} secondes.', { seconds: err.retryAfterSeconds }) : t('Adresse e-mail ou mot de passe incorrect.');
      loginForm(res, { error: message, email, next: safeNext(next) }, err instanceof RateLimited ? 429 : 401);
    }
  });
  router.post('/logout', guards.loadSession, guards.csrf, async (req, res) => {
    const token = sessionToken(req);
    if (token) await deps.users.signOut(token);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.redirect(303, '/login');
  });

}
