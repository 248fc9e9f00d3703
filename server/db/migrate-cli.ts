/**
 * `npm run migrate`: applies pending migrations to the configured database (DATABASE_URL, or the
 * embedded one under DATA_DIR) and prints what it applied. The server also migrates at start.
 */
import { loadConfig } from '../config.js';
import { migrateToLatest, openDatabase, targetFromEnvironment } from './connection.js';

const config = loadConfig();
const database = await openDatabase(targetFromEnvironment(process.env, config.dataDir));
try {
  const applied = await migrateToLatest(database.knex);
  process.stdout.write(applied.length > 0 ? `applied: ${applied.join(', ')}\n` : 'already up to date\n');
} finally {
  await database.close();
}
