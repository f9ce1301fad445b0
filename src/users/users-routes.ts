import { z } from 'zod';
import type { Response } from 'express';
import { defineRoute, reply, type RouteDef } from '../http/route.js';
import { SESSION_COOKIE } from '../http/auth.js';
import { NotFound } from '../errors.js';
import { uuidSchema } from '../identifiers.js';
import { ROLES } from '../api-keys/roles.js';
import { createUserBody, ownPasswordBody, passwordBody, signInBody, updateUserBody, type UsersService } from './users-service.js';

const TAG = 'Users and sessions';
const idParams = z.strictObject({ id: uuidSchema });
const loose = (description: string) => ({ description, schema: z.looseObject({}) });
const PEOPLE = ROLES.filter((r) => r !== 'order_system');

export function usersRoutes(users: UsersService, cookie: { secure: boolean; maxAgeMs: number }): RouteDef[] {
  const setCookie = (res: Response, token: string) =>
    res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: cookie.secure, path: '/', maxAge: cookie.maxAgeMs });
  return [
    defineRoute({
      method: 'post',
      path: '/v1/sessions',
      tag: TAG,
      summary: 'Signs a person in: sets the HTTP-only session cookie and returns the CSRF token to send with every change',
      description: 'Failed attempts are limited per e-mail and per address (429 with Retry-After).',
      roles: [],
      public: true,
      body: signInBody,
      responses: { 201: loose('{ user, csrfToken, expiresAt }'), 401: { description: 'Wrong e-mail or password' }, 429: { description: 'Too many failed attempts' } },
      handler: async ({ body, req, res }) => {
        const s = await users.signIn(body, { ip: req.ip ?? 'unknown', userAgent: req.headers['user-agent'] ?? null });
        setCookie(res, s.token);
        return reply(201, { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt.toISOString() });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/sessions/current',
      tag: TAG,
      summary: 'The person signed in, the CSRF token and when the session ends',
      roles: PEOPLE,
      responses: { 200: loose('{ user, csrfToken, expiresAt }'), 404: { description: 'Called with an API key: no session' } },
      handler: ({ req }) => {
        if (!req.session) throw new NotFound('No session: this request was made with an API key', 'no_session');
        return { user: req.session.user, csrfToken: req.session.csrfToken, expiresAt: req.session.expiresAt.toISOString() };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/sessions/current',
      tag: TAG,
      summary: 'Signs out: ends the session and clears the cookie',
      roles: PEOPLE,
      responses: { 204: { description: 'Signed out' }, 404: { description: 'Called with an API key: no session' } },
      handler: async ({ req, res }) => {
        if (!req.session) throw new NotFound('No session: this request was made with an API key', 'no_session');
        await users.signOut(req.session.token);
        res.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply(204, undefined);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/v1/sessions/current/password',
      tag: TAG,
      summary: 'The person signed in changes their own password (the current one first); their other sessions end',
      description: 'A wrong current password counts as a failed sign-in, under the same limits (429 with Retry-After).',
      roles: PEOPLE,
      body: ownPasswordBody,
      responses: {
        200: loose('The user'),
        400: { description: 'The current password is wrong, or the new one too short (named)' },
        404: { description: 'Called with an API key: no session' },
        429: { description: 'Too many failed attempts' },
      },
      handler: ({ req, body, auth }) => {
        if (!req.session) throw new NotFound('No session: this request was made with an API key', 'no_session');
        return users.changeOwnPassword(auth, body, req.session.token, { ip: req.ip ?? 'unknown' });
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users',
      tag: TAG,
      summary: 'Every user account (admin)',
      roles: [],
      responses: { 200: loose('{ items }') },
      handler: async () => ({ items: await users.list() }),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/users',
      tag: TAG,
      summary: 'Creates a user account (admin, audited); without a password one is generated and shown once',
      roles: [],
      body: createUserBody,
      responses: { 201: loose('{ user, password }'), 400: { description: 'A field is invalid (named)' }, 409: { description: 'The e-mail is taken' } },
      handler: async ({ body, auth }) => reply(201, await users.create(body, auth)),
    }),
    defineRoute({
      method: 'patch',
      path: '/v1/users/:id',
      tag: TAG,
      summary: "Changes a user's name or role, or disables it (admin, audited); a role change or disabling ends its sessions",
      roles: [],
      params: idParams,
      body: updateUserBody,
      responses: { 200: loose('The user'), 400: { description: 'A field is invalid (named)' }, 404: { description: 'No such user' } },
      handler: ({ params, body, auth }) => users.update(params.id, body, auth),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/users/:id/password',
      tag: TAG,
      summary: "Sets a user's password (admin, audited); its sessions end",
      roles: [],
      params: idParams,
      body: passwordBody,
      responses: { 200: loose('The user'), 400: { description: 'Too short (named)' }, 404: { description: 'No such user' } },
      handler: ({ params, body, auth }) => users.setPassword(params.id, body.password, auth),
    }),
  ];
}
