import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type supertest from 'supertest';
import { createTestApp, makeSiren, type TestApp } from '../setup/test-app.js';
import { unique } from '../setup/ledger-helpers.js';
import { testServerUrl } from '../setup/db-url.js';

/*
 * People sign in with an e-mail and a password: an HTTP-only, SameSite=Strict session cookie, a
 * CSRF token on every change made with it, roles as for keys, sign-in attempts limited, sessions
 * ending when idle, when too old, on sign-out, and when the user is disabled.
 */
let t: TestApp;
const PASSWORD = 'correct horse battery staple';

const at = (iso: string) => t.clock.set(iso);
const cookieOf = (res: supertest.Response) => {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const line = set.find((c) => c.startsWith('vigie_session='));
  return { line: line ?? '', value: line ? line.split(';')[0]! : '' };
};
const signIn = (email: string, password = PASSWORD) => t.as('anonymous').post('/v1/sessions', { email, password });
/** A request with the session cookie (and the CSRF token when given). */
const withSession = (req: supertest.Test, cookie: string, csrf?: string) => {
  req.set('Cookie', cookie);
  if (csrf) req.set('X-CSRF-Token', csrf);
  return req;
};

beforeAll(async () => {
  t = await createTestApp(
    { SESSION_TTL_HOURS: '2', SESSION_IDLE_MINUTES: '30', SIGN_IN_MAX_FAILURES: '3', SIGN_IN_MAX_FAILURES_PER_ADDRESS: '6', SIGN_IN_WINDOW_MINUTES: '15' },
    { now: '2026-12-07T09:00:00Z' },
  );
  for (const [email, role] of [
    ['lea.credit@client.example', 'credit_manager'],
    ['paul.sales@client.example', 'sales'],
  ] as const) {
    const res = await t.as('admin').post('/v1/users', { email, name: email.split('@')[0], role, password: PASSWORD });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.password).toBeNull();
  }
});
afterAll(async () => {
  await t?.close();
});

describe('user accounts', () => {
  it('an admin creates them (a generated password shown once); bad input and other roles are refused', async () => {
    const res = await t.as('admin').post('/v1/users', { email: 'Camille.Collect@Client.example', name: 'Camille', role: 'collector' });
    expect(res.status).toBe(201);
    expect(res.body.user).toMatchObject({ email: 'camille.collect@client.example', role: 'collector', disabled: false });
    expect(res.body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect((await signIn('camille.collect@client.example', res.body.password)).status).toBe(201);
    expect((await t.as('admin').post('/v1/users', { email: 'lea.credit@client.example', name: 'x', role: 'sales' })).status).toBe(409);
    const bad = await t.as('admin').post('/v1/users', { email: 'not-an-email', name: 'x', role: 'sales', password: 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['body.email', 'body.password']);
    expect((await t.as('admin').post('/v1/users', { email: 'x@y.example', name: 'x', role: 'order_system' })).body.error.details[0].field).toBe('body.role');
    expect((await t.as('credit_manager').post('/v1/users', { email: 'x@y.example', name: 'x', role: 'sales' })).status).toBe(403);
    const list = await t.as('admin').get('/v1/users');
    expect(list.body.items.every((u: Record<string, unknown>) => !('password_hash' in u) && !('passwordHash' in u))).toBe(true);
  });
});

describe('sessions', () => {
  it('signing in sets an HTTP-only, SameSite=Strict, Secure cookie; a wrong password or an unknown e-mail get the same 401', async () => {
    const wrong = await signIn('lea.credit@client.example', 'not the password');
    const unknown = await signIn('nobody@client.example');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body.error).toMatchObject({ code: 'invalid_credentials', message: unknown.body.error.message });
    const res = await signIn('lea.credit@client.example');
    expect(res.status).toBe(201);
    const { line } = cookieOf(res);
    expect(line).toMatch(/HttpOnly/);
    expect(line).toMatch(/SameSite=Strict/);
    expect(line).toMatch(/Secure/);
    expect(line).toMatch(/Path=\//);
    expect(res.body).toMatchObject({ user: { email: 'lea.credit@client.example', role: 'credit_manager' }, csrfToken: expect.any(String), expiresAt: '2026-12-07T11:00:00.000Z' });
  });

  it('with the cookie: reads freely, changes only with the CSRF token, within the role; the audit names the person', async () => {
    const res = await signIn('lea.credit@client.example');
    const cookie = cookieOf(res).value;
    const csrf = res.body.csrfToken as string;
    expect((await withSession(t.as('anonymous').get('/v1/customers'), cookie)).status).toBe(200);
    expect((await withSession(t.as('anonymous').get('/v1/sessions/current'), cookie)).body).toMatchObject({ user: { email: 'lea.credit@client.example' }, csrfToken: csrf });
    const body = { externalId: unique('WEB'), siren: makeSiren(), name: 'Créée depuis le navigateur' };
    const none = await withSession(t.as('anonymous').post('/v1/customers', body), cookie);
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('csrf_token_invalid');
    expect((await withSession(t.as('anonymous').post('/v1/customers', body), cookie, 'x'.repeat(csrf.length))).status).toBe(403);
    const created = await withSession(t.as('anonymous').post('/v1/customers', body), cookie, csrf);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const limit = await withSession(t.as('anonymous').put(`/v1/customers/${created.body.id}/credit-limit`, { amount: 500_000, currency: 'EUR', reason: 'new account' }), cookie, csrf);
    expect(limit.status, JSON.stringify(limit.body)).toBe(200);
    const audit = await t.as('admin').get(`/v1/audit?entityType=customer&entityId=${created.body.id}`);
    expect(audit.body.items[0]).toMatchObject({ action: 'credit_limit.set', actor: 'lea.credit@client.example' });

    const sales = await signIn('paul.sales@client.example');
    const refused = await withSession(t.as('anonymous').put(`/v1/customers/${created.body.id}/credit-limit`, { amount: 1, currency: 'EUR', reason: 'x' }), cookieOf(sales).value, sales.body.csrfToken);
    expect(refused.status).toBe(403);
    // An API key still works, and its caller has no session.
    expect((await t.as('credit_manager').get('/v1/sessions/current')).status).toBe(404);
  });

  it('ends when idle, when too old, on sign-out, and when the user is disabled', async () => {
    at('2026-12-07T12:00:00Z');
    const first = await signIn('lea.credit@client.example');
    const cookie = cookieOf(first).value;
    const get = () => withSession(t.as('anonymous').get('/v1/customers'), cookie);
    at('2026-12-07T12:25:00Z');
    expect((await get()).status).toBe(200); // used: the idle expiry moves on
    at('2026-12-07T12:50:00Z');
    expect((await get()).status).toBe(200);
    at('2026-12-07T13:21:00Z');
    const idle = await get();
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('session_expired');
    expect(cookieOf(idle).line).toMatch(/vigie_session=;/);

    // Used every 20 minutes, it still ends 2 hours after sign-in (SESSION_TTL_HOURS).
    at('2026-12-07T14:00:00Z');
    const second = cookieOf(await signIn('lea.credit@client.example')).value;
    for (const time of ['14:20', '14:40', '15:00', '15:20', '15:40']) {
      at(`2026-12-07T${time}:00Z`);
      expect((await withSession(t.as('anonymous').get('/v1/customers'), second)).status, time).toBe(200);
    }
    at('2026-12-07T16:00:00Z');
    expect((await withSession(t.as('anonymous').get('/v1/customers'), second)).status).toBe(401);

    const third = await signIn('lea.credit@client.example');
    const out = await withSession(t.as('anonymous').delete('/v1/sessions/current'), cookieOf(third).value, third.body.csrfToken);
    expect(out.status).toBe(204);
    expect((await withSession(t.as('anonymous').get('/v1/customers'), cookieOf(third).value)).status).toBe(401);

    const fourth = await signIn('paul.sales@client.example');
    const users = await t.as('admin').get('/v1/users');
    const paul = users.body.items.find((u: { email: string }) => u.email === 'paul.sales@client.example');
    expect((await t.as('admin').patch(`/v1/users/${paul.id}`, { disabled: true })).body.disabled).toBe(true);
    expect((await withSession(t.as('anonymous').get('/v1/customers'), cookieOf(fourth).value)).status).toBe(401);
    expect((await signIn('paul.sales@client.example')).status).toBe(401);
    await t.as('admin').patch(`/v1/users/${paul.id}`, { disabled: false }).expect(200);
  });

  it('limits failed sign-ins per e-mail and per address (429 with Retry-After) over a sliding window', async () => {
    at('2026-12-07T17:00:00Z');
    for (let i = 0; i < 3; i++) expect((await signIn('lea.credit@client.example', 'wrong')).status).toBe(401);
    const limited = await signIn('lea.credit@client.example');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('too_many_sign_ins');
    expect(Number(limited.headers['retry-after'])).toBe(900);
    at('2026-12-07T17:15:01Z');
    expect((await signIn('lea.credit@client.example')).status).toBe(201);
    // From one address, failures on several e-mails add up.
    for (const email of ['a@x.example', 'b@x.example', 'c@x.example', 'd@x.example', 'e@x.example', 'f@x.example']) expect((await signIn(email)).status).toBe(401);
    expect((await signIn('paul.sales@client.example')).status).toBe(429);
    at('2026-12-07T17:31:00Z');
    expect((await signIn('paul.sales@client.example')).status).toBe(201);
  });
});

describe('the sign-in page (login CSRF)', () => {
  const loginPage = async () => {
    const page = await t.as('anonymous').get('/login').expect(200);
    const token = /name="_csrf" value="([\w-]+)"/.exec(page.text)![1]!;
    const cookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('vigie_login='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    return { token, cookie: cookie.split(';')[0]! };
  };
  const post = (fields: Record<string, string>, headers: Record<string, string> = {}) => {
    const req = t.as('anonymous').post('/login').type('form').send(new URLSearchParams(fields).toString());
    for (const [k, v] of Object.entries(headers)) req.set(k, v);
    return req;
  };
  const creds = { email: 'paul.sales@client.example', password: PASSWORD, next: '/' };

  it('signs in with the token of the page and its cookie', async () => {
    const { token, cookie } = await loginPage();
    const res = await post({ ...creds, _csrf: token }, { Cookie: cookie, 'Sec-Fetch-Site': 'same-origin' });
    expect(res.status).toBe(303);
    expect(cookieOf(res).value).toMatch(/^vigie_session=/);
  });

  it('refuses a cross-site POST (403, no session): no token, a token without its cookie, another site, another origin', async () => {
    const { token, cookie } = await loginPage();
    const attempts = [
      post(creds),
      post({ ...creds, _csrf: token }),
      post({ ...creds, _csrf: 'x'.repeat(32) }, { Cookie: cookie }),
      post({ ...creds, _csrf: token }, { Cookie: cookie, 'Sec-Fetch-Site': 'cross-site' }),
      post({ ...creds, _csrf: token }, { Cookie: cookie, 'Sec-Fetch-Site': 'same-site' }),
      post({ ...creds, _csrf: token }, { Cookie: cookie, Origin: 'https://evil.example' }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith('vigie_session='))).toBe(false);
      expect(res.text).toContain('Connexion refusée');
    }
  });
});

describe('changing one\'s own password', () => {
  it('needs the current one (counted as a failed sign-in when wrong), ends the other sessions, keeps this one; a key has none', async () => {
    at('2026-12-07T18:00:00Z');
    await t.as('admin').post('/v1/users', { email: 'nina@client.example', name: 'Nina', role: 'collector', password: PASSWORD }).expect(201);
    const other = await signIn('nina@client.example');
    const mine = await signIn('nina@client.example');
    const change = (body: unknown, csrf = mine.body.csrfToken) => withSession(t.as('anonymous').put('/v1/sessions/current/password', body), cookieOf(mine).value, csrf);
    const NEW = 'a new and longer passphrase';

    const wrong = await change({ currentPassword: 'not it', password: NEW });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details).toEqual([{ field: 'body.currentPassword', message: 'the current password is wrong' }]);
    const short = await change({ currentPassword: PASSWORD, password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.details.map((d: { field: string }) => d.field)).toEqual(['body.password']);
    expect((await change({ currentPassword: PASSWORD, password: NEW }, 'not-the-token')).status).toBe(403);
    expect((await t.as('collector').put('/v1/sessions/current/password', { currentPassword: PASSWORD, password: NEW })).status).toBe(404);
    // Nothing changed so far.
    expect((await signIn('nina@client.example')).status).toBe(201);

    const done = await change({ currentPassword: PASSWORD, password: NEW });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ email: 'nina@client.example' });
    expect((await withSession(t.as('anonymous').get('/v1/sessions/current'), cookieOf(mine).value)).status).toBe(200);
    expect((await withSession(t.as('anonymous').get('/v1/sessions/current'), cookieOf(other).value)).status).toBe(401);
    expect((await signIn('nina@client.example')).status).toBe(401);
    expect((await signIn('nina@client.example', NEW)).status).toBe(201);
    const audit = await t.as('admin').get('/v1/audit?entityType=user');
    expect(audit.body.items.find((e: { action: string }) => e.action === 'user.password_changed')).toMatchObject({ actor: 'nina@client.example' });

    // Wrong current passwords count as failed sign-ins: the limit applies to this form too.
    for (let i = 0; i < 3; i++) expect((await change({ currentPassword: 'still not it', password: NEW })).status).toBe(400);
    expect((await change({ currentPassword: 'still not it', password: NEW })).status).toBe(429);
  });
});

describe('the first admin account', () => {
  it('is created once when several processes start at once, and never when a user exists', async () => {
    const fresh = await createTestApp({}, { now: '2026-12-07T09:00:00Z' });
    try {
      const { users } = fresh.container.services;
      const made = await Promise.all([users.createFirstAdmin('admin@vigie.local'), users.createFirstAdmin('admin@vigie.local'), users.createFirstAdmin('other@vigie.local')]);
      expect(made.filter((m) => m !== null)).toHaveLength(1);
      expect(await users.count()).toBe(1);
      expect(await users.createFirstAdmin('late@vigie.local')).toBeNull();
      const created = made.find((m) => m !== null)!;
      expect(created.user.role).toBe('admin');
      expect((await supertestSignIn(fresh, created.user.email, created.password)).status).toBe(201);
    } finally {
      await fresh.close();
    }
  });
});

const supertestSignIn = (app: TestApp, email: string, password: string) => app.as('anonymous').post('/v1/sessions', { email, password });

describe('npm run users', () => {
  // The command line opens the configured database: a server test database only (counted as skipped on the embedded pass).
  it.skipIf(!testServerUrl())('creates an account and prints its password once', async () => {
    const out = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/users.ts', 'create', '--role', 'collector', '--email', 'Marie@Client.example'], {
      env: { ...process.env, DATABASE_URL: t.container.database.connectionString, LOG_LEVEL: 'silent' },
      encoding: 'utf8',
    });
    expect(out.status, out.stderr).toBe(0);
    const password = out.stdout.trim().split('\n').pop()!;
    expect(out.stdout).toContain('Created marie@client.example (role collector');
    at('2026-12-07T18:00:00Z');
    expect((await signIn('marie@client.example', password)).status).toBe(201);
  });
});
