/**
 * `npm start` as a user runs it: a fresh data directory, the demo market seeded, the URL and the
 * demo logins printed, the API answering; a restart keeps the data and the generated secret; SIGTERM
 * shuts down cleanly. Under TEST_DB=postgres the same runs against a real server with SEED_DEMO=1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './support/db.js';
import { startServerProcess, stopServerProcess } from './support/server-process.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-start-'));
let database: TestDatabase | null = null;
afterAll(async () => {
  await database?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function environment(): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  if (testDatabaseKind() === 'postgres') {
    database ??= await createTestDatabase({ poolMax: 2 });
    Object.assign(env, { DATABASE_URL: database.url, SEED_DEMO: '1', JWT_SECRET: 'a-test-secret-of-at-least-thirty-two-characters' });
  }
  return env;
}

const start = (env: NodeJS.ProcessEnv) => startServerProcess(env);
const stop = (child: ChildProcess) => stopServerProcess(child);

async function notesVisibleTo(url: string, username: string): Promise<{ isin: string }[]> {
  const login = await fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'demo' }),
  });
  expect(login.status).toBe(200);
  const { token } = (await login.json()) as { token: string };
  const notes = await fetch(`${url}/api/v1/notes`, { headers: { authorization: `Bearer ${token}` } });
  expect(notes.status).toBe(200);
  return (await notes.json()) as { isin: string }[];
}

describe('npm start', () => {
  it('starts on a fresh data directory with the demo market, restarts with its data, and stops on SIGTERM', async () => {
    const env = await environment();
    const first = await start(env);
    expect(first.output()).toMatch(/Demo logins \(password "demo"\): investor1, investor2, dealer1, dealer2, backoffice1, operator1/);
    const notes = await notesVisibleTo(first.url, 'investor1');
    expect(notes.length).toBeGreaterThanOrEqual(4);
    expect(await stop(first.child)).toBe(0);

    const second = await start(env);
    expect(await notesVisibleTo(second.url, 'dealer2')).toEqual(notes);
    expect(await stop(second.child)).toBe(0);
    if (testDatabaseKind() === 'pglite') expect(fs.existsSync(path.join(dataDir, 'jwt-secret'))).toBe(true);
  });
});
