/**
 * A fixed-window limiter for login attempts, per key (username and client address are limited
 * separately). Memory is bounded: the table is cleared of expired windows when it grows.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { startMs: number; count: number }>();

  constructor(
    private readonly attemptsMax: number,
    private readonly windowMs: number,
    private readonly keysMax = 100_000,
  ) {}

  /** Counts an attempt; returns the seconds to wait when over the limit, or 0 when allowed. */
  hit(key: string, nowMs: number): number {
    if (this.windows.size >= this.keysMax) this.evictExpired(nowMs);
    const window = this.windows.get(key);
    if (!window || nowMs - window.startMs >= this.windowMs) {
      this.windows.set(key, { startMs: nowMs, count: 1 });
      return 0;
    }
    window.count += 1;
    if (window.count <= this.attemptsMax) return 0;
    return Math.ceil((window.startMs + this.windowMs - nowMs) / 1000);
  }

  private evictExpired(nowMs: number): void {
    for (const [key, window] of this.windows) if (nowMs - window.startMs >= this.windowMs) this.windows.delete(key);
    if (this.windows.size >= this.keysMax) this.windows.clear();
  }
}
