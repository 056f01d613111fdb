/**
 * Pipeline statistics: counters, per-stage time, event-to-commit latency
 * percentiles over a sliding window, errors by kind. `snapshot()` is cheap
 * enough to call on every status-bar refresh: percentiles are recomputed only
 * when new samples arrived.
 */
import type { ParseCacheStats } from '../cache/parseCache.ts';
import type { WorkerPoolStats } from './workerPool.ts';

export type Stage = 'read' | 'cache' | 'parse' | 'resolve' | 'store' | 'catalog';

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface PipelineSnapshot {
  filesProcessed: number;
  filesSkippedUnchanged: number;
  filesRemoved: number;
  batches: number;
  lastBatch?: { size: number; at: number; millis: number };
  /** Milliseconds spent per stage since start (summed over files; parse is wall time waiting for workers). */
  stageMillis: Record<Stage, number>;
  latency: LatencySummary;
  /** Files per second over the busy time so far. */
  throughput: number;
  errorsByKind: Record<string, number>;
  queueDepth: number;
  busyWorkers: number;
  workers: number;
  pendingEvents: number;
  cache?: ParseCacheStats;
  pool?: WorkerPoolStats;
  busy: boolean;
}

const WINDOW = 10_000;

export class PipelineStats {
  filesProcessed = 0;
  filesSkippedUnchanged = 0;
  filesRemoved = 0;
  batches = 0;
  lastBatch: PipelineSnapshot['lastBatch'];
  readonly stageMillis: Record<Stage, number> = { read: 0, cache: 0, parse: 0, resolve: 0, store: 0, catalog: 0 };
  readonly errorsByKind: Record<string, number> = {};
  private busyMillis = 0;
  private readonly latencies = new Float64Array(WINDOW);
  private latencyCount = 0;
  private summary: LatencySummary | undefined;

  addStage(stage: Stage, millis: number): void {
    this.stageMillis[stage] += millis;
  }

  addBusy(millis: number): void {
    this.busyMillis += millis;
  }

  recordLatency(millis: number): void {
    this.latencies[this.latencyCount % WINDOW] = millis;
    this.latencyCount++;
    this.summary = undefined;
  }

  recordError(kind: string): void {
    this.errorsByKind[kind] = (this.errorsByKind[kind] ?? 0) + 1;
  }

  latency(): LatencySummary {
    if (this.summary) return this.summary;
    const n = Math.min(this.latencyCount, WINDOW);
    const sorted = Array.from(this.latencies.subarray(0, n)).sort((a, b) => a - b);
    const at = (q: number): number => (n === 0 ? 0 : (sorted[Math.min(n - 1, Math.floor(q * n))] ?? 0));
    this.summary = { count: this.latencyCount, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: n === 0 ? 0 : (sorted[n - 1] ?? 0) };
    return this.summary;
  }

  resetLatency(): void {
    this.latencyCount = 0;
    this.summary = undefined;
  }

  throughput(): number {
    return this.busyMillis === 0 ? 0 : (this.filesProcessed / this.busyMillis) * 1000;
  }
}
