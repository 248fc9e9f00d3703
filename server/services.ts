/**
 * What route handlers, WebSocket sessions and order entry (trading/) may use: the database, the
 * clock, the signing secret, the logger and the login limiter. Passing them in (rather than
 * importing singletons) keeps handlers testable with a controlled clock and a fresh database.
 * Assembled by bootstrap.ts; below the edges, so order entry reaches it without climbing to api/.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { RateLimiter } from './auth/rate-limit.js';
import type { EndOfDayHook } from './businessdate/index.js';
import type { Sequencer } from './sequencer/sequencer.js';
import type { EventBus } from './events/bus.js';
import type { Clock } from './core/clock.js';

export interface AppServices {
  knex: Knex;
  clock: Clock;
  jwtSecret: string;
  logger: Logger;
  /** Login attempts: few per username (password guessing), more per address (many users behind one NAT). */
  loginLimits: { perUsername: RateLimiter; perAddress: RateLimiter };
  /** The single writer of books and available balances; null until it has recovered. */
  sequencer: Sequencer | null;
  /** Committed RFQ and settlement activity, for the private WebSocket feeds. */
  events: EventBus;
  /** Run by the end-of-day roll, in order, before the business date moves. */
  endOfDayHooks: EndOfDayHook[];
  /** Readiness: the database answered and everything that must be loaded at start is loaded. */
  isReady(): Promise<boolean>;
}
