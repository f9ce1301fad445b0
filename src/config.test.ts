import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('config', () => {
  it('has working defaults with an empty environment (embedded database, port 3000)', () => {
    const c = loadConfig({});
    expect(c.PORT).toBe(3000);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.VIGIE_DATA_DIR).toBe('./data');
    expect(c.JOBS_IN_PROCESS).toBe(true);
  });

  it('treats an empty DATABASE_URL as unset', () => {
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['VIGIE_ADMIN_KEY', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['VIGIE_TIMEZONE', 'Mars/Olympus'],
    ['JOBS_IN_PROCESS', 'maybe'],
    ['OVERDUE_GRACE_DAYS', '-1'],
  ])('a bad %s (%s) stops with a message naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(name);
  });
});
