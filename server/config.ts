/**
 * Configuration from the environment, read once at start. Everything else receives a Config.
 */
import path from 'node:path';
import type { WsLimits } from './ws/limits.js';
import type { RegistryConfig } from './registry/types.js';

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
  /**
   * The service's own public origins, e.g. `https://exchange.example.com` (PUBLIC_ORIGIN,
   * comma-separated): pages from these may open /ws. Unset: loopback on the listening port.
   */
  publicOrigins?: string[];
  /** Browser origins allowed to open /ws besides the service's own (WS_ALLOWED_ORIGINS, comma-separated; `*` allows any). */
  wsAllowedOrigins?: string[];
  /** WebSocket limits other than the defaults of server/ws/limits.ts (tests, benchmarks). */
  wsLimits?: Partial<WsLimits>;
  /** The on-chain registry (REGISTRY, RPC_URL, REGISTRAR_KEY, …; see registryConfig). Absent: off. */
  registry?: RegistryConfig;
  /**
   * NATS with JetStream (NATS_URL, e.g. nats://host:4222, comma-separated for a cluster): the
   * service publishes market data and private feeds to it, and /ws is served through it, as by
   * `npm run gateway`. Absent: /ws fans out in process (the embedded default).
   */
  natsUrl?: string;
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
    publicOrigins: originList(env.PUBLIC_ORIGIN, 'PUBLIC_ORIGIN'),
    wsAllowedOrigins: originList(env.WS_ALLOWED_ORIGINS, 'WS_ALLOWED_ORIGINS', true),
    registry: registryConfig(env, databaseUrl),
    ...(env.NATS_URL && env.NATS_URL.length > 0 ? { natsUrl: env.NATS_URL } : {}),
  };
}

/** A comma-separated list of origins (`scheme://host[:port]`, http or https, nothing after); `*` only where allowed. */
function originList(text: string | undefined, name: string, wildcard = false): string[] {
  const origins = (text ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin.length > 0);
  for (const origin of origins) {
    if ((wildcard && origin === '*') || isOrigin(origin)) continue;
    throw new ConfigError(
      `${name} must list origins like https://exchange.example.com (scheme, host, optional port, no path), got ${origin}`,
    );
  }
  return origins;
}

function isOrigin(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  const bare = url.pathname === '/' && url.search === '' && url.hash === '' && url.username === '' && url.password === '';
  return (url.protocol === 'http:' || url.protocol === 'https:') && bare && !/\/[^/]/.test(text.replace(/^[a-z]+:\/\//i, ''));
}

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * REGISTRY=off|embedded|rpc. Unset: rpc when RPC_URL is set, embedded on the embedded database
 * (the demo of `npm start`), off on a real database server until configured. rpc needs RPC_URL
 * and REGISTRAR_KEY; REGISTRY_BACK_OFFICE_KEY (default: the registrar's key) and
 * REGISTRY_CONTRACT_ADDRESS (default: the recorded deployment, else a new one) are optional.
 * REGISTRY_PENDING_BREAK_AFTER_SECONDS: when a pending outbox row becomes a reconciliation break.
 */
export function registryConfig(env: NodeJS.ProcessEnv, databaseUrl: string | null): RegistryConfig {
  const rpcUrl = env.RPC_URL && env.RPC_URL.length > 0 ? env.RPC_URL : null;
  const mode = env.REGISTRY && env.REGISTRY.length > 0 ? env.REGISTRY : rpcUrl ? 'rpc' : databaseUrl === null ? 'embedded' : 'off';
  const graceText = env.REGISTRY_PENDING_BREAK_AFTER_SECONDS;
  const grace = graceText === undefined ? undefined : Number.parseInt(graceText, 10);
  if (grace !== undefined && (!Number.isInteger(grace) || grace < 0))
    throw new ConfigError(`REGISTRY_PENDING_BREAK_AFTER_SECONDS must be a whole number of seconds, got ${graceText}`);
  const tuning = grace === undefined ? {} : { tuning: { pendingBreakAfterSeconds: grace } };
  if (mode === 'off') return { mode: 'off' };
  if (mode === 'embedded') return { mode: 'embedded', ...tuning };
  if (mode !== 'rpc') throw new ConfigError(`REGISTRY must be off, embedded or rpc, got ${mode}`);
  if (!rpcUrl) throw new ConfigError('REGISTRY=rpc needs RPC_URL');
  const registrarKey = env.REGISTRAR_KEY ?? '';
  if (!PRIVATE_KEY.test(registrarKey)) throw new ConfigError('REGISTRY=rpc needs REGISTRAR_KEY, a 32-byte hex private key');
  const backOfficeKey = env.REGISTRY_BACK_OFFICE_KEY && env.REGISTRY_BACK_OFFICE_KEY.length > 0 ? env.REGISTRY_BACK_OFFICE_KEY : null;
  if (backOfficeKey !== null && !PRIVATE_KEY.test(backOfficeKey))
    throw new ConfigError('REGISTRY_BACK_OFFICE_KEY must be a 32-byte hex private key');
  const contractAddress = env.REGISTRY_CONTRACT_ADDRESS && env.REGISTRY_CONTRACT_ADDRESS.length > 0 ? env.REGISTRY_CONTRACT_ADDRESS : null;
  if (contractAddress !== null && !ADDRESS.test(contractAddress))
    throw new ConfigError('REGISTRY_CONTRACT_ADDRESS must be a 20-byte hex address');
  return { mode: 'rpc', rpcUrl, registrarKey, backOfficeKey, contractAddress, ...tuning };
}
