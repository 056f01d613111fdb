/**
 * At most one refresh per interval, always of the latest state: the first
 * request after a quiet period runs at once, later ones collapse into one
 * trailing run. The tree uses it so it never repaints faster than once a second.
 */
export class RefreshThrottle {
  private readonly fn: () => void;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private last = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(fn: () => void, intervalMs = 1000, now: () => number = () => performance.now()) {
    this.fn = fn;
    this.intervalMs = intervalMs;
    this.now = now;
  }

  request(): void {
    if (this.timer) return;
    const wait = this.last + this.intervalMs - this.now();
    if (wait <= 0) {
      this.last = this.now();
      this.fn();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = this.now();
      this.fn();
    }, wait);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
