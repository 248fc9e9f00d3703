/**
 * `npm start` as a user runs it: a fresh data directory, the demo market seeded, the URL and the
 * demo logins printed, the API answering; a restart keeps the data and the generated secret; SIGTERM
 * shuts down cleanly. Under TEST_DB=postgres the same runs against a real server with SEED_DEMO=1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from './support/db.js';

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

function start(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /running at (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function notesVisibleTo(url: string, username: string): Promise<{ isin: string }[]> {
  const login = await fetch(`${url}/api/v1/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'demo' }) });
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
