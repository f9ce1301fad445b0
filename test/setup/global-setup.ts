import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import type { TestProject } from 'vitest/node';
import { migrateToLatest } from '../../src/db/migrate.js';
import { testServerUrl, withDatabase } from './db-url.js';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null;
  }
}

/**
 * On a PostgreSQL server: migrate a template database once; each test file clones it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds. Embedded runs need nothing here:
 * each test file starts its own in-memory PGlite.
 */
export default async function setup(project: TestProject) {
  const url = testServerUrl();
  if (!url) {
    project.provide('templateDatabase', null);
    return;
  }
  const template = `vigie_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const db = new Kysely({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withDatabase(url, template), max: 1 }) }) });
  await migrateToLatest(db);
  await db.destroy();
  project.provide('templateDatabase', template);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
  };
}
