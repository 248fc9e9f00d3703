/**
 * A fresh, migrated database per test file: a clone of the run's template (see global-setup.ts),
 * on PGlite or on the real PostgreSQL cluster depending on TEST_DB.
 */
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../server/db/connection.js';
import { TEMPLATE_DATABASE, withDatabase } from './global-setup.js';

export interface TestDatabase extends Database {
  /** The URL of a real PostgreSQL database (null on PGlite), e.g. to start a server process on it. */
  url: string | null;
}

export function testDatabaseKind(): 'postgres' | 'pglite' {
  return inject('testDatabase').kind;
}

export async function createTestDatabase(options: { poolMax?: number } = {}): Promise<TestDatabase> {
  const target = inject('testDatabase');
  if (target.kind === 'pglite') {
    const dump = new Blob([fs.readFileSync(target.templatePath)]);
    const db = await openDatabase({ kind: 'pglite', dataDir: 'memory', loadDataDir: dump });
    return { ...db, url: null };
  }
  const name = `cnx_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: target.adminUrl, pool: { min: 0, max: 1 } });
  try {
    await createFromTemplate(admin, name);
  } finally {
    await admin.destroy();
  }
  const url = withDatabase(target.adminUrl, name);
  const db = await openDatabase({ kind: 'postgres', url, poolMax: options.poolMax ?? 10 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      const cleanup = knexFactory({ client: 'pg', connection: target.adminUrl, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists ${name} with (force)`).finally(() => cleanup.destroy());
    },
  };
}

/**
 * An empty database, not migrated (e.g. to build an older release's schema by running the
 * migrations alone); closed and dropped like createTestDatabase's.
 */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const target = inject('testDatabase');
  if (target.kind === 'pglite') return { ...(await openDatabase({ kind: 'pglite', dataDir: 'memory' })), url: null };
  const name = `cnx_test_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: target.adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`).finally(() => admin.destroy());
  const url = withDatabase(target.adminUrl, name);
  const db = await openDatabase({ kind: 'postgres', url, poolMax: 2 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      const cleanup = knexFactory({ client: 'pg', connection: target.adminUrl, pool: { min: 0, max: 1 } });
      await cleanup.raw(`drop database if exists ${name} with (force)`).finally(() => cleanup.destroy());
    },
  };
}

async function createFromTemplate(admin: knexFactory.Knex, name: string): Promise<void> {
  // Two workers cloning the template at the same instant can see "source database is being
  // accessed by other users" (55006); a short retry resolves it.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.raw(`create database ${name} template ${TEMPLATE_DATABASE}`);
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
