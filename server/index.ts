/**
 * `npm start`: runs the service with the configuration from the environment. With no
 * configuration it uses the embedded database under ./data and seeds the demo market.
 */
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startService } from './bootstrap.js';

const config = loadConfig();
const logger = createLogger(config.logLevel);

try {
  const service = await startService({ config, logger });
  logger.info({ url: service.url, database: service.database.target }, 'compute notes exchange is listening');
  printWelcome(service.url, service.database.target, service.demo?.usernames ?? [], config.demoPassword);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await service.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  logger.fatal({ err: error }, 'failed to start');
  process.exit(1);
}

function printWelcome(url: string, database: string, usernames: readonly string[], password: string): void {
  const lines = [
    '',
    `  Compute Notes Exchange is running at ${url}`,
    `  API: ${url}/api/v1   OpenAPI: ${url}/api/v1/openapi.json   database: ${database}`,
  ];
  if (usernames.length > 0) lines.push(`  Demo logins (password "${password}"): ${usernames.join(', ')}`);
  lines.push('');
  process.stdout.write(`${lines.join('\n')}\n`);
}
