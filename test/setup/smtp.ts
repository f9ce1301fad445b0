import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';

export interface TestSmtp {
  url: string;
  messages: ParsedMail[];
  /** Envelope recipients of each message, in order. */
  recipients: string[][];
  /** The next `n` messages (to `recipient` only, when given) are refused with a 451 (temporary) answer. */
  failNext(n: number, recipient?: string): void;
  close(): Promise<void>;
}

/** A real SMTP server on 127.0.0.1 (smtp-server) that keeps what it receives, parsed (mailparser). */
export async function startSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const recipients: string[][] = [];
  let failures = 0;
  let failFor: string | undefined;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0 && (!failFor || session.envelope.rcptTo.some((r) => r.address === failFor))) {
          failures--;
          const err = Object.assign(new Error('mailbox temporarily unavailable'), { responseCode: 451 });
          callback(err);
          return;
        }
        simpleParser(Buffer.concat(chunks))
          .then((parsed) => {
            messages.push(parsed);
            recipients.push(session.envelope.rcptTo.map((r) => r.address));
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    recipients,
    failNext(n, recipient) {
      failures = n;
      failFor = recipient;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
