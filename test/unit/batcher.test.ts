import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Batcher } from '../../src/engine/pipeline/batcher.ts';
import type { BatchItem, BatcherClock, BatcherOptions } from '../../src/engine/pipeline/batcher.ts';

/** Time only moves when the test says so; due timers run in deadline order. */
class FakeClock implements BatcherClock {
  time = 1000;
  private nextId = 1;
  private readonly timers = new Map<number, { due: number; callback: () => void }>();

  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { due: this.time + ms, callback });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }
  get activeTimers(): number {
    return this.timers.size;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: [number, { due: number; callback: () => void }] | undefined;
      for (const timer of this.timers) if (timer[1].due <= end && (!next || timer[1].due < next[1].due)) next = timer;
      if (!next) break;
      this.timers.delete(next[0]);
      this.time = next[1].due;
      next[1].callback();
    }
    this.time = end;
  }
}

function setup(options: BatcherOptions = {}): { clock: FakeClock; batcher: Batcher; batches: BatchItem[][] } {
  const clock = new FakeClock();
  const batches: BatchItem[][] = [];
  const batcher = new Batcher({ clock, ...options });
  batcher.onBatch((batch) => batches.push(batch));
  return { clock, batcher, batches };
}

const summary = (batch: BatchItem[] | undefined): string[] => (batch ?? []).map((i) => `${i.action} ${i.path} ${i.priority}`);

test('create then delete inside one window emits nothing at all', () => {
  const { clock, batcher, batches } = setup();
  batcher.push({ kind: 'create', path: 'a.sql' });
  batcher.push({ kind: 'change', path: 'a.sql' });
  batcher.push({ kind: 'delete', path: 'a.sql' });
  assert.equal(batcher.pending, 0);
  clock.advance(60_000);
  assert.equal(batches.length, 0);
  assert.equal(batcher.flush(), undefined);
  assert.equal(clock.activeTimers, 0);
});

test('delete then create is an upsert; change then delete is a delete; duplicates merge', () => {
  const { batcher } = setup();
  batcher.push({ kind: 'delete', path: 'a.sql' });
  batcher.push({ kind: 'create', path: 'a.sql' });
  batcher.push({ kind: 'change', path: 'b.sql' });
  batcher.push({ kind: 'delete', path: 'b.sql' });
  batcher.push({ kind: 'change', path: 'c.sql' });
  batcher.push({ kind: 'change', path: 'c.sql' });
  assert.equal(batcher.pending, 3);
  assert.deepEqual(summary(batcher.flush()), ['upsert a.sql normal', 'delete b.sql normal', 'upsert c.sql normal']);
  assert.equal(batcher.pending, 0);
});

test('rename is delete + create; a pending create then rename is create only; chains collapse', () => {
  const { batcher } = setup();
  batcher.push({ kind: 'rename', from: 'old.sql', path: 'new.sql' });
  assert.deepEqual(summary(batcher.flush()), ['delete old.sql normal', 'upsert new.sql normal']);

  batcher.push({ kind: 'create', path: 'a.sql' });
  batcher.push({ kind: 'rename', from: 'a.sql', path: 'b.sql' });
  assert.deepEqual(summary(batcher.flush()), ['upsert b.sql normal']);

  batcher.push({ kind: 'rename', from: 'x.sql', path: 'y.sql' });
  batcher.push({ kind: 'rename', from: 'y.sql', path: 'z.sql' });
  assert.deepEqual(summary(batcher.flush()), ['delete x.sql normal', 'upsert z.sql normal']);
});

test('firstEventAt is the earliest merged event, even across a delete/create pair', () => {
  const { clock, batcher } = setup();
  batcher.push({ kind: 'delete', path: 'a.sql' });
  clock.advance(100);
  batcher.push({ kind: 'create', path: 'a.sql' });
  const [item] = batcher.flush() ?? [];
  assert.equal(item?.firstEventAt, 1000);
  assert.equal(item?.action, 'upsert');
});

test('watcher window is trailing and restarts with each event', () => {
  const { clock, batcher, batches } = setup({ debounceMs: 5000 });
  batcher.push({ kind: 'change', path: 'a.sql' });
  clock.advance(4000);
  batcher.push({ kind: 'change', path: 'b.sql' });
  clock.advance(4000);
  assert.equal(batches.length, 0, 'window restarted at 4000 ms');
  clock.advance(1000);
  assert.equal(batches.length, 1);
  assert.deepEqual(summary(batches[0]), ['upsert a.sql normal', 'upsert b.sql normal']);
  assert.equal(clock.activeTimers, 0);
});

test('a steady stream cannot starve pending items past maxWaitMs', () => {
  const { clock, batcher, batches } = setup({ debounceMs: 1000, maxWaitMs: 3000 });
  const started = clock.now();
  for (let i = 0; i < 10 && batches.length === 0; i++) {
    batcher.push({ kind: 'change', path: `f${i}.sql` });
    clock.advance(500);
  }
  assert.equal(batches.length, 1);
  assert.equal(batches[0]?.[0]?.path, 'f0.sql');
  assert.ok(clock.now() - started <= 3000 + 500, `flushed after ${clock.now() - started} ms`);
  assert.equal(batches[0]?.length, 6); // f0..f5 pushed at 0, 500, ..., 2500; flushed at 3000
});

test('a save flushes on its short window and leaves watcher items pending', () => {
  const { clock, batcher, batches } = setup({ debounceMs: 5000, saveDebounceMs: 150 });
  batcher.push({ kind: 'change', path: 'generated.sql' });
  clock.advance(100);
  batcher.push({ kind: 'save', path: 'edited.sql' });
  // The watcher notices the same write: it must not demote or delay the save.
  clock.advance(100);
  batcher.push({ kind: 'change', path: 'edited.sql' });
  clock.advance(50);
  assert.equal(batches.length, 1);
  assert.deepEqual(summary(batches[0]), ['upsert edited.sql critical']);
  assert.equal(batches[0]?.[0]?.firstEventAt, 1100);
  assert.equal(batcher.pending, 1);
  clock.advance(5000);
  assert.deepEqual(summary(batches[1]), ['upsert generated.sql normal']);
});

test('a save promotes a path the watcher already reported and keeps its age', () => {
  const { clock, batcher, batches } = setup();
  batcher.push({ kind: 'change', path: 'a.sql' });
  clock.advance(1000);
  batcher.push({ kind: 'save', path: 'a.sql' });
  assert.equal(batcher.pending, 1);
  clock.advance(150);
  assert.deepEqual(summary(batches[0]), ['upsert a.sql critical']);
  assert.equal(batches[0]?.[0]?.firstEventAt, 1000);
  clock.advance(10_000);
  assert.equal(batches.length, 1);
});

test('a watcher flush carries pending saves too, critical first', () => {
  const { clock, batcher, batches } = setup({ debounceMs: 100, saveDebounceMs: 1000 });
  batcher.push({ kind: 'change', path: 'w.sql' });
  batcher.push({ kind: 'save', path: 's.sql' });
  clock.advance(100);
  assert.deepEqual(summary(batches[0]), ['upsert s.sql critical', 'upsert w.sql normal']);
  clock.advance(5000);
  assert.equal(batches.length, 1);
});

test('reaching maxBatchSize flushes at once; a 10,000-event burst gives 200 batches of 50', (t) => {
  const { clock, batcher, batches } = setup({ maxBatchSize: 50 });
  const started = performance.now();
  for (let i = 0; i < 10_000; i++) batcher.push({ kind: 'change', path: `src/models/file_${i}.sql` });
  const elapsed = performance.now() - started;
  t.diagnostic(`10,000-event burst: ${elapsed.toFixed(2)} ms`);
  assert.equal(batches.length, 200);
  assert.ok(batches.every((b) => b.length === 50));
  assert.equal(new Set(batches.flat().map((i) => i.path)).size, 10_000);
  assert.equal(batcher.pending, 0);
  assert.ok(elapsed < 200, `burst took ${elapsed} ms`);
  clock.advance(60_000);
  assert.equal(batches.length, 200);
});

test('repeated events on the same paths cost no extra batches', () => {
  const { batcher, batches } = setup({ maxBatchSize: 50 });
  for (let round = 0; round < 100; round++) for (let i = 0; i < 10; i++) batcher.push({ kind: 'change', path: `f${i}.sql` });
  assert.equal(batches.length, 0);
  assert.equal(batcher.flush()?.length, 10);
});

test('realtime mode flushes on the next microtask and merges events of the same tick', async () => {
  const { batcher, batches } = setup({ realtime: true });
  batcher.push({ kind: 'create', path: 'a.sql' });
  batcher.push({ kind: 'change', path: 'a.sql' });
  batcher.push({ kind: 'save', path: 'b.sql' });
  assert.equal(batches.length, 0);
  await Promise.resolve();
  assert.deepEqual(summary(batches[0]), ['upsert b.sql critical', 'upsert a.sql normal']);
  batcher.push({ kind: 'change', path: 'c.sql' });
  await Promise.resolve();
  assert.equal(batches.length, 2);
});

test('batching: false emits every event alone and at once', () => {
  const { batcher, batches } = setup({ batching: false });
  batcher.push({ kind: 'create', path: 'a.sql' });
  batcher.push({ kind: 'delete', path: 'a.sql' });
  batcher.push({ kind: 'rename', from: 'b.sql', path: 'c.sql' });
  batcher.push({ kind: 'save', path: 'c.sql' });
  assert.deepEqual(batches.map(summary), [
    ['upsert a.sql normal'],
    ['delete a.sql normal'],
    ['delete b.sql normal', 'upsert c.sql normal'],
    ['upsert c.sql critical'],
  ]);
  assert.equal(batcher.pending, 0);
});

test('dispose clears timers and nothing is emitted afterwards', () => {
  const { clock, batcher, batches } = setup();
  batcher.push({ kind: 'change', path: 'a.sql' });
  batcher.push({ kind: 'save', path: 'b.sql' });
  assert.equal(clock.activeTimers, 2);
  batcher.dispose();
  assert.equal(clock.activeTimers, 0);
  batcher.push({ kind: 'change', path: 'c.sql' });
  clock.advance(60_000);
  assert.equal(batcher.flush(), undefined);
  assert.equal(batches.length, 0);
});

test('a burst restarts no timers: one armed timer per lane', () => {
  const { clock, batcher } = setup();
  for (let i = 0; i < 40; i++) batcher.push({ kind: 'change', path: `f${i}.sql` });
  assert.equal(clock.activeTimers, 1);
});

test('unsubscribed listeners stop receiving batches', () => {
  const { batcher, batches } = setup();
  const extra: BatchItem[][] = [];
  const off = batcher.onBatch((b) => extra.push(b));
  batcher.push({ kind: 'change', path: 'a.sql' });
  batcher.flush();
  off();
  batcher.push({ kind: 'change', path: 'b.sql' });
  batcher.flush();
  assert.equal(batches.length, 2);
  assert.equal(extra.length, 1);
});

test('smoke: the real clock flushes a save within its window', async () => {
  const batches: BatchItem[][] = [];
  const batcher = new Batcher({ saveDebounceMs: 20, onBatch: (b) => batches.push(b) });
  const started = performance.now();
  batcher.push({ kind: 'save', path: 'a.sql' });
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(batches.length, 1);
  assert.ok((batches[0]?.[0]?.firstEventAt ?? 0) >= started);
  batcher.dispose();
});
