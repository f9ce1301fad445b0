import { createReadStream } from 'node:fs';
import { loadConfigOrExit } from '../config.js';
import { createContainer } from '../container.js';
import { createLogger } from '../logger.js';
import { DomainError } from '../errors.js';
import { detectFecEncoding } from '../fec/fec-parser.js';

/** npm run import:fec -- <file> [--as-of YYYY-MM-DD] [--create-customers]: the same import as POST /v1/imports/fec. */
const args = process.argv.slice(2);
const asOfAt = args.indexOf('--as-of');
const file = args.find((a, i) => !a.startsWith('--') && (asOfAt < 0 || i !== asOfAt + 1));
const createCustomers = args.includes('--create-customers');
const asOf = asOfAt >= 0 ? args[asOfAt + 1] : undefined;
if (!file || (asOfAt >= 0 && !/^\d{4}-\d{2}-\d{2}$/.test(asOf ?? ''))) {
  console.error('usage: npm run import:fec -- <file> [--as-of YYYY-MM-DD] [--create-customers]');
  process.exit(64);
}
const config = loadConfigOrExit();
const container = await createContainer({ ...config, JOBS_IN_PROCESS: false }, { logger: createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL), collectDefaultMetrics: false });
try {
  const encoding = await detectFecEncoding(createReadStream(file));
  const report = await container.services.fec.import(createReadStream(file), { asOf, encoding, createCustomers }, { keyId: null, name: 'cli:import-fec', role: 'admin' });
  process.stdout.write(`${JSON.stringify({ ...report, reconciliation: { matches: report.reconciliation.matches, mismatches: report.reconciliation.customers.filter((c) => c.difference !== 0) } }, null, 2)}\n`);
  process.exitCode = report.reconciliation.matches ? 0 : 2;
} catch (err) {
  if (err instanceof DomainError) {
    console.error(err.message);
    process.exitCode = 1;
  } else throw err;
} finally {
  await container.close();
}
