import { timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { Forbidden, Unauthenticated } from '../errors.js';
import type { ApiKeysService } from '../api-keys/api-keys-service.js';
import type { AuthContext, Role } from '../api-keys/roles.js';
import type { SessionContext } from '../users/users-service.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
    /** Set when the caller is a person signed in with the session cookie. */
    session?: SessionContext & { token: string };
  }
}

/** The session cookie: an HTTP-only, SameSite=Strict random token (src/users/users-service.ts). */
export const SESSION_COOKIE = 'vigie_session';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const SESSION_COOKIE_VALUE = new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([A-Za-z0-9_-]{20,100})(?:;|$)`);

/** The session token in the request's cookies, if any. */
export function sessionToken(req: Request): string | null {
  const cookie = req.headers.cookie;
  if (!cookie) return null;
  const m = SESSION_COOKIE_VALUE.exec(cookie);
  return m ? m[1]! : null;
}

/** Compares a token sent with the one expected in constant time. */
export const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Who is calling: a machine with `Authorization: Bearer <key>`, or a person with the session
 * cookie. With the cookie, every state-changing request must carry the session's CSRF token in
 * `X-CSRF-Token` (403 otherwise); an expired session answers 401 and clears the cookie. 401 when
 * neither is sent or the key is unknown — before any body is read.
 */
export function authenticate(apiKeys: ApiKeysService, users?: { session(token: string): Promise<SessionContext | null> }): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const token = !header && users ? sessionToken(req) : null;
    if (token) {
      const session = await users!.session(token);
      if (!session) {
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        throw new Unauthenticated('The session has expired or was ended: sign in again', 'session_expired');
      }
      if (!SAFE_METHODS.has(req.method)) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !sameToken(sent, session.csrfToken)) {
          throw new Forbidden('A request made with the session cookie must carry its CSRF token in the X-CSRF-Token header', 'csrf_token_invalid');
        }
      }
      req.auth = session.auth;
      req.session = { ...session, token };
      next();
      return;
    }
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    res.setHeader('WWW-Authenticate', 'Bearer realm="vigie"');
    if (!match) {
      throw new Unauthenticated('Missing API key: send "Authorization: Bearer <key>" (or sign in: POST /v1/sessions)', 'missing_api_key');
    }
    const ctx = await apiKeys.authenticate(match[1]!);
    if (!ctx) throw new Unauthenticated('Unknown or revoked API key', 'invalid_api_key');
    res.removeHeader('WWW-Authenticate');
    req.auth = ctx;
    next();
  };
}

/** Admin may call every route; other roles only the routes that list them. */
export function authorize(roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    const role = req.auth?.role;
    if (role === 'admin' || (role && roles.includes(role))) {
      next();
      return;
    }
    const allowed = ['admin', ...roles].join(', ');
    throw new Forbidden(`This API key's role (${role}) may not call this route; allowed roles: ${allowed}`, 'role_not_allowed');
  };
}
