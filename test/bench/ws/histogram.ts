/** bench:ws's latency histogram, mergeable across processes (its buckets travel over IPC as an array). */

/** Latency histogram in 0.1 ms buckets up to 10 s. */
export class Histogram {
  readonly buckets = new Uint32Array(100_001);
  count = 0;
  add(ms: number): void {
    this.buckets[Math.min(100_000, Math.max(0, Math.floor(ms * 10)))]! += 1;
    this.count += 1;
  }
  merge(other: { buckets: ArrayLike<number>; count: number }): void {
    for (let i = 0; i < this.buckets.length; i++) this.buckets[i]! += other.buckets[i]!;
    this.count += other.count;
  }
  percentile(p: number): number {
    let seen = 0;
    const target = Math.ceil((p / 100) * this.count);
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target && seen > 0) return i / 10;
    }
    return 0;
  }
}
