import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import { z } from 'zod';
import type { DB, UsersTable } from '../db/schema.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { Clock } from '../clock.js';
import { Conflict, InvalidInput, NotFound, RateLimited, Unauthenticated } from '../errors.js';
import { generatePassword, hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './passwords.js';

export const USER_ROLES = ['sales', 'collector', 'credit_manager', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
type UserRow = Selectable<UsersTable>;

const email = z.string().trim().toLowerCase().max(254).email('an e-mail address');
const password = z.string().min(12, 'at least 12 characters').max(200);
export const createUserBody = z.strictObject({
  email,
  name: z.string().trim().min(1).max(200),
  role: z.enum(USER_ROLES),
  password: password.optional().describe('Left out, one is generated and shown once'),
});
export const updateUserBody = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  role: z.enum(USER_ROLES).optional(),
  disabled: z.boolean().optional(),
});
export const passwordBody = z.strictObject({ password });
export const ownPasswordBody = z.strictObject({ currentPassword: z.string().min(1).max(200), password });
export const signInBody = z.strictObject({ email, password: z.string().min(1).max(200) });

export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
  createdBy: string;
}

export interface SessionContext {
  auth: AuthContext;
  user: UserView;
  csrfToken: string;
  expiresAt: Date;
}

const view = (r: UserRow): UserView => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role,
  disabled: r.disabled_at !== null,
  createdAt: new Date(r.created_at).toISOString(),
  createdBy: r.created_by,
});
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * People and their sessions. Passwords are kept as scrypt hashes; a session is a random token in
 * an HTTP-only cookie of which only the SHA-256 is stored, with its CSRF token, an idle expiry
 * (extended as the session is used) and an absolute one. Failed sign-ins are counted per e-mail and
 * per address over a window (in the database, so every process counts them); past the limit the
 * answer is 429 until the window slides. Disabling a user, changing its role or its password ends
 * its sessions.
 */
export class UsersService {
  constructor(
    private readonly o: {
      db: Kysely<DB>;
      audit: AuditService;
      clock: Clock;
      sessionTtlMs: number;
      sessionIdleMs: number;
      signIn: { windowMs: number; maxPerEmail: number; maxPerAddress: number };
    },
  ) {}

  async count(): Promise<number> {
    const r = await this.o.db.selectFrom('users').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async list(): Promise<UserView[]> {
    return (await this.o.db.selectFrom('users').selectAll().orderBy('email').execute()).map(view);
  }

  async get(id: string): Promise<UserView> {
    const r = await this.o.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No user ${id}`, 'user_not_found');
    return view(r);
  }

  async create(input: z.output<typeof createUserBody>, actor: AuthContext): Promise<{ user: UserView; password: string | null }> {
    const generated = input.password === undefined ? generatePassword() : null;
    const hash = await hashPassword(input.password ?? generated!);
    const now = this.o.clock.now();
    const row = await this.o.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('users').select('id').where(sql`lower(email)`, '=', input.email).executeTakeFirst();
      if (exists) throw new Conflict(`A user with the e-mail ${input.email} exists`, 'user_exists', [{ field: 'body.email', message: 'taken' }]);
      const r = await trx
        .insertInto('users')
        .values({ email: input.email, name: input.name, role: input.role, password_hash: hash, created_at: now, created_by: actor.name, password_changed_at: now })
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.o.audit.record({ actor, action: 'user.created', entityType: 'user', entityId: r.id, oldValue: null, newValue: { email: r.email, name: r.name, role: r.role } }, trx);
      return r;
    });
    return { user: view(row), password: generated };
  }

  /**
   * The first admin account, when no user exists (first start): one statement, so that two
   * processes starting at once create it once. Null when a user already exists.
   */
  async createFirstAdmin(emailAddress: string): Promise<{ user: UserView; password: string } | null> {
    const password = generatePassword();
    const hash = await hashPassword(password);
    const now = this.o.clock.now();
    const row = await this.o.db.transaction().execute(async (trx) => {
      // One process at a time: "no user yet" and the insert are then true together (two processes
      // starting with different admin e-mails would otherwise both see no user and both insert).
      await sql`SELECT pg_advisory_xact_lock(hashtext('vigie.first-admin'))`.execute(trx);
      const { rows } = await sql<UserRow>`
        INSERT INTO users (email, name, role, password_hash, created_at, created_by, password_changed_at)
        SELECT ${emailAddress.trim().toLowerCase()}, 'Administrator', 'admin', ${hash}, ${now}, 'first-start', ${now}
         WHERE NOT EXISTS (SELECT 1 FROM users)
        ON CONFLICT DO NOTHING
        RETURNING *`.execute(trx);
      const r = rows[0];
      if (r) {
        await this.o.audit.record(
          { actor: { keyId: null, name: 'first-start', role: 'admin' }, action: 'user.created', entityType: 'user', entityId: r.id, oldValue: null, newValue: { email: r.email, name: r.name, role: r.role } },
          trx,
        );
      }
      return r;
    });
    if (!row) return null;
    return { user: view(row), password };
  }

  async update(id: string, input: z.output<typeof updateUserBody>, actor: AuthContext): Promise<UserView> {
    const now = this.o.clock.now();
    const row = await this.o.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
      if (!before) throw new NotFound(`No user ${id}`, 'user_not_found');
      if (before.id === actor.userId && (input.disabled === true || (input.role && input.role !== 'admin'))) {
        throw InvalidInput.field(input.disabled ? 'body.disabled' : 'body.role', 'you may not disable yourself or drop your own admin role');
      }
      const r = await trx
        .updateTable('users')
        .set({
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.role !== undefined ? { role: input.role } : {}),
          ...(input.disabled !== undefined ? { disabled_at: input.disabled ? (before.disabled_at ?? now) : null } : {}),
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (r.role !== before.role || (r.disabled_at !== null && before.disabled_at === null)) await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await this.o.audit.record({ actor, action: 'user.changed', entityType: 'user', entityId: id, oldValue: view(before), newValue: input }, trx);
      return r;
    });
    return view(row);
  }

  async setPassword(id: string, newPassword: string, actor: AuthContext): Promise<UserView> {
    const hash = await hashPassword(newPassword);
    const row = await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('users').set({ password_hash: hash, password_changed_at: this.o.clock.now() }).where('id', '=', id).returningAll().executeTakeFirst();
      if (!r) throw new NotFound(`No user ${id}`, 'user_not_found');
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await this.o.audit.record({ actor, action: 'user.password_set', entityType: 'user', entityId: id, oldValue: null, newValue: null }, trx);
      return r;
    });
    return view(row);
  }

  /**
   * A person changes their own password: the current one first (a wrong one counts as a failed
   * sign-in, under the same limits), then every other session of theirs ends; the one in use stays.
   */
  async changeOwnPassword(actor: AuthContext, input: z.output<typeof ownPasswordBody>, keepToken: string | null, from: { ip: string }): Promise<UserView> {
    if (!actor.userId) throw InvalidInput.field('auth', 'an API key has no password: sign in as a person', 'not_a_user');
    const user = await this.o.db.selectFrom('users').selectAll().where('id', '=', actor.userId).executeTakeFirst();
    if (!user) throw new NotFound(`No user ${actor.userId}`, 'user_not_found');
    await this.assertNotLimited(user.email, from.ip);
    if (!(await verifyPassword(input.currentPassword, user.password_hash ?? UNKNOWN_USER_HASH))) {
      await this.o.db.insertInto('sign_in_failures').values({ email: user.email, ip: from.ip, at: this.o.clock.now() }).execute();
      throw InvalidInput.field('body.currentPassword', 'the current password is wrong', 'wrong_password');
    }
    const hash = await hashPassword(input.password);
    const row = await this.o.db.transaction().execute(async (trx) => {
      const r = await trx.updateTable('users').set({ password_hash: hash, password_changed_at: this.o.clock.now() }).where('id', '=', user.id).returningAll().executeTakeFirstOrThrow();
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).where('token_hash', '<>', keepToken ? sha256(keepToken) : '').execute();
      await this.o.audit.record({ actor, action: 'user.password_changed', entityType: 'user', entityId: user.id, oldValue: null, newValue: null }, trx);
      return r;
    });
    return view(row);
  }

  /** Refuses a sign-in (or a password check) while an e-mail or an address has too many recent failures. */
  private async assertNotLimited(email: string, ip: string): Promise<void> {
    const now = this.o.clock.now();
    const since = new Date(now.getTime() - this.o.signIn.windowMs);
    const [{ rows: byEmail }, { rows: byIp }] = await Promise.all([
      sql<{ n: string; first: Date | null }>`SELECT count(*) AS n, min(at) AS first FROM sign_in_failures WHERE email = ${email} AND at > ${since}`.execute(this.o.db),
      sql<{ n: string; first: Date | null }>`SELECT count(*) AS n, min(at) AS first FROM sign_in_failures WHERE ip = ${ip} AND at > ${since}`.execute(this.o.db),
    ]);
    const limited = [
      { n: Number(byEmail[0]!.n), first: byEmail[0]!.first, max: this.o.signIn.maxPerEmail },
      { n: Number(byIp[0]!.n), first: byIp[0]!.first, max: this.o.signIn.maxPerAddress },
    ].find((c) => c.n >= c.max);
    if (limited) {
      const retry = Math.max(1, Math.ceil((new Date(limited.first!).getTime() + this.o.signIn.windowMs - now.getTime()) / 1000));
      throw new RateLimited(`Too many failed sign-ins: try again in ${retry} s`, retry, 'too_many_sign_ins');
    }
  }

  /** Checks the password (as long for an unknown e-mail), counts failures, and opens a session. */
  async signIn(input: z.output<typeof signInBody>, from: { ip: string; userAgent: string | null }): Promise<{ token: string } & SessionContext> {
    const now = this.o.clock.now();
    await this.assertNotLimited(input.email, from.ip);
    const user = await this.o.db.selectFrom('users').selectAll().where(sql`lower(email)`, '=', input.email).executeTakeFirst();
    const ok = await verifyPassword(input.password, user?.password_hash ?? UNKNOWN_USER_HASH);
    if (!user || !ok || user.disabled_at !== null) {
      await this.o.db.insertInto('sign_in_failures').values({ email: input.email, ip: from.ip, at: now }).execute();
      throw new Unauthenticated('Wrong e-mail or password', 'invalid_credentials');
    }
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const expiresAt = new Date(now.getTime() + this.o.sessionTtlMs);
    await this.o.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sign_in_failures').where('email', '=', input.email).execute();
      await trx.deleteFrom('sessions').where('expires_at', '<', now).execute();
      await trx
        .insertInto('sessions')
        .values({ token_hash: sha256(token), user_id: user.id, csrf_token: csrfToken, created_at: now, last_seen_at: now, expires_at: expiresAt, ip: from.ip, user_agent: from.userAgent?.slice(0, 300) ?? null })
        .execute();
    });
    return { token, csrfToken, expiresAt, user: view(user), auth: authOf(user) };
  }

  /** The session of a cookie's token: null when unknown, expired, idle too long, or its user disabled. Used, its idle expiry moves on. */
  async session(token: string): Promise<SessionContext | null> {
    const now = this.o.clock.now();
    const r = await this.o.db
      .selectFrom('sessions as s')
      .innerJoin('users as u', 'u.id', 's.user_id')
      .select(['s.token_hash', 's.csrf_token', 's.last_seen_at', 's.expires_at', 'u.id', 'u.email', 'u.name', 'u.role', 'u.disabled_at', 'u.created_at', 'u.created_by', 'u.password_hash', 'u.password_changed_at'])
      .where('s.token_hash', '=', sha256(token))
      .executeTakeFirst();
    if (!r) return null;
    const idleUntil = new Date(r.last_seen_at).getTime() + this.o.sessionIdleMs;
    if (r.disabled_at !== null || new Date(r.expires_at) <= now || idleUntil <= now.getTime()) {
      await this.o.db.deleteFrom('sessions').where('token_hash', '=', r.token_hash).execute();
      return null;
    }
    // Seen again: written at most once a minute.
    if (now.getTime() - new Date(r.last_seen_at).getTime() > 60_000) {
      await this.o.db.updateTable('sessions').set({ last_seen_at: now }).where('token_hash', '=', r.token_hash).execute();
    }
    const user = { id: r.id, email: r.email, name: r.name, role: r.role, disabled_at: r.disabled_at, created_at: r.created_at, created_by: r.created_by, password_hash: r.password_hash, password_changed_at: r.password_changed_at };
    return { auth: authOf(user), user: view(user), csrfToken: r.csrf_token, expiresAt: new Date(r.expires_at) };
  }

  async signOut(token: string): Promise<void> {
    await this.o.db.deleteFrom('sessions').where('token_hash', '=', sha256(token)).execute();
  }
}

function authOf(u: Pick<UserRow, 'id' | 'email' | 'role'>): AuthContext {
  return { keyId: null, userId: u.id, name: u.email, role: u.role };
}
