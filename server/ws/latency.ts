/**
 * A fixed-size latency histogram for the fan-out's own measurements: 0.1 ms buckets up to one
 * second, then 10 ms buckets up to a minute (anything longer counts as a minute). Recording is
 * O(1) and allocates nothing, so it can run for every client write.
 */
const FINE_BUCKETS = 10_000;
const COARSE_BUCKETS = 6_000;

export class LatencyHistogram {
  private readonly buckets = new Uint32Array(FINE_BUCKETS + COARSE_BUCKETS);
  count = 0;

  add(ms: number): void {
    const value = Math.max(0, ms);
    const index =
      value < 1_000 ? Math.floor(value * 10) : Math.min(FINE_BUCKETS + COARSE_BUCKETS - 1, FINE_BUCKETS + Math.floor((value - 1_000) / 10));
    this.buckets[index]! += 1;
    this.count += 1;
  }

  /** The upper bound of the bucket holding the p-th percentile, in ms (0 when empty). */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i < FINE_BUCKETS ? (i + 1) / 10 : 1_000 + (i - FINE_BUCKETS + 1) * 10;
    }
    return 60_000;
  }

  reset(): void {
    this.buckets.fill(0);
    this.count = 0;
  }
}
