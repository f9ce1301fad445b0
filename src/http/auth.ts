import type { RequestHandler } from 'express';
import { Forbidden, Unauthenticated } from '../errors.js';
import type { ApiKeysService } from '../api-keys/api-keys-service.js';
import type { AuthContext, Role } from '../api-keys/roles.js';

declare module 'express-serve-static-core' {
  interface Request {
    auth?: AuthContext;
  }
}

/** `Authorization: Bearer <key>`: 401 when missing or unknown, before any body is read. */
export function authenticate(apiKeys: ApiKeysService): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    res.setHeader('WWW-Authenticate', 'Bearer realm="vigie"');
    if (!match) {
      throw new Unauthenticated('Missing API key: send "Authorization: Bearer <key>"', 'missing_api_key');
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
