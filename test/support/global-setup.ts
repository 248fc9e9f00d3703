/**
 * Prepares a migrated template database once per test run, so each test file gets a fresh,
 * isolated database in well under a second:
 * - TEST_DB=postgres: a throwaway cluster (or TEST_DATABASE_URL's server) with a template database;
 * - otherwise: a PGlite data directory dump that each test loads into its own in-memory instance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import type { TestProject } from 'vitest/node';
import { openDatabase, migrateToLatest } from '../../server/db/connection.js';
import { startPgCluster, type PgCluster } from './pg-cluster.js';

export const TEMPLATE_DATABASE = 'cnx_template';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { kind: 'postgres'; adminUrl: string } | { kind: 'pglite'; templatePath: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DB === 'postgres') return setupPostgres(project);
  return setupPglite(project);
}

async function setupPglite(project: TestProject): Promise<() => Promise<void>> {
  const db = await openDatabase({ kind: 'pglite', dataDir: 'memory' });
  await migrateToLatest(db.knex);
  const dump = await db.pglite!.dumpDataDir('none');
  await db.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-pglite-'));
  const templatePath = path.join(dir, 'template.tar');
  fs.writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
  project.provide('testDatabase', { kind: 'pglite', templatePath });
  return async () => fs.rmSync(dir, { recursive: true, force: true });
}

async function setupPostgres(project: TestProject): Promise<() => Promise<void>> {
  let cluster: PgCluster | null = null;
  const adminUrl = process.env.TEST_DATABASE_URL ?? (cluster = await startPgCluster()).url;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`drop database if exists ${TEMPLATE_DATABASE}`);
  await admin.raw(`create database ${TEMPLATE_DATABASE}`);
  await admin.destroy();
  const template = await openDatabase({ kind: 'postgres', url: withDatabase(adminUrl, TEMPLATE_DATABASE), poolMax: 1 });
  await migrateToLatest(template.knex);
  await template.close();
  project.provide('testDatabase', { kind: 'postgres', adminUrl });
  return async () => cluster?.stop();
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
