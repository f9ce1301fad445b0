import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, EmailMessagesTable, EmailStatus } from '../db/schema.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { NotFound } from '../errors.js';
import type { AlertInput } from '../alerts/alerts-service.js';
import { toEml, type Mailer, type OutgoingMail } from './mailer.js';

type EmailRow = Selectable<EmailMessagesTable>;
type Executor = Kysely<DB> | Transaction<DB>;

export interface NewEmail {
  customerId: string;
  actionId: string | null;
  to: string[];
  cc?: string[];
  subject: string;
  text: string;
  html: string;
}

export interface EmailView {
  id: string;
  customerId: string;
  actionId: string | null;
  to: string[];
  cc: string[];
  from: string;
  replyTo: string | null;
  subject: string;
  text: string;
  status: EmailStatus;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
  eml: string;
}

export function emailView(r: EmailRow): EmailView {
  return {
    id: r.id,
    customerId: r.customer_id,
    actionId: r.action_id,
    to: r.to_addresses,
    cc: r.cc_addresses,
    from: r.from_address,
    replyTo: r.reply_to,
    subject: r.subject,
    text: r.text_body,
    status: r.status,
    attempts: r.attempts,
    nextAttemptAt: r.status === 'pending' ? new Date(r.next_attempt_at).toISOString() : null,
    lastError: r.last_error,
    sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
    createdAt: new Date(r.created_at).toISOString(),
    eml: `/v1/collections/emails/${r.id}/eml`,
  };
}

const LEASE_MS = 5 * 60_000;

/**
 * The e-mail outbox. Reminders are written here in the transaction that decides them, then sent
 * (SMTP, nodemailer) by whichever process claims them (FOR UPDATE SKIP LOCKED, with a lease, so
 * several workers never send one twice unless one dies mid-send). A failure is retried after 1, 4,
 * 16… minutes; after SMTP_MAX_ATTEMPTS the e-mail is failed and an `email_failed` alert raised.
 * Without SMTP, messages stay `not_sent`: listed and downloadable as .eml, never dropped.
 */
export class EmailOutbox {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly options: {
      mailer: Mailer | null;
      from: string;
      replyTo: string | null;
      maxAttempts: number;
      clock: Clock;
      logger: Logger;
      raise: (alerts: AlertInput[], trx?: Executor) => Promise<unknown>;
    },
  ) {}

  get sending(): boolean {
    return this.options.mailer !== null;
  }

  /** Rows to insert for these messages (inside the caller's transaction); no recipient → failed at once. */
  rows(messages: readonly NewEmail[], now: Date): Array<Omit<EmailRow, 'seq' | 'id'> & { id: string }> {
    const domain = /@([^>\s]+)/.exec(this.options.from)?.[1] ?? 'vigie.local';
    return messages.map((m) => {
      const noRecipient = m.to.length === 0;
      return {
        id: randomUUID(),
        customer_id: m.customerId,
        action_id: m.actionId,
        to_addresses: m.to,
        cc_addresses: m.cc ?? [],
        from_address: this.options.from,
        reply_to: this.options.replyTo,
        subject: m.subject,
        text_body: m.text,
        html_body: m.html,
        message_id: `<${randomUUID()}@${domain}>`,
        status: noRecipient ? 'failed' : this.sending ? 'pending' : 'not_sent',
        attempts: 0,
        next_attempt_at: now,
        last_error: noRecipient ? 'no contact with an e-mail address for this customer' : null,
        sent_at: null,
        created_at: now,
      };
    });
  }

  async insert(messages: readonly NewEmail[], now: Date, trx: Executor): Promise<Array<{ id: string; status: EmailStatus; actionId: string | null; customerId: string }>> {
    if (messages.length === 0) return [];
    const rows = this.rows(messages, now);
    for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('email_messages').values(rows.slice(i, i + 1000)).execute();
    const failed = rows.filter((r) => r.status === 'failed');
    if (failed.length) await this.options.raise(failed.map((r) => failedAlert(r)), trx);
    return rows.map((r) => ({ id: r.id, status: r.status, actionId: r.action_id, customerId: r.customer_id }));
  }

  /** Sends what is due, batch after batch, until nothing is; returns counts. */
  async sendDue(batch = 500): Promise<{ sent: number; retried: number; failed: number }> {
    const counts = { sent: 0, retried: 0, failed: 0 };
    if (!this.options.mailer) return counts;
    for (;;) {
      const claimed = await this.claim(batch);
      if (claimed.length === 0) return counts;
      const c = await this.sendClaimed(claimed);
      counts.sent += c.sent;
      counts.retried += c.retried;
      counts.failed += c.failed;
      if (claimed.length < batch) return counts;
    }
  }

  private async claim(limit: number): Promise<EmailRow[]> {
    const now = this.options.clock.now();
    const { rows } = await sql<EmailRow>`
      UPDATE email_messages SET status = 'sending', next_attempt_at = ${new Date(now.getTime() + LEASE_MS)}
       WHERE id IN (SELECT id FROM email_messages
                     WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now}
                     ORDER BY next_attempt_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING *`.execute(this.db);
    return rows;
  }

  private async sendClaimed(rows: EmailRow[]): Promise<{ sent: number; retried: number; failed: number }> {
    const mailer = this.options.mailer!;
    const results = await Promise.all(
      rows.map(async (r) => {
        try {
          await mailer.send(outgoing(r));
          return { row: r, error: null as string | null };
        } catch (err) {
          return { row: r, error: (err as Error).message.slice(0, 500) };
        }
      }),
    );
    const now = this.options.clock.now();
    const sent = results.filter((x) => x.error === null).map((x) => x.row.id);
    const retry = results.filter((x) => x.error !== null && x.row.attempts + 1 < this.options.maxAttempts);
    const failed = results.filter((x) => x.error !== null && x.row.attempts + 1 >= this.options.maxAttempts);
    await this.db.transaction().execute(async (trx) => {
      if (sent.length) {
        await sql`UPDATE email_messages SET status = 'sent', attempts = attempts + 1, sent_at = ${now}, last_error = NULL WHERE id = ANY (${sent}::uuid[])`.execute(trx);
      }
      for (const x of retry) {
        // 1, 4, 16, 64… minutes after this attempt.
        const next = new Date(now.getTime() + 60_000 * 4 ** x.row.attempts);
        await sql`UPDATE email_messages SET status = 'pending', attempts = attempts + 1, next_attempt_at = ${next}, last_error = ${x.error} WHERE id = ${x.row.id}`.execute(trx);
      }
      for (const x of failed) {
        await sql`UPDATE email_messages SET status = 'failed', attempts = attempts + 1, last_error = ${x.error} WHERE id = ${x.row.id}`.execute(trx);
      }
      if (failed.length) await this.options.raise(failed.map((x) => failedAlert({ ...x.row, last_error: x.error })), trx);
      const updates = [
        ...results.filter((x) => x.error === null && x.row.action_id).map((x) => ({ actionId: x.row.action_id!, status: 'sent' as const })),
        ...failed.filter((x) => x.row.action_id).map((x) => ({ actionId: x.row.action_id!, status: 'failed' as const })),
      ];
      await this.syncActions(updates, trx);
    });
    if (retry.length || failed.length) this.options.logger.warn({ retried: retry.length, failed: failed.length, error: (retry[0] ?? failed[0])!.error }, 'collections e-mails: send failures');
    return { sent: sent.length, retried: retry.length, failed: failed.length };
  }

  /** A collections action's status follows its e-mail's (queued while pending or sending). */
  async syncActions(updates: ReadonlyArray<{ actionId: string; status: EmailStatus }>, trx: Executor): Promise<void> {
    if (updates.length === 0) return;
    const ids = updates.map((u) => u.actionId);
    const statuses = updates.map((u) => (u.status === 'pending' || u.status === 'sending' ? 'queued' : u.status));
    await sql`
      UPDATE collection_actions a SET status = v.status, updated_at = now()
        FROM unnest(${ids}::uuid[], ${statuses}::text[]) AS v(id, status)
       WHERE a.id = v.id`.execute(trx);
  }

  async list(filter: { customerId?: string | undefined; status?: EmailStatus | undefined; afterSeq?: number | undefined; limit: number }) {
    let q = this.db.selectFrom('email_messages').selectAll().orderBy('seq', 'desc').limit(filter.limit + 1);
    if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
    if (filter.status) q = q.where('status', '=', filter.status);
    if (filter.afterSeq !== undefined) q = q.where('seq', '<', filter.afterSeq);
    const rows = await q.execute();
    const page = rows.slice(0, filter.limit);
    return { items: page.map(emailView), nextCursor: rows.length > filter.limit ? String(page[page.length - 1]!.seq) : null };
  }

  async row(id: string): Promise<EmailRow> {
    const r = await this.db.selectFrom('email_messages').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw new NotFound(`No e-mail ${id}`, 'email_not_found');
    return r;
  }

  async eml(id: string): Promise<Buffer> {
    return toEml(outgoing(await this.row(id)));
  }

  /** The e-mail sent for a collections action, as .eml (null if none was sent). */
  async sentEml(actionId: string): Promise<Buffer | null> {
    const row = await this.db.selectFrom('email_messages').selectAll().where('action_id', '=', actionId).where('status', '=', 'sent').orderBy('seq', 'desc').executeTakeFirst();
    return row ? toEml(outgoing(row)) : null;
  }

  /** A failed or unsent e-mail queued again (after fixing the contact or the SMTP settings). */
  async retry(id: string): Promise<EmailView> {
    const r = await this.row(id);
    if (r.status === 'sent' || r.status === 'sending') return emailView(r);
    const updated = await this.db
      .updateTable('email_messages')
      .set({ status: this.sending ? 'pending' : 'not_sent', attempts: 0, next_attempt_at: this.options.clock.now(), last_error: null })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return emailView(updated);
  }
}

function outgoing(r: EmailRow): OutgoingMail {
  return {
    from: r.from_address,
    to: r.to_addresses,
    cc: r.cc_addresses,
    replyTo: r.reply_to,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    messageId: r.message_id,
    date: new Date(r.created_at),
  };
}

function failedAlert(r: { id: string; customer_id: string; subject: string; to_addresses: string[]; last_error: string | null; action_id: string | null }): AlertInput {
  return {
    type: 'email_failed',
    severity: 'medium',
    customerId: r.customer_id,
    dedupeKey: `email_failed:${r.id}`,
    message: `The reminder "${r.subject}" could not be sent${r.to_addresses.length ? ` to ${r.to_addresses.join(', ')}` : ''}: ${r.last_error ?? 'unknown error'}`,
    data: { emailId: r.id, actionId: r.action_id, error: r.last_error },
  };
}
