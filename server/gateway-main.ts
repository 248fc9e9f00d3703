/**
 * `npm run gateway`: a stateless WebSocket gateway fed by NATS JetStream (server/bus/gateway-server.ts).
 * It serves the service's `/ws` protocol — the same channels, seq numbers, auth, limits, conflation
 * and slow-consumer rules — from the stream the service publishes, and forwards order entry to the
 * service. Run as many as the audience needs, on any machines; clients may use any of them.
 *
 * Environment: NATS_URL (required), PORT (default 3000), HOST, and the service's JWT settings
 * (JWT_SECRET; without it, the embedded default's secret file under DATA_DIR, as the service uses);
 * WS_LIMITS (optional JSON of /ws limits other than the defaults of server/ws/limits.ts, e.g.
 * '{"connectionsMax":20000}', for large audiences and benchmarks).
 */
import fs from 'node:fs';
import path from 'node:path';
import { resolveJwtSecret } from './auth/secret.js';
import { loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startGateway } from './bus/gateway-server.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const natsUrl = config.natsUrl;
  if (!natsUrl) throw new Error('NATS_URL is required: the gateway is fed by NATS JetStream');
  const wsLimits = process.env.WS_LIMITS ? (JSON.parse(process.env.WS_LIMITS) as Config['wsLimits']) : undefined;
  // The service's secret: JWT_SECRET, or the embedded default's file — never a new one (it would refuse every token).
  if (!config.jwtSecret && !fs.existsSync(path.join(config.dataDir, 'jwt-secret'))) {
    throw new Error(`JWT_SECRET is required (or DATA_DIR holding the service's jwt-secret; ${config.dataDir} has none)`);
  }
  const jwtSecret = resolveJwtSecret({ ...config, databaseUrl: null });
  const gateway = await startGateway({ ...config, natsUrl, ...(wsLimits ? { wsLimits } : {}) }, jwtSecret, logger);
  logger.info({ url: gateway.wsUrl, nats: natsUrl }, 'gateway listening');
  process.stdout.write(`gateway listening on ${gateway.wsUrl}\n`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'gateway shutting down');
    await gateway.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  logger.fatal({ err: error }, 'the gateway failed to start');
  process.exit(1);
}
