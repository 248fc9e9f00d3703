/**
 * knex configuration for tools that expect a knexfile. The application opens its database through
 * server/db/connection.ts (which also pins type parsing); this file mirrors the same choice:
 * DATABASE_URL selects a real PostgreSQL server, otherwise embedded PGlite under DATA_DIR.
 */
import path from 'node:path';
import fs from 'node:fs';
import type { Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { migrationSource } from './migrations/index.js';

export function makeConfig(env: NodeJS.ProcessEnv = process.env): Knex.Config {
  const migrations: Knex.MigratorConfig = { migrationSource };
  if (env.DATABASE_URL) {
    return { client: 'pg', connection: env.DATABASE_URL, pool: { min: 0, max: 10 }, migrations };
  }
  const dir = path.resolve(env.DATA_DIR ?? './data', 'pglite');
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  return {
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: { filename: dir } as Knex.StaticConnectionConfig,
    migrations,
  };
}

export default makeConfig();
