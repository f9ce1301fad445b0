import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.js';
import { createContainer } from '../container.js';
import { ROLES, type Role } from '../api-keys/roles.js';

const usage = `Usage:
  npm run keys -- create --role <${ROLES.join('|')}> --name <name>
  npm run keys -- list [--all]
  npm run keys -- revoke --id <key id>`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, name: { type: 'string' }, id: { type: 'string' }, all: { type: 'boolean' } },
});
const command = positionals[0];
if (!command || !['create', 'list', 'revoke'].includes(command)) {
  console.error(usage);
  process.exit(64);
}
if (command === 'create' && (!values.role || !ROLES.includes(values.role as Role) || !values.name)) {
  console.error(`--role must be one of ${ROLES.join(', ')} and --name is required\n${usage}`);
  process.exit(64);
}

const config = loadConfigOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const container = await createContainer(config);
const actor = { keyId: null, name: `cli:${process.env.USER ?? 'local'}`, role: 'admin' as const };
try {
  const { apiKeys } = container.services;
  if (command === 'create') {
    const { key, apiKey } = await apiKeys.create({ name: values.name!, role: values.role as Role }, actor);
    console.log(`Created API key "${apiKey.name}" (role ${apiKey.role}, id ${apiKey.id}).`);
    console.log('The secret is shown once; store it now:\n');
    console.log(key);
  } else if (command === 'list') {
    for (const k of await apiKeys.list(values.all ?? false)) {
      console.log(`${k.id}  ${k.prefix}…  ${k.role.padEnd(14)} ${k.name}${k.revokedAt ? `  (revoked ${k.revokedAt})` : ''}`);
    }
  } else {
    if (!values.id) throw new Error('--id is required');
    const k = await apiKeys.revoke(values.id, actor);
    console.log(`Revoked ${k.name} (${k.id}).`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await container.close();
}
