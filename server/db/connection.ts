/**
 * Opens the database: a real PostgreSQL server when a connection URL is given, otherwise an embedded
 * PGlite instance (a directory under DATA_DIR, or in memory for tests).
 *
 * Guarantees: both drivers return the same JavaScript types, so business code never forks on the
 * dialect — NUMERIC, BIGINT and DATE come back as strings (money and dates are parsed on purpose,
 * never through floats or local-time Date objects); TIMESTAMPTZ comes back as a Date.
 */
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from '../../migrations/index.js';
import { applyRoutines } from './routines.js';

const PG_TYPE_DATE = 1082;
const PG_TYPE_INT8 = 20;
const PG_TYPE_NUMERIC = 1700;

// node-postgres parses DATE into a local-midnight Date; a settlement date must stay a calendar date.
pg.types.setTypeParser(PG_TYPE_DATE, (value: string) => value);
pg.types.setTypeParser(PG_TYPE_INT8, (value: string) => value);
pg.types.setTypeParser(PG_TYPE_NUMERIC, (value: string) => value);

const keepText = (value: string): string => value;

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolMax?: number }
  | { kind: 'pglite'; dataDir: string | 'memory'; loadDataDir?: Blob | File };

export interface Database {
  knex: Knex;
  /**
   * The sequencer's own connection for its group commits, so a commit never queues behind request
   * reads waiting for the shared pool. On PGlite (one connection) it is the same as `knex`.
   */
  writer: Knex;
  target: DatabaseTarget['kind'];
  /** Only for PGlite: the instance, e.g. to dump a migrated template in tests. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    const knex = knexFactory({
      client: 'pg',
      connection: target.url,
      pool: { min: 0, max: target.poolMax ?? 10 },
      migrations: { migrationSource },
    });
    const writer = knexFactory({ client: 'pg', connection: target.url, pool: { min: 1, max: 1 } });
    return {
      knex,
      writer,
      target: 'postgres',
      close: async () => {
        await writer.destroy();
        await knex.destroy();
      },
    };
  }
  const dataDir = target.dataDir === 'memory' ? undefined : path.resolve(target.dataDir);
  // PGlite creates only the last path component of its directory.
  if (dataDir) fs.mkdirSync(path.dirname(dataDir), { recursive: true });
  const pglite = await PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
    parsers: {
      [pgliteTypes.INT8]: keepText,
      [pgliteTypes.DATE]: keepText,
      [pgliteTypes.NUMERIC]: keepText,
    },
  });
  const knex = knexFactory({
    client: ClientPgLite as unknown as typeof knexFactory.Client,
    dialect: 'postgres',
    connection: (() => ({ pglite })) as unknown as Knex.StaticConnectionConfig,
    migrations: { migrationSource },
  });
  return {
    knex,
    writer: knex,
    target: 'pglite',
    pglite,
    close: async () => {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

export function targetFromEnvironment(env: NodeJS.ProcessEnv, dataDir: string): DatabaseTarget {
  if (env.DATABASE_URL) return { kind: 'postgres', url: env.DATABASE_URL };
  return { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') };
}

/**
 * Brings a database up to date: the pending migrations (schema), then the routines whose text
 * changed (routines.ts). Returns what it applied: migration names, then `routine <name>`.
 */
export async function migrateToLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest()) as [number, string[]];
  const routines = await applyRoutines(knex);
  return [...applied, ...routines.map((name) => `routine ${name}`)];
}
