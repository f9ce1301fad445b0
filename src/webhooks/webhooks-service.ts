import { randomBytes } from 'node:crypto';
import axios from 'axios';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DeliveryRow, WebhookRow, WebhooksStore } from './webhooks-store.js';
import { InvalidInput, NotFound } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AuthContext } from '../api-keys/roles.js';
import type { AuditService } from '../audit/audit-service.js';
import { signatureHeader } from './webhook-signature.js';
import { assertPublicTarget, guardedLookup, WebhookTargetError } from './webhook-target.js';
import net from 'node:net';


/** Retries back off from a minute, doubling up to an hour, for a day; then the delivery is failed. */
export const RETRY_FOR_MS = 24 * 3_600_000;
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function webhookView(w: WebhookRow) {
  return { id: w.id, url: w.url, description: w.description, alertTypes: w.alert_types, active: w.active, createdAt: iso(w.created_at)!, createdBy: w.created_by };
}

function deliveryView(d: DeliveryRow) {
  return {
    id: d.id,
    alertId: d.alert_id,
    eventType: d.event_type,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    lastAttemptAt: iso(d.last_attempt_at),
    lastStatus: d.last_status,
    lastError: d.last_error,
    deliveredAt: iso(d.delivered_at),
    createdAt: iso(d.created_at)!,
  };
}

/** Webhook subscriptions and their deliveries: signed, retried with backoff for a day, logged. */
export interface WebhooksServiceOptions {
  db: Kysely<DB>;
  store: WebhooksStore;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
  timeoutMs?: number;
  /** Accept receivers on loopback, private and link-local addresses (on-premises installations). */
  allowInternalTargets?: boolean;
}

export class WebhooksService {
  private readonly db: Kysely<DB>;
  private readonly store: WebhooksStore;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly allowInternal: boolean;
  private readonly lookup: ReturnType<typeof guardedLookup>;

  constructor(options: WebhooksServiceOptions) {
    this.db = options.db;
    this.store = options.store;
    this.audit = options.audit;
    this.clock = options.clock;
    this.logger = options.logger;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.allowInternal = options.allowInternalTargets ?? false;
    this.lookup = guardedLookup(this.allowInternal);
  }

  async create(input: { url: string; description?: string | undefined; alertTypes: string[] }, actor: AuthContext) {
    try {
      await assertPublicTarget(input.url, this.allowInternal);
    } catch (err) {
      if (err instanceof WebhookTargetError) throw InvalidInput.field('body.url', err.message, 'webhook_target_forbidden');
      throw err;
    }
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    return this.db.transaction().execute(async (trx) => {
      const row = await this.store.insert({ url: input.url, description: input.description ?? null, secret, alert_types: input.alertTypes, created_by: actor.name }, trx);
      await this.audit.record({ actor, action: 'webhook.created', entityType: 'webhook', entityId: row.id, newValue: { url: row.url, alertTypes: row.alert_types } }, trx);
      // The secret is shown once, here; it is what receivers verify signatures with.
      return { ...webhookView(row), secret };
    });
  }

  async list() {
    return { items: (await this.store.list()).map(webhookView) };
  }

  async remove(id: string, actor: AuthContext) {
    await this.db.transaction().execute(async (trx) => {
      // Pending deliveries of a removed subscription are not sent.
      const row = await this.store.deactivate(id, trx);
      if (!row) throw new NotFound(`No active webhook ${id}`, 'webhook_not_found');
      await this.audit.record({ actor, action: 'webhook.removed', entityType: 'webhook', entityId: id, oldValue: { url: row.url } }, trx);
    });
  }

  async deliveries(webhookId: string, filter: { status?: DeliveryRow['status']; limit: number }) {
    if (!(await this.store.exists(webhookId))) throw new NotFound(`No webhook ${webhookId}`, 'webhook_not_found');
    return { items: (await this.store.deliveries(webhookId, filter)).map(deliveryView) };
  }

  /**
   * Sends the deliveries that are due. Each is leased first (its next attempt pushed out), so
   * several workers never send the same one at once; the lease is replaced by the outcome.
   */
  async deliverDue(limit = 100): Promise<{ delivered: number; retried: number; failed: number }> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + this.timeoutMs * 3);
    const rows = await this.store.leaseDue(now, lease, limit);
    const counts = { delivered: 0, retried: 0, failed: 0 };
    await Promise.all(
      rows.map(async (d) => {
        const at = this.clock.now();
        let status: number | null = null;
        let error: string | null = null;
        try {
          // Checked again at each delivery, on the address connected to: a name that resolved to a
          // public address at creation may point inside since (DNS rebinding).
          if (net.isIP(new URL(d.url).hostname.replace(/^\[|\]$/g, ''))) await assertPublicTarget(d.url, this.allowInternal);
          const res = await axios.post(d.url, d.body, {
            lookup: this.lookup,
            timeout: this.timeoutMs,
            headers: {
              'content-type': 'application/json',
              'user-agent': 'Vigie-Webhooks/1',
              'vigie-event': d.event_type,
              'vigie-delivery': d.id,
              'vigie-signature': signatureHeader(d.secret, d.body, at),
            },
            validateStatus: () => true,
            maxRedirects: 0,
            transformRequest: [(data: string) => data],
          });
          status = res.status;
          if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
        } catch (err) {
          error = (err as Error).message;
        }
        const attempts = d.attempts + 1;
        if (!error) {
          counts.delivered++;
          await this.store.recordAttempt(d.id, { status: 'delivered', attempts, last_attempt_at: at, last_status: status, last_error: null, delivered_at: at });
          return;
        }
        const next = new Date(at.getTime() + retryDelayMs(attempts));
        const giveUp = next.getTime() > new Date(d.created_at).getTime() + RETRY_FOR_MS;
        if (giveUp) counts.failed++;
        else counts.retried++;
        this.logger.warn({ delivery: d.id, url: d.url, attempts, error }, giveUp ? 'webhook delivery failed for good' : 'webhook delivery failed, will retry');
        await this.store.recordAttempt(d.id, { status: giveUp ? 'failed' : 'pending', attempts, last_attempt_at: at, last_status: status, last_error: error, next_attempt_at: next });
      }),
    );
    return counts;
  }
}
