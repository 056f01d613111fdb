/**
 * Runs a callback at most once per interval however often it is requested,
 * always delivering the latest state: the first request after a quiet period
 * goes out on the next turn of the event loop, later ones are merged into one
 * call at the end of the interval. No timers run while nothing is requested.
 */
export interface CoalescerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const systemClock: CoalescerClock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Coalescer {
  private readonly fn: () => void;
  private readonly intervalMs: number;
  private readonly clock: CoalescerClock;
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: unknown;
  private due = Number.POSITIVE_INFINITY;
  private disposed = false;

  constructor(fn: () => void, intervalMs = 1000, clock: CoalescerClock = systemClock) {
    this.fn = fn;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  request(): void {
    this.schedule(this.intervalMs);
  }

  /**
   * For a change the user is waiting to see (a saved file reached the graph):
   * runs as soon as `minIntervalMs` has passed since the last run, moving an
   * already scheduled run earlier if need be.
   */
  requestSoon(minIntervalMs: number): void {
    this.schedule(Math.min(minIntervalMs, this.intervalMs));
  }

  private schedule(intervalMs: number): void {
    if (this.disposed) return;
    const due = Math.max(this.clock.now(), this.lastRun + intervalMs);
    if (this.timer !== undefined) {
      if (this.due <= due) return;
      this.clock.clearTimeout(this.timer);
    }
    this.due = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (this.disposed) return;
      this.lastRun = this.clock.now();
      this.fn();
    }, due - this.clock.now());
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
