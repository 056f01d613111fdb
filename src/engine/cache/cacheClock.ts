/**
 * The most cache time one observation of the wall clock can add. A laptop
 * asleep for a month or a clock set years ahead ages entries by one day; a
 * long-running process that looks at the clock often loses nothing.
 */
export const MAX_CLOCK_STEP_MS = 24 * 60 * 60 * 1000;

/**
 * Time as the cache sees it, in ms: it follows the wall clock but never goes
 * backwards and never jumps forward by more than MAX_CLOCK_STEP_MS at once.
 * Entry ages (LRU order and TTL) are measured in it, so a clock that jumps
 * by years neither expires every entry at once nor makes new entries look
 * older than old ones. Keys are content hashes, so no clock can make an
 * entry wrong; the clock only decides which entries cleanup removes.
 */
export class CacheClock {
  private cacheTime: number;
  private lastWall: number;
  private readonly wall: () => number;

  constructor(wall: () => number, saved?: { cacheTime: number; lastWall: number }) {
    this.wall = wall;
    const start = this.readWall() ?? 0;
    this.cacheTime = saved?.cacheTime ?? start;
    this.lastWall = saved?.lastWall ?? start;
  }

  now(): number {
    const wall = this.readWall();
    if (wall === undefined) return this.cacheTime;
    const step = wall - this.lastWall;
    this.lastWall = wall;
    if (step > 0) this.cacheTime += Math.min(step, MAX_CLOCK_STEP_MS);
    return this.cacheTime;
  }

  /** What to persist so the next session continues from here. */
  snapshot(): { cacheTime: number; lastWall: number } {
    return { cacheTime: this.cacheTime, lastWall: this.lastWall };
  }

  private readWall(): number | undefined {
    let value: number;
    try {
      value = this.wall();
    } catch {
      return undefined;
    }
    return Number.isFinite(value) ? Math.floor(value) : undefined;
  }
}
