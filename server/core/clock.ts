/**
 * The clock services read the time from: passed in (AppServices.clock), never Date.now() in
 * business code, so tests control time. Below every module that reads it.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
