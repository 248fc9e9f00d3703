/**
 * The JWT signing secret. Production reads JWT_SECRET from the environment; the embedded default
 * generates a random secret once and keeps it in the data directory (mode 0600), so tokens survive
 * a restart of the demo.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../config.js';

const MIN_SECRET_LENGTH = 32;

export function resolveJwtSecret(config: Config): string {
  if (config.jwtSecret) {
    if (config.jwtSecret.length < MIN_SECRET_LENGTH) throw new ConfigError(`JWT_SECRET must be at least ${MIN_SECRET_LENGTH} characters`);
    return config.jwtSecret;
  }
  if (config.databaseUrl) throw new ConfigError('JWT_SECRET is required when DATABASE_URL points at a real database');
  const file = path.join(config.dataDir, 'jwt-secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  fs.writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
