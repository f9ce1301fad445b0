import type { Server } from 'node:http';
import { loadConfigOrExit } from './config.js';
import { createContainer } from './container.js';

/** Process start: the HTTP service, with the job scheduler in-process unless JOBS_IN_PROCESS=false. */
const config = loadConfigOrExit();
const container = await createContainer(config);
const { logger } = container;

// First run with no key at all: make one admin key so the API is usable, and show it once.
if (!config.VIGIE_ADMIN_KEY && (await container.services.apiKeys.list()).length === 0) {
  const { key } = await container.services.apiKeys.create(
    { name: 'initial-admin', role: 'admin' },
    { keyId: null, name: 'first-start', role: 'admin' },
  );
  process.stdout.write(
    `\nNo API key existed, so an admin key was created. It is shown only this once:\n\n  ${key}\n\n` +
      'Use it as "Authorization: Bearer <key>", create narrower keys with POST /v1/api-keys or `npm run keys`, and revoke this one when done.\n\n',
  );
}

// First run with no user: make the first admin account for the web application, and show its password once.
// (One statement: two processes starting at once create it once.)
const first = (await container.services.users.count()) === 0 ? await container.services.users.createFirstAdmin(config.VIGIE_ADMIN_EMAIL) : null;
if (first) {
  const { user, password } = first;
  process.stdout.write(
    `\nNo user existed, so an admin account was created: ${user.email}. Its password is shown only this once:\n\n  ${password}\n\n` +
      'Sign in with it (POST /v1/sessions), create accounts for people with `npm run users` or POST /v1/users, and change it.\n\n',
  );
}

if (config.JOBS_IN_PROCESS) await container.startJobs();

const server: Server = container.app.listen(config.PORT, config.HOST, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(
    { port, database: container.database.mode, jobs: config.JOBS_IN_PROCESS ? 'in-process' : 'separate worker' },
    `Vigie listening on http://localhost:${port} (API docs at /docs)`,
  );
});
server.keepAliveTimeout = 65_000;

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  const timer = setTimeout(() => process.exit(1), 15_000);
  timer.unref();
  // Answer the requests already in flight (order checks queued for the next round trip among
  // them) before the database closes; new connections are refused meanwhile.
  const drained = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await drained;
  await container.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
