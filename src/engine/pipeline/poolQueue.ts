/**
 * FIFO ring buffer: O(1) push, shift and unshift, growing by doubling.
 * Array#shift is O(n) once V8 leaves its fast path, which a 10,000-file
 * ingest queue would hit on every dequeue.
 */
export class RingDeque<T> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;

  constructor(initialCapacity = 16) {
    this.items = new Array<T | undefined>(Math.max(2, initialCapacity));
  }

  get length(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  unshift(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.head = (this.head - 1 + this.items.length) % this.items.length;
    this.items[this.head] = item;
    this.count++;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Empties the deque, returning what it held in order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const bigger = new Array<T | undefined>(this.items.length * 2);
    for (let i = 0; i < this.count; i++) bigger[i] = this.items[(this.head + i) % this.items.length];
    this.items = bigger;
    this.head = 0;
  }
}

export type TaskPriority = 'critical' | 'normal' | 'batch';

const LANE: Record<TaskPriority, 0 | 1 | 2> = { critical: 0, normal: 1, batch: 2 };

/**
 * Three FIFO lanes served strictly in priority order. Items cancelled while
 * queued stay in place and are skipped when they reach the front (O(1)
 * cancellation); `depth` counts only live items.
 */
export class PriorityFifo<T> {
  private readonly lanes = [new RingDeque<T>(), new RingDeque<T>(), new RingDeque<T>()] as const;
  private readonly live = [0, 0, 0];
  private readonly isLive: (item: T) => boolean;

  constructor(isLive: (item: T) => boolean) {
    this.isLive = isLive;
  }

  get size(): number {
    return this.live[0]! + this.live[1]! + this.live[2]!;
  }

  depth(priority: TaskPriority): number {
    return this.live[LANE[priority]]!;
  }

  push(item: T, priority: TaskPriority): void {
    this.lanes[LANE[priority]].push(item);
    this.live[LANE[priority]]!++;
  }

  /** Puts an item back at the front of its lane (a retry keeps its place in line). */
  unshift(item: T, priority: TaskPriority): void {
    this.lanes[LANE[priority]].unshift(item);
    this.live[LANE[priority]]!++;
  }

  /** Call when a queued item stops being live, before it reaches the front. */
  forget(priority: TaskPriority): void {
    this.live[LANE[priority]]!--;
  }

  shift(): T | undefined {
    for (let lane = 0; lane < 3; lane++) {
      const deque = this.lanes[lane as 0 | 1 | 2];
      for (let item = deque.shift(); item !== undefined; item = deque.shift()) {
        if (!this.isLive(item)) continue;
        this.live[lane]!--;
        return item;
      }
    }
    return undefined;
  }

  /** Empties every lane, returning the live items in service order. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }
}
