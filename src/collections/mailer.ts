import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

/** One message as the outbox stores it. */
export interface OutgoingMail {
  from: string;
  to: string[];
  cc: string[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  date: Date;
}

const options = (m: OutgoingMail): Mail.Options => ({
  from: m.from,
  to: m.to,
  ...(m.cc.length ? { cc: m.cc } : {}),
  ...(m.replyTo ? { replyTo: m.replyTo } : {}),
  subject: m.subject,
  text: m.text,
  html: m.html,
  messageId: m.messageId,
  date: m.date,
});

/** The message in RFC 5322 form (a .eml file), exactly as it is (or would be) sent. */
export function toEml(m: OutgoingMail): Promise<Buffer> {
  return new MailComposer(options(m)).compile().build();
}

/** Sends through SMTP (nodemailer, pooled connections); absent when no SMTP_URL is configured. */
export class Mailer {
  private readonly transport: ReturnType<typeof nodemailer.createTransport>;

  constructor(url: string, opts: { poolSize: number; timeoutMs: number }) {
    const u = new URL(url);
    this.transport = nodemailer.createTransport({
      host: u.hostname,
      port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
      secure: u.protocol === 'smtps:',
      ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
      pool: true,
      maxConnections: opts.poolSize,
      maxMessages: Infinity,
      connectionTimeout: opts.timeoutMs,
      greetingTimeout: opts.timeoutMs,
      socketTimeout: opts.timeoutMs,
      // STARTTLS when the server offers it; a server on 127.0.0.1 without TLS is accepted.
      tls: { rejectUnauthorized: u.searchParams.get('tlsRejectUnauthorized') !== 'false' },
    });
  }

  /** Resolves when the server accepted the message for every recipient; rejects with its answer otherwise. */
  async send(m: OutgoingMail): Promise<void> {
    const info = (await this.transport.sendMail(options(m))) as { rejected?: unknown[]; response?: string };
    if (info.rejected && info.rejected.length > 0) throw new Error(`rejected recipients: ${info.rejected.map(String).join(', ')} (${info.response ?? ''})`);
  }

  close(): void {
    this.transport.close();
  }
}
