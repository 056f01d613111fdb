/**
 * Event-loop delay of the extension host, for the hidden command
 * `sqlGraph.debug.eventLoopDelay`: the e2e test checks that the host stays
 * responsive (p99 < 50 ms) while a large workspace is ingested.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface EventLoopDelay {
  /** Milliseconds. */
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Samples since the last reset. */
  count: number;
  /** Milliseconds since the last reset. */
  sinceMs: number;
}

export class EventLoopMonitor {
  private readonly histogram: IntervalHistogram;
  private since = performance.now();

  constructor(resolutionMs = 10) {
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
  }

  read(options: { reset?: boolean } = {}): EventLoopDelay {
    const h = this.histogram;
    const ms = (ns: number): number => (Number.isFinite(ns) ? Math.round((ns / 1e6) * 100) / 100 : 0);
    const result: EventLoopDelay = {
      min: ms(h.min),
      mean: ms(h.mean),
      p50: ms(h.percentile(50)),
      p90: ms(h.percentile(90)),
      p99: ms(h.percentile(99)),
      max: ms(h.max),
      count: h.count,
      sinceMs: Math.round(performance.now() - this.since),
    };
    if (options.reset) {
      h.reset();
      this.since = performance.now();
    }
    return result;
  }

  dispose(): void {
    this.histogram.disable();
  }
}
