/**
 * `sqlgraph watch`: an initial whole-workspace ingest, then file events
 * through the batcher. The OS can drop watch events under a burst (a
 * checkout of thousands of files overflows inotify's queue), so after a burst
 * — or any watcher error — the session reconciles with a rescan, which costs
 * little because unchanged files are skipped by hash.
 */
import { FileWatcher } from '../fs/fileWatcher.ts';
import type { IngestPipeline, IngestSummary } from './ingestPipeline.ts';

export interface WatchSessionOptions {
  isIncluded: (absolutePath: string) => boolean;
  /** Events in a row after which a reconciling rescan follows once things are quiet. Default 1,000. */
  burstThreshold?: number;
  /** Quiet time before that rescan. Default 1,000 ms. */
  rescanDelayMs?: number;
  onRescan?: (summary: IngestSummary) => void;
  onError?: (error: Error) => void;
}

export class WatchSession {
  private readonly pipeline: IngestPipeline;
  private readonly watcher: FileWatcher;
  private readonly options: WatchSessionOptions;
  private eventsSinceRescan = 0;
  private lastEventAt = performance.now();
  private rescanTimer: ReturnType<typeof setTimeout> | undefined;
  private rescanning: Promise<void> | undefined;
  private closed = false;

  /** Watches first, then ingests: an edit made during the initial ingest is not lost. */
  static async start(pipeline: IngestPipeline, options: WatchSessionOptions): Promise<{ session: WatchSession; initial: IngestSummary }> {
    const session = new WatchSession(pipeline, options);
    const initial = await pipeline.ingestAll();
    return { session, initial };
  }

  private constructor(pipeline: IngestPipeline, options: WatchSessionOptions) {
    this.pipeline = pipeline;
    this.options = options;
    this.watcher = new FileWatcher(pipeline.root, {
      isIncluded: options.isIncluded,
      onEvent: (event) => {
        this.noteEvent();
        pipeline.handleEvent(event);
      },
      onRescanNeeded: () => this.scheduleRescan(options.rescanDelayMs ?? 1000),
    });
  }

  /**
   * Resolves once no event has arrived for quietMs (counted from this call at
   * the earliest: events for changes just made may not have been delivered
   * yet) and every batch and rescan has finished.
   */
  async whenQuiet(quietMs: number): Promise<void> {
    const calledAt = performance.now();
    for (;;) {
      const wait = Math.max(this.lastEventAt, calledAt) + quietMs - performance.now();
      if (wait > 0) await sleep(wait);
      await this.pipeline.flush();
      await this.rescanning;
      if (performance.now() - Math.max(this.lastEventAt, calledAt) >= quietMs && !this.rescanTimer && !this.rescanning) return;
      // Yield to the event loop before looking again: a loop of resolved
      // promises alone would starve the very timers (a scheduled rescan) it waits for.
      await sleep(10);
    }
  }

  close(): void {
    this.closed = true;
    this.watcher.close();
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = undefined;
  }

  private noteEvent(): void {
    this.lastEventAt = performance.now();
    if (++this.eventsSinceRescan >= (this.options.burstThreshold ?? 1000)) this.scheduleRescan(this.options.rescanDelayMs ?? 1000);
  }

  private scheduleRescan(delayMs: number): void {
    if (this.closed) return;
    if (this.rescanTimer) clearTimeout(this.rescanTimer);
    this.rescanTimer = setTimeout(() => {
      this.rescanTimer = undefined;
      if (performance.now() - this.lastEventAt < delayMs) {
        this.scheduleRescan(delayMs); // still busy: wait for quiet
        return;
      }
      this.eventsSinceRescan = 0;
      const rescan = async (): Promise<void> => {
        await this.pipeline.flush();
        const summary = await this.pipeline.ingestAll();
        this.options.onRescan?.(summary);
      };
      const tracked: Promise<void> = (this.rescanning ?? Promise.resolve())
        .then(rescan)
        .catch((error: unknown) => this.options.onError?.(error instanceof Error ? error : new Error(String(error))))
        .finally(() => {
          if (this.rescanning === tracked) this.rescanning = undefined;
        });
      this.rescanning = tracked;
    }, delayMs);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
