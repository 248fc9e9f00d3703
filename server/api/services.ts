/**
 * The API layer's view of the service container (server/services.ts) and the clock (core/clock.ts),
 * re-exported so route modules import them from beside themselves.
 */
export type { AppServices } from '../services.js';
export { systemClock, type Clock } from '../core/clock.js';
