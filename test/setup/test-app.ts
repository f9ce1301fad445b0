import supertest from 'supertest';
import { loadConfig, type Config } from '../../src/config.js';
import { createContainer, type Container, type ContainerOptions } from '../../src/container.js';
import { ManualClock } from '../../src/clock.js';
import { createLogger } from '../../src/logger.js';
import type { Role } from '../../src/api-keys/roles.js';
import { createTestDatabase } from './test-database.js';

export const ADMIN_KEY = 'test-bootstrap-admin-key-0123456789';

export interface TestApp {
  container: Container;
  clock: ManualClock;
  keys: Record<Role, string>;
  /** supertest against the real app, with the key of `role` (or none). */
  as(role: Role | 'anonymous'): {
    get(path: string): supertest.Test;
    post(path: string, body?: unknown): supertest.Test;
    put(path: string, body?: unknown): supertest.Test;
    patch(path: string, body?: unknown): supertest.Test;
    delete(path: string): supertest.Test;
  };
  close(): Promise<void>;
}

/** The real app on its own database, with one API key per role. */
export async function createTestApp(
  env: Record<string, string> = {},
  options: ContainerOptions & { now?: Date | string } = {},
): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', VIGIE_ADMIN_KEY: ADMIN_KEY, NODE_ENV: 'test', ...env });
  const clock = new ManualClock(options.now ? new Date(options.now) : new Date());
  const container = await createContainer(config, {
    logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
    collectDefaultMetrics: false,
    clock,
    ...options,
    database,
  });
  const keys = {} as Record<Role, string>;
  const actor = { keyId: null, name: 'test-setup', role: 'admin' as const };
  for (const role of ['sales', 'credit_manager', 'collector', 'order_system', 'admin'] as const) {
    keys[role] = (await container.services.apiKeys.create({ name: `test-${role}`, role }, actor)).key;
  }
  const agent = supertest(container.app);
  const as: TestApp['as'] = (role) => {
    const auth = (t: supertest.Test) => (role === 'anonymous' ? t : t.set('Authorization', `Bearer ${keys[role]}`));
    return {
      get: (p) => auth(agent.get(p)),
      post: (p, body) => auth(agent.post(p)).send(body as object),
      put: (p, body) => auth(agent.put(p)).send(body as object),
      patch: (p, body) => auth(agent.patch(p)).send(body as object),
      delete: (p) => auth(agent.delete(p)),
    };
  };
  return {
    container,
    clock,
    keys,
    as,
    async close() {
      await container.close();
      await database.close();
    },
  };
}

let seq = 0;
/** Valid SIRENs for test customers: 9 digits with a Luhn check digit. */
export function makeSiren(n = ++seq + Math.floor(Math.random() * 1e6)): string {
  const base = String(n % 1e8).padStart(8, '0');
  for (let d = 0; d <= 9; d++) {
    const candidate = base + d;
    let sum = 0;
    for (let i = 0; i < 9; i++) {
      let x = Number(candidate[8 - i]);
      if (i % 2 === 1) {
        x *= 2;
        if (x > 9) x -= 9;
      }
      sum += x;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}
