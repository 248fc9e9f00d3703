/**
 * Starts the real service (server/bootstrap.ts) on a fresh test database with the demo market,
 * on a random loopback port, and offers logged-in supertest helpers.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { pino } from 'pino';
import { startService, type RunningService } from '../../server/bootstrap.js';
import type { Clock } from '../../server/api/services.js';
import type { Config } from '../../server/config.js';
import type { RegistryConfig } from '../../server/registry/types.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export const DEMO_PASSWORD = 'demo';

export interface TestService {
  service: RunningService;
  database: TestDatabase;
  url: string;
  config: Config;
  http: ReturnType<typeof request>;
  /** A bearer token for a demo user (cached per username). */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

/** A clock the test can move. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date): void {
    this.current = date;
  }
}

/** `registry`: off unless a test asks (starting an in-process chain costs about a second). */
export async function startTestService(
  options: { clock?: Clock; seedDemo?: boolean; registry?: RegistryConfig; natsUrl?: string } = {},
): Promise<TestService> {
  const database = await createTestDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnx-service-'));
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: null,
    jwtSecret: randomBytes(32).toString('hex'),
    logLevel: 'silent',
    seedDemo: options.seedDemo ?? true,
    demoPassword: DEMO_PASSWORD,
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.natsUrl ? { natsUrl: options.natsUrl } : {}),
  };
  const service = await startService({
    config,
    logger: pino({ level: 'silent' }),
    database,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const tokens = new Map<string, string>();
  const http = request(service.server);
  return {
    service,
    database,
    url: service.url,
    config,
    http,
    token: async (username: string) => {
      const cached = tokens.get(username);
      if (cached) return cached;
      const response = await request(service.server).post('/api/v1/auth/token').send({ username, password: DEMO_PASSWORD });
      if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${JSON.stringify(response.body)}`);
      tokens.set(username, response.body.token);
      return response.body.token as string;
    },
    close: async () => {
      await service.close();
      await database.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
