import { loadConfigOrExit } from './config.js';
import { createContainer } from './container.js';

/**
 * A job worker without the HTTP server (`npm run worker`). Several can run against one database:
 * Agenda locks each job run in PostgreSQL, so each run happens once. With the embedded database
 * it joins the PGlite served by a running `npm start`, or starts its own.
 */
const config = loadConfigOrExit();
const container = await createContainer(config);
await container.startJobs();
container.logger.info({ database: container.database.mode }, 'Vigie worker started');

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  container.logger.info({ signal }, 'worker shutting down');
  await container.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
