/** The PostgreSQL server tests use, if any: TEST_DATABASE_URL, else DATABASE_URL; unset → embedded PGlite. */
export function testServerUrl(): string | undefined {
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  return url && url.trim() !== '' ? url : undefined;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
