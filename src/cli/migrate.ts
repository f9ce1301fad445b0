import { loadConfigOrExit } from '../config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

const config = loadConfigOrExit();
const database = await openDatabase({
  databaseUrl: config.DATABASE_URL,
  dataDir: config.VIGIE_DATA_DIR,
  poolSize: 2,
  embeddedConnections: config.EMBEDDED_DB_CONNECTIONS,
});
try {
  const applied = await migrateToLatest(database.db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await database.close();
}
