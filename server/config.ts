/**
 * Configuration from the environment, read once at start. Everything else receives a Config.
 */
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  jwtSecret: string | null;
  logLevel: string;
  /** Seed the demo market: always on the embedded default, only with SEED_DEMO=1 on a real server. */
  seedDemo: boolean;
  demoPassword: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = env.PORT === undefined ? 3000 : Number.parseInt(env.PORT, 10);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be a port number, got ${env.PORT}`);
  const databaseUrl = env.DATABASE_URL && env.DATABASE_URL.length > 0 ? env.DATABASE_URL : null;
  const seedFlag = env.SEED_DEMO;
  const seedDemo = seedFlag === undefined ? databaseUrl === null : seedFlag === '1' || seedFlag === 'true';
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl,
    jwtSecret: env.JWT_SECRET && env.JWT_SECRET.length > 0 ? env.JWT_SECRET : null,
    logLevel: env.LOG_LEVEL ?? 'info',
    seedDemo,
    demoPassword: env.DEMO_PASSWORD ?? 'demo',
  };
}
