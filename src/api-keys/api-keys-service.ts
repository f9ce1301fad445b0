import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Conflict, NotFound } from '../errors.js';
import type { ApiKeyRow } from '../db/schema.js';
import type { ApiKeysStore } from './api-keys-store.js';
import type { AuditService } from '../audit/audit-service.js';
import type { AuthContext, Role } from './roles.js';
import type { Clock } from '../clock.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  createdBy: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const view = (row: ApiKeyRow): ApiKeyView => ({
  id: row.id,
  name: row.name,
  role: row.role as Role,
  prefix: row.prefix,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
});

const CACHE_TTL_MS = 10_000;
const TOUCH_EVERY_MS = 60_000;

/**
 * API keys are random 32-byte secrets; only their SHA-256 is stored (a slow hash adds nothing for
 * secrets of that entropy and would cost every request). Verified keys are cached for a few
 * seconds so the order-check hot path does not read the key table on every call; a revocation
 * in this process takes effect at once, in other processes within CACHE_TTL_MS.
 */
export class ApiKeysService {
  private readonly cache = new Map<string, { ctx: AuthContext; expires: number }>();
  private readonly lastTouch = new Map<string, number>();
  private readonly adminKeyHash: Buffer | undefined;

  constructor(
    private readonly store: ApiKeysStore,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    bootstrapAdminKey: string | undefined,
  ) {
    this.adminKeyHash = bootstrapAdminKey ? Buffer.from(sha256(bootstrapAdminKey), 'hex') : undefined;
  }

  async create(input: { name: string; role: Role }, actor: AuthContext): Promise<{ key: string; apiKey: ApiKeyView }> {
    if (await this.store.findActiveByName(input.name)) {
      throw new Conflict(`name: an active API key named "${input.name}" already exists`, 'api_key_name_taken', [
        { field: 'name', message: 'already used by an active key' },
      ]);
    }
    const prefix = randomBytes(4).toString('hex');
    const key = `vg_${prefix}_${randomBytes(32).toString('base64url')}`;
    const row = await this.store.insert({
      name: input.name,
      role: input.role,
      prefix: `vg_${prefix}`,
      secret_hash: sha256(key),
      created_by: actor.name,
    });
    await this.audit.record({
      actor,
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: row.id,
      newValue: { name: row.name, role: row.role, prefix: row.prefix },
    });
    return { key, apiKey: view(row) };
  }

  async list(includeRevoked = false): Promise<ApiKeyView[]> {
    return (await this.store.list(includeRevoked)).map(view);
  }

  async revoke(id: string, actor: AuthContext): Promise<ApiKeyView> {
    const row = await this.store.revoke(id, actor.name, this.clock.now());
    if (!row) {
      const existing = await this.store.findById(id);
      throw existing ? new Conflict('This API key is already revoked', 'api_key_revoked') : new NotFound(`No API key ${id}`);
    }
    this.cache.delete(row.secret_hash);
    await this.audit.record({
      actor,
      action: 'api_key.revoked',
      entityType: 'api_key',
      entityId: row.id,
      oldValue: { name: row.name, role: row.role, revokedAt: null },
      newValue: { revokedAt: row.revoked_at },
    });
    return view(row);
  }

  /** Returns who holds this key, or undefined when it is unknown or revoked. */
  async authenticate(presented: string): Promise<AuthContext | undefined> {
    const hash = sha256(presented);
    if (this.adminKeyHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminKeyHash)) {
      return { keyId: null, name: 'bootstrap-admin', role: 'admin' };
    }
    const now = this.clock.now().getTime();
    const cached = this.cache.get(hash);
    if (cached && cached.expires > now) return cached.ctx;
    const row = await this.store.findActiveByHash(hash);
    if (!row) {
      this.cache.delete(hash);
      return undefined;
    }
    const ctx: AuthContext = { keyId: row.id, name: row.name, role: row.role as Role };
    this.cache.set(hash, { ctx, expires: now + CACHE_TTL_MS });
    if ((this.lastTouch.get(row.id) ?? 0) + TOUCH_EVERY_MS < now) {
      this.lastTouch.set(row.id, now);
      await this.store.touch(row.id, new Date(now));
    }
    return ctx;
  }
}
