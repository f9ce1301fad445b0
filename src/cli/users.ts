import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.js';
import { createContainer } from '../container.js';
import { USER_ROLES, type UserRole } from '../users/users-service.js';
import { generatePassword } from '../users/passwords.js';

const usage = `Usage:
  npm run users -- create --role <${USER_ROLES.join('|')}> --email <e-mail> [--name <name>]
  npm run users -- list
  npm run users -- disable --email <e-mail>
  npm run users -- reset-password --email <e-mail>`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' } },
});
const command = positionals[0];
if (!command || !['create', 'list', 'disable', 'reset-password'].includes(command)) {
  console.error(usage);
  process.exit(64);
}
if (command === 'create' && (!values.role || !USER_ROLES.includes(values.role as UserRole) || !values.email)) {
  console.error(`--role must be one of ${USER_ROLES.join(', ')} and --email is required\n${usage}`);
  process.exit(64);
}
if ((command === 'disable' || command === 'reset-password') && !values.email) {
  console.error(`--email is required\n${usage}`);
  process.exit(64);
}

const config = loadConfigOrExit({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
const container = await createContainer(config);
const actor = { keyId: null, name: `cli:${process.env.USER ?? 'local'}`, role: 'admin' as const };
try {
  const { users } = container.services;
  const byEmail = async (email: string) => {
    const u = (await users.list()).find((x) => x.email === email.trim().toLowerCase());
    if (!u) throw new Error(`No user ${email}`);
    return u;
  };
  if (command === 'create') {
    const email = values.email!.trim().toLowerCase();
    const { user, password } = await users.create({ email, name: values.name ?? email, role: values.role as UserRole }, actor);
    console.log(`Created ${user.email} (role ${user.role}, id ${user.id}). The password is shown once; give it to the person, who changes it:\n`);
    console.log(password);
  } else if (command === 'list') {
    for (const u of await users.list()) console.log(`${u.id}  ${u.role.padEnd(14)} ${u.email}${u.disabled ? '  (disabled)' : ''}`);
  } else if (command === 'disable') {
    const u = await users.update((await byEmail(values.email!)).id, { disabled: true }, actor);
    console.log(`Disabled ${u.email}; its sessions ended.`);
  } else {
    const password = generatePassword();
    const u = await users.setPassword((await byEmail(values.email!)).id, password, actor);
    console.log(`New password for ${u.email} (shown once; its sessions ended):\n`);
    console.log(password);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exitCode = 1;
} finally {
  await container.close();
}
