/**
 * What stalled the service's event loop while bench:ws measured: the loop's delay (how late a timer
 * of 1 ms fired, perf_hooks) and the garbage collector's pauses by kind. A fan-out's p99 above the
 * floor's is either more work per write or the loop stopping for everyone at once; this tells which.
 */
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';

export interface Pauses {
  /** `key=value` pairs for the bench's server_side line. */
  stop(): string;
}

export function watchPauses(): Pauses {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const major: number[] = [];
  let minorMs = 0;
  let minorCount = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as unknown as { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) {
        minorMs += entry.duration;
        minorCount += 1;
      } else {
        major.push(entry.duration);
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      delay.disable();
      observer.disconnect();
      const ms = (nanos: number) => (nanos / 1e6).toFixed(1);
      major.sort((a, b) => b - a);
      return (
        `loop_delay_p50_ms=${ms(delay.percentile(50))} loop_delay_p99_ms=${ms(delay.percentile(99))} loop_delay_max_ms=${ms(delay.max)} ` +
        `gc_minor=${minorCount} gc_minor_ms=${minorMs.toFixed(0)} gc_major=${major.length} gc_major_ms=${major.reduce((a, b) => a + b, 0).toFixed(0)} ` +
        `gc_major_longest_ms=${
          major
            .slice(0, 3)
            .map((d) => d.toFixed(1))
            .join(',') || '0'
        }`
      );
    },
  };
}
