import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

/**
 * A real SMTP server on 127.0.0.1 for benchmarks, in its own process (so receiving does not share
 * the service's event loop): accepts every message, counts them, prints its port, then the count
 * on each line "count" read from stdin.
 */
let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('end', () => {
      received++;
      callback();
    });
    stream.resume();
  },
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`port ${(server.server.address() as AddressInfo).port}\n`);
});
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d: string) => {
  for (const line of d.split('\n')) if (line.trim() === 'count') process.stdout.write(`count ${received}\n`);
});
process.stdin.on('end', () => server.close(() => process.exit(0)));
