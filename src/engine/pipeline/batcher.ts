/**
 * Turns a stream of file events (watcher + editor saves) into deduplicated
 * batches of "upsert this path" / "delete this path" for the ingestion
 * pipeline.
 *
 * Timing model:
 * - Two lanes. Editor saves go to the CRITICAL lane (short window), watcher
 *   events to the NORMAL lane (long window). Each lane has a trailing debounce
 *   (the window restarts with every event of that lane) capped by a max wait
 *   counted from the lane's oldest pending event, so a steady stream of events
 *   cannot starve what is already pending.
 * - A CRITICAL flush carries only critical items: the point of a save is its
 *   latency, and it must not inherit a 10,000-file `git checkout` that is still
 *   settling in the normal lane. A NORMAL (or manual, or size-triggered) flush
 *   carries everything pending, critical items first.
 * - Priority is sticky: once a path was saved, the watcher event that the same
 *   save produces does not demote it (nor restart the critical window).
 *
 * Per event the work is O(1): one map lookup and, at most, arming a timer that
 * is not already armed (timers re-arm lazily when they fire early, instead of
 * being cleared and recreated for every event of a burst).
 */

export type FileEvent =
  | { kind: 'create' | 'change' | 'delete' | 'save'; path: string }
  | { kind: 'rename'; path: string; from: string };

export type BatchPriority = 'critical' | 'normal';

export interface BatchItem {
  path: string;
  action: 'upsert' | 'delete';
  priority: BatchPriority;
  /** Monotonic ms (clock.now()) of the earliest event merged into this item. */
  firstEventAt: number;
}

export type BatchListener = (batch: BatchItem[]) => void;

/** Monotonic clock and timers, injectable so tests can drive time by hand. */
export interface BatcherClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface BatcherOptions {
  /** Trailing window for watcher events. Default 5000. */
  debounceMs?: number;
  /**
   * Trailing window for editor saves. Default 150: long enough to merge
   * "Save All" and the second write of format-on-save / save participants into
   * one batch, short enough to stay under the ~200 ms users perceive as instant.
   */
  saveDebounceMs?: number;
  /** Cap on how long a watcher event may wait. Default 4 × debounceMs. */
  maxWaitMs?: number;
  /** Cap on how long a save may wait. Default 4 × saveDebounceMs. */
  saveMaxWaitMs?: number;
  /** When this many paths are pending, flush at once. Default 50. */
  maxBatchSize?: number;
  /** No debounce: flush on the next microtask (events of the same tick still merge). */
  realtime?: boolean;
  /** false: every event is emitted alone, synchronously, without merging. Default true. */
  batching?: boolean;
  clock?: BatcherClock;
  onBatch?: BatchListener;
}

export const systemClock: BatcherClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Net effect of the events seen for one path since the last flush. */
interface PendingPath {
  path: string;
  /** Does the file exist after the last event? */
  exists: boolean;
  /** The first event in this window created the file: deleting it again cancels everything. */
  bornInWindow: boolean;
  firstEventAt: number;
}

/** A timer fires this close to its deadline counts as on time (host timers are ms-granular). */
const TIMER_SLACK_MS = 1;

class Lane {
  readonly paths = new Map<string, PendingPath>();
  windowStartedAt = 0;
  lastEventAt = 0;
  timer: unknown = undefined;
  readonly debounceMs: number;
  readonly maxWaitMs: number;

  constructor(debounceMs: number, maxWaitMs: number) {
    this.debounceMs = debounceMs;
    this.maxWaitMs = maxWaitMs;
  }

  get deadline(): number {
    return Math.min(this.lastEventAt + this.debounceMs, this.windowStartedAt + this.maxWaitMs);
  }
}

export class Batcher {
  private readonly clock: BatcherClock;
  private readonly critical: Lane;
  private readonly normal: Lane;
  private readonly maxBatchSize: number;
  private readonly realtime: boolean;
  private readonly batching: boolean;
  private readonly listeners: BatchListener[] = [];
  private microtaskQueued = false;
  private disposed = false;

  constructor(options: BatcherOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const debounceMs = options.debounceMs ?? 5000;
    const saveDebounceMs = options.saveDebounceMs ?? 150;
    this.normal = new Lane(debounceMs, options.maxWaitMs ?? 4 * debounceMs);
    this.critical = new Lane(saveDebounceMs, options.saveMaxWaitMs ?? 4 * saveDebounceMs);
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 50);
    this.realtime = options.realtime ?? false;
    this.batching = options.batching ?? true;
    if (options.onBatch) this.listeners.push(options.onBatch);
  }

  /** Number of distinct paths waiting to be emitted. */
  get pending(): number {
    return this.critical.paths.size + this.normal.paths.size;
  }

  /** Returns a function that removes the listener. */
  onBatch(listener: BatchListener): () => void {
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  push(event: FileEvent): void {
    if (this.disposed) return;
    const now = this.clock.now();
    const lane = event.kind === 'save' ? this.critical : this.normal;
    if (!this.batching) {
      this.emit(unbatched(event, lane === this.critical ? 'critical' : 'normal', now));
      return;
    }
    if (event.kind === 'rename') {
      this.apply(lane, event.from, 'delete', now);
      this.apply(lane, event.path, 'create', now);
    } else {
      this.apply(lane, event.path, event.kind, now);
    }
    if (this.realtime) this.queueMicrotaskFlush();
  }

  /** Emits everything pending now; returns the batch, or undefined when nothing was pending. */
  flush(): BatchItem[] | undefined {
    if (this.disposed) return undefined;
    return this.flushLanes(true);
  }

  /** Drops pending events and timers; nothing is emitted afterwards. */
  dispose(): void {
    this.disposed = true;
    this.stopTimer(this.critical);
    this.stopTimer(this.normal);
    this.critical.paths.clear();
    this.normal.paths.clear();
    this.listeners.length = 0;
  }

  private apply(lane: Lane, path: string, kind: 'create' | 'change' | 'delete' | 'save', now: number): void {
    let entry = this.critical.paths.get(path);
    let home: Lane = this.critical;
    if (!entry) {
      entry = this.normal.paths.get(path);
      home = this.normal;
    }
    if (entry && home === this.normal && lane === this.critical) {
      // A save promotes a path the watcher already reported; its age travels with it.
      this.removeFrom(this.normal, path);
      this.addTo(this.critical, entry, now);
      home = this.critical;
    }
    if (!entry) {
      if (kind === 'delete') entry = { path, exists: false, bornInWindow: false, firstEventAt: now };
      else entry = { path, exists: true, bornInWindow: kind === 'create', firstEventAt: now };
      this.addTo(lane, entry, now);
      home = lane;
    } else if (kind === 'delete') {
      if (entry.bornInWindow) {
        // Created and deleted inside one window: the rest of the system never needs to know.
        this.removeFrom(home, path);
        return;
      }
      entry.exists = false;
    } else {
      entry.exists = true;
    }
    // A watcher event on a saved path neither demotes it nor delays the save.
    if (home === lane) {
      lane.lastEventAt = now;
      this.armTimer(lane);
    }
    if (this.pending >= this.maxBatchSize) this.flushLanes(true);
  }

  private addTo(lane: Lane, entry: PendingPath, now: number): void {
    if (lane.paths.size === 0) lane.windowStartedAt = now;
    lane.paths.set(entry.path, entry);
  }

  private removeFrom(lane: Lane, path: string): void {
    lane.paths.delete(path);
    if (lane.paths.size === 0) this.stopTimer(lane);
  }

  private armTimer(lane: Lane): void {
    if (this.realtime || lane.timer !== undefined) return;
    const wait = Math.max(0, lane.deadline - this.clock.now());
    lane.timer = this.clock.setTimeout(() => this.onTimer(lane), wait);
  }

  private stopTimer(lane: Lane): void {
    if (lane.timer === undefined) return;
    this.clock.clearTimeout(lane.timer);
    lane.timer = undefined;
  }

  private onTimer(lane: Lane): void {
    lane.timer = undefined;
    if (this.disposed || lane.paths.size === 0) return;
    const remaining = lane.deadline - this.clock.now();
    if (remaining > TIMER_SLACK_MS) {
      // Newer events moved the deadline since this timer was armed.
      lane.timer = this.clock.setTimeout(() => this.onTimer(lane), remaining);
      return;
    }
    this.flushLanes(lane === this.normal);
  }

  private queueMicrotaskFlush(): void {
    if (this.microtaskQueued) return;
    this.microtaskQueued = true;
    queueMicrotask(() => {
      this.microtaskQueued = false;
      if (!this.disposed) this.flushLanes(true);
    });
  }

  /** Critical items always go; normal items only when `includeNormal`. */
  private flushLanes(includeNormal: boolean): BatchItem[] | undefined {
    const batch: BatchItem[] = [];
    drain(this.critical, 'critical', batch);
    this.stopTimer(this.critical);
    if (includeNormal) {
      drain(this.normal, 'normal', batch);
      this.stopTimer(this.normal);
    }
    if (batch.length === 0) return undefined;
    this.emit(batch);
    return batch;
  }

  private emit(batch: BatchItem[]): void {
    // Every listener sees the batch even if an earlier one throws; the first error is rethrown.
    let failure: { error: unknown } | undefined;
    for (const listener of [...this.listeners]) {
      try {
        listener(batch);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

function drain(lane: Lane, priority: BatchPriority, into: BatchItem[]): void {
  for (const entry of lane.paths.values()) {
    into.push({ path: entry.path, action: entry.exists ? 'upsert' : 'delete', priority, firstEventAt: entry.firstEventAt });
  }
  lane.paths.clear();
}

function unbatched(event: FileEvent, priority: BatchPriority, now: number): BatchItem[] {
  if (event.kind === 'rename') {
    return [
      { path: event.from, action: 'delete', priority, firstEventAt: now },
      { path: event.path, action: 'upsert', priority, firstEventAt: now },
    ];
  }
  return [{ path: event.path, action: event.kind === 'delete' ? 'delete' : 'upsert', priority, firstEventAt: now }];
}
