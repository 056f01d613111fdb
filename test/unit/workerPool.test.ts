import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { PoolClosedError, TaskFailedError, TaskTimeoutError, WorkerCrashedError, WorkerPool } from '../../src/engine/pipeline/workerPool.ts';
import type { WorkerPoolOptions } from '../../src/engine/pipeline/workerPool.ts';
import { PriorityFifo, RingDeque } from '../../src/engine/pipeline/poolQueue.ts';
import type { TestTask } from '../fixtures/workers/taskWorker.ts';

const taskWorker = new URL('../fixtures/workers/taskWorker.ts', import.meta.url);

function pool(options: Partial<WorkerPoolOptions> = {}): WorkerPool<TestTask, unknown> {
  return new WorkerPool<TestTask, unknown>({ script: taskWorker, workerData: { counter: new SharedArrayBuffer(4) }, ...options });
}

/** Records the order in which promises settle. */
function track(order: string[], label: string, promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      order.push(label);
      return value;
    },
    (error: unknown) => {
      order.push(label);
      throw error;
    },
  );
}

test('RingDeque keeps FIFO order across wrap-around, growth and unshift', () => {
  const deque = new RingDeque<number>(2);
  const model: number[] = [];
  let next = 0;
  for (let step = 0; step < 5000; step++) {
    const op = (step * 7919) % 5;
    if (op < 2) {
      deque.push(next);
      model.push(next++);
    } else if (op === 2) {
      deque.unshift(next);
      model.unshift(next++);
    } else {
      assert.equal(deque.shift(), model.shift());
    }
    assert.equal(deque.length, model.length);
  }
  assert.deepEqual(deque.drain(), model);
  assert.equal(deque.shift(), undefined);
});

test('PriorityFifo serves lanes strictly by priority and skips cancelled items', () => {
  const cancelled = new Set<string>();
  const fifo = new PriorityFifo<string>((item) => !cancelled.has(item));
  fifo.push('b1', 'batch');
  fifo.push('n1', 'normal');
  fifo.push('c1', 'critical');
  fifo.push('b2', 'batch');
  fifo.push('n2', 'normal');
  cancelled.add('n1');
  fifo.forget('normal');
  assert.equal(fifo.depth('normal'), 1);
  assert.equal(fifo.size, 4);
  assert.deepEqual(fifo.drain(), ['c1', 'n2', 'b1', 'b2']);
  assert.equal(fifo.size, 0);
});

test('a .ts worker script runs and answers', async () => {
  const p = pool({ size: 1 });
  assert.equal(await p.run({ kind: 'echo', value: 42 }, { priority: 'normal' }), 42);
  assert.deepEqual(await p.run({ kind: 'echo', value: { a: [1, 2] } }, { priority: 'normal' }), { a: [1, 2] });
  await p.close();
});

test('CRITICAL overtakes queued BATCH tasks; FIFO within one priority', async () => {
  const p = pool({ size: 1 });
  const order: string[] = [];
  const all = [
    track(order, 'batch0', p.run({ kind: 'sleep', ms: 150 }, { priority: 'batch' })),
    track(order, 'batch1', p.run({ kind: 'noop' }, { priority: 'batch' })),
    track(order, 'batch2', p.run({ kind: 'noop' }, { priority: 'batch' })),
    track(order, 'normal1', p.run({ kind: 'noop' }, { priority: 'normal' })),
    track(order, 'batch3', p.run({ kind: 'noop' }, { priority: 'batch' })),
    track(order, 'critical1', p.run({ kind: 'noop' }, { priority: 'critical' })),
    track(order, 'critical2', p.run({ kind: 'noop' }, { priority: 'critical' })),
  ];
  assert.deepEqual(p.stats().queued, { critical: 2, normal: 1, batch: 3 });
  await Promise.all(all);
  assert.deepEqual(order, ['batch0', 'critical1', 'critical2', 'normal1', 'batch1', 'batch2', 'batch3']);
  await p.close();
});

test('back-pressure: a BATCH run waits for room while CRITICAL is admitted at once', async () => {
  const p = pool({ size: 1, maxQueue: 2 });
  const order: string[] = [];
  const running = track(order, 'A', p.run({ kind: 'sleep', ms: 150 }, { priority: 'batch' }));
  const queued = [track(order, 'B', p.run({ kind: 'noop' }, { priority: 'batch' })), track(order, 'C', p.run({ kind: 'noop' }, { priority: 'batch' }))];
  let readyResolved = false;
  const ready = p.whenReady().then(() => (readyResolved = true));
  const held = track(order, 'D', p.run({ kind: 'noop' }, { priority: 'batch' }));
  assert.equal(p.queueDepth, 2);
  assert.equal(p.stats().waitingForRoom, 1);
  const critical = track(order, 'E', p.run({ kind: 'noop' }, { priority: 'critical' }));
  assert.equal(p.queueDepth, 3, 'critical is queued beyond maxQueue');
  assert.equal(p.stats().queued.critical, 1);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(readyResolved, false);
  await Promise.all([running, ...queued, held, critical, ready]);
  assert.deepEqual(order, ['A', 'E', 'B', 'C', 'D']);
  assert.equal(readyResolved, true);
  await p.close();
});

test('back-pressure by bytes: queued sizeHints above maxQueuedBytes hold BATCH runs', async () => {
  const p = pool({ size: 1, maxQueuedBytes: 1000 });
  const running = p.run({ kind: 'sleep', ms: 100 }, { priority: 'batch', sizeHint: 5000 });
  const big = p.run({ kind: 'noop' }, { priority: 'batch', sizeHint: 5000 }); // empty queue admits anything
  const next = p.run({ kind: 'noop' }, { priority: 'batch', sizeHint: 10 });
  assert.equal(p.stats().queuedBytes, 5000);
  assert.equal(p.stats().waitingForRoom, 1);
  const normal = p.run({ kind: 'noop' }, { priority: 'normal', sizeHint: 10 });
  assert.equal(p.stats().queuedBytes, 5010);
  await Promise.all([running, big, next, normal]);
  assert.equal(p.stats().queuedBytes, 0);
  assert.equal(p.stats().waitingForRoom, 0);
  await p.close();
});

test('a task over its budget rejects with TaskTimeoutError; the worker is replaced and the pool goes on', async () => {
  const p = pool({ size: 1, taskTimeoutMs: 200 });
  const before = await p.run({ kind: 'threadId' }, { priority: 'normal' });
  const started = performance.now();
  await assert.rejects(p.run({ kind: 'spin' }, { priority: 'normal' }), (error: unknown) => {
    assert.ok(error instanceof TaskTimeoutError);
    assert.equal(error.timeoutMs, 200);
    return true;
  });
  assert.ok(performance.now() - started < 5000); // far below the 30 s default budget this guards against
  const after = await p.run({ kind: 'threadId' }, { priority: 'normal' });
  assert.notEqual(after, before);
  assert.equal(p.stats().timedOut, 1);
  assert.equal(p.stats().retried, 0);
  await p.close();
});

test('a worker that crashes once is replaced and the task retried once, successfully', async () => {
  const p = pool({ size: 1 });
  assert.equal(await p.run({ kind: 'crashOnce' }, { priority: 'normal' }), 'survived');
  const stats = p.stats();
  assert.equal(stats.crashed, 1);
  assert.equal(stats.retried, 1);
  assert.equal(stats.completed, 1);
  await p.close();
});

test('a second crash rejects with WorkerCrashedError (process.exit and async uncaught error)', async () => {
  const p = pool({ size: 2 });
  await assert.rejects(p.run({ kind: 'exit', code: 3 }, { priority: 'normal' }), (error: unknown) => {
    assert.ok(error instanceof WorkerCrashedError);
    assert.equal(error.exitCode, 3);
    assert.equal(error.attempts, 2);
    return true;
  });
  await assert.rejects(p.run({ kind: 'asyncThrow' }, { priority: 'normal' }), (error: unknown) => {
    assert.ok(error instanceof WorkerCrashedError);
    assert.match(String((error.cause as Error | undefined)?.message), /thrown outside the handler/);
    return true;
  });
  assert.equal(p.stats().crashed, 4);
  assert.equal(p.stats().retried, 2);
  assert.equal(await p.run({ kind: 'echo', value: 'alive' }, { priority: 'normal' }), 'alive');
  await p.close();
});

test('a handler error is TaskFailedError with the remote name and message; the worker is kept', async () => {
  const p = pool({ size: 1 });
  const before = await p.run({ kind: 'threadId' }, { priority: 'normal' });
  await assert.rejects(p.run({ kind: 'throw', message: 'bad input' }, { priority: 'normal' }), (error: unknown) => {
    assert.ok(error instanceof TaskFailedError);
    assert.equal(error.remote.name, 'RangeError');
    assert.equal(error.message, 'bad input');
    assert.match(error.remote.stack ?? '', /taskWorker\.ts/);
    return true;
  });
  await assert.rejects(p.run({ kind: 'reject', message: 'async bad' }, { priority: 'normal' }), { name: 'TaskFailedError', message: 'async bad' });
  await assert.rejects(p.run({ kind: 'unclonable' }, { priority: 'normal' }), (error: unknown) => error instanceof TaskFailedError && error.remote.name === 'DataCloneError');
  assert.equal(await p.run({ kind: 'threadId' }, { priority: 'normal' }), before);
  const stats = p.stats();
  assert.equal(stats.failed, 3);
  assert.equal(stats.crashed, 0);
  await p.close();
});

test('aborting a queued task removes it; aborting a running one drops its result but keeps the worker', async () => {
  const p = pool({ size: 1 });
  const id = await p.run({ kind: 'threadId' }, { priority: 'normal' });
  const blocker = p.run({ kind: 'sleep', ms: 100 }, { priority: 'normal' });
  const controller = new AbortController();
  const queued = p.run({ kind: 'echo', value: 'never' }, { priority: 'normal', signal: controller.signal });
  assert.equal(p.queueDepth, 1);
  controller.abort();
  await assert.rejects(queued, { name: 'AbortError' });
  assert.equal(p.queueDepth, 0);
  await blocker;

  const running = new AbortController();
  const started = performance.now();
  const slow = p.run({ kind: 'sleep', ms: 300 }, { priority: 'normal', signal: running.signal });
  setTimeout(() => running.abort(), 20);
  await assert.rejects(slow, { name: 'AbortError' });
  assert.ok(performance.now() - started < 250, 'rejected at abort time, not when the task ended');
  assert.equal(await p.run({ kind: 'threadId' }, { priority: 'normal' }), id);
  assert.equal(p.stats().completed, 3, 'the aborted running task was not counted as completed');
  await assert.rejects(p.run({ kind: 'noop' }, { priority: 'normal', signal: AbortSignal.abort() }), { name: 'AbortError' });
  await p.close();
});

test('transfer moves an ArrayBuffer instead of copying it', async () => {
  const p = pool({ size: 1 });
  const buffer = new ArrayBuffer(1024);
  assert.equal(await p.run({ kind: 'bytes', buffer }, { priority: 'normal', transfer: [buffer] }), 1024);
  assert.equal(buffer.byteLength, 0, 'detached after transfer');
  await p.close();
});

test('close drain finishes queued work; close cancel rejects queued and running tasks', async () => {
  const drained = pool({ size: 1 });
  const work = [1, 2, 3].map((value) => drained.run({ kind: 'sleep', ms: 20, value }, { priority: 'batch' }));
  await drained.close({ mode: 'drain' });
  assert.deepEqual(await Promise.all(work), [1, 2, 3]);
  assert.equal(drained.stats().workers, 0);
  await assert.rejects(drained.run({ kind: 'noop' }, { priority: 'critical' }), PoolClosedError);

  const cancelled = pool({ size: 1 });
  const running = cancelled.run({ kind: 'sleep', ms: 5000 }, { priority: 'normal' });
  const queued = cancelled.run({ kind: 'noop' }, { priority: 'normal' });
  const runningRejects = assert.rejects(running, PoolClosedError);
  const queuedRejects = assert.rejects(queued, PoolClosedError);
  const started = performance.now();
  await cancelled.close({ mode: 'cancel' });
  await Promise.all([runningRejects, queuedRejects]);
  assert.ok(performance.now() - started < 5000); // far below the 30 s default budget this guards against
  assert.equal(cancelled.stats().workers, 0);
  await assert.rejects(cancelled.whenReady(), PoolClosedError);
});

test('an init hook runs before the first task; a failed init fails tasks instead of killing the worker', async () => {
  const initWorker = new URL('../fixtures/workers/initWorker.ts', import.meta.url);
  const ok = new WorkerPool<string, string>({ script: initWorker, size: 1, workerData: { failInit: false } });
  assert.equal(await ok.run('t', { priority: 'normal' }), 't:warm');
  await ok.close();
  const failing = new WorkerPool<string, string>({ script: initWorker, size: 1, workerData: { failInit: true } });
  await assert.rejects(failing.run('t', { priority: 'normal' }), { name: 'TaskFailedError', message: 'parser failed to load' });
  await assert.rejects(failing.run('u', { priority: 'normal' }), { name: 'TaskFailedError' });
  assert.equal(failing.stats().crashed, 0);
  await failing.close();
});

test('many small tasks across two workers all come back right (round-trip overhead)', async (t) => {
  const p = pool({ size: 2 });
  p.warmUp();
  await Promise.all([0, 1, 2, 3].map(() => p.run({ kind: 'noop' }, { priority: 'normal' })));
  const count = 10_000;
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, (_, i) => p.run({ kind: 'echo', value: i }, { priority: 'batch' })));
  const elapsed = performance.now() - started;
  assert.ok(results.every((value, i) => value === i));
  const stats = p.stats();
  t.diagnostic(`${count} tasks, 2 workers: ${((elapsed * 1000) / count).toFixed(1)} µs/task wall, mean overhead per task ${(stats.meanOverheadMs * 1000).toFixed(0)} µs (queueing included)`);
  assert.equal(stats.completed, count + 4);
  await p.close();
});

for (const mode of ['drain', 'cancel', 'forget']) {
  test(`a process using the pool exits by itself (${mode})`, async () => {
    const script = fileURLToPath(new URL('../fixtures/workers/exitAfterPool.ts', import.meta.url));
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(process.execPath, [script, mode], { timeout: 15_000 }, (error, out) => (error ? reject(error) : resolve({ stdout: out })));
    });
    assert.equal(stdout.trim(), '[1,2,3,4]');
  });
}

test("a task's time budget starts after the worker's init, not before", async () => {
  // initWorker's init takes longer than this budget; the task itself is quick.
  const pool = new WorkerPool<{ kind: string }, unknown>({ script: new URL('../fixtures/workers/slowInitWorker.ts', import.meta.url), size: 1, taskTimeoutMs: 150 });
  try {
    assert.equal(await pool.run({ kind: 'ping' }, { priority: 'normal' }), 'pong');
    assert.equal(pool.stats().timedOut, 0);
  } finally {
    await pool.close({ mode: 'cancel' });
  }
});

test('shared state reaches every worker ahead of later tasks, replacements included', async () => {
  const p = pool({ size: 2 });
  try {
    assert.equal(await p.run({ kind: 'shared' }, { priority: 'normal' }), 'nothing shared');
    p.setShared({ version: 1 });
    // Both workers (one already running, one spawned later) answer with it.
    const both = await Promise.all([p.run({ kind: 'shared' }, { priority: 'normal' }), p.run({ kind: 'sleep', ms: 50 }, { priority: 'normal' }).then(() => p.run({ kind: 'shared' }, { priority: 'normal' })), p.run({ kind: 'shared' }, { priority: 'normal' })]);
    assert.deepEqual(both, [{ version: 1 }, { version: 1 }, { version: 1 }]);
    p.setShared({ version: 2 });
    assert.deepEqual(await p.run({ kind: 'shared' }, { priority: 'normal' }), { version: 2 });
    // A worker that dies is replaced; the replacement holds the latest state before its first task.
    await assert.rejects(p.run({ kind: 'exit', code: 3 }, { priority: 'normal' }));
    await assert.rejects(p.run({ kind: 'exit', code: 3 }, { priority: 'normal' }));
    const after = await Promise.all([p.run({ kind: 'shared' }, { priority: 'normal' }), p.run({ kind: 'shared' }, { priority: 'normal' })]);
    assert.deepEqual(after, [{ version: 2 }, { version: 2 }]);
    assert.ok(p.stats().crashed >= 1);
  } finally {
    await p.close({ mode: 'cancel' });
  }
});

test('prefetch: tasks held in a worker port all come back right, also when an async one finishes out of order', async () => {
  const p = pool({ size: 2, prefetch: 2 });
  try {
    const values = Array.from({ length: 300 }, (_, i) => i);
    const echoes = await Promise.all(values.map((value) => p.run({ kind: 'echo', value }, { priority: 'batch' })));
    assert.deepEqual(echoes, values);
    // A slow async task, then quick ones that may be held behind it in the same port.
    const mixed = await Promise.all([p.run({ kind: 'sleep', ms: 80, value: 'slow' }, { priority: 'batch' }), ...[1, 2, 3, 4, 5].map((value) => p.run({ kind: 'echo', value }, { priority: 'batch' }))]);
    assert.deepEqual(mixed, ['slow', 1, 2, 3, 4, 5]);
    assert.equal(p.stats().busyWorkers, 0);
  } finally {
    await p.close({ mode: 'cancel' });
  }
});

test('prefetch: tasks held behind one that times out or crashes run elsewhere and succeed', async () => {
  const p = pool({ size: 1, prefetch: 3, taskTimeoutMs: 300 });
  try {
    // Warm the worker first: tasks are held only behind a ready worker's current task.
    assert.equal(await p.run({ kind: 'echo', value: 0 }, { priority: 'batch' }), 0);
    const stuck = p.run({ kind: 'spin' }, { priority: 'batch' });
    const behind = [1, 2, 3].map((value) => p.run({ kind: 'echo', value }, { priority: 'batch' }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(p.stats().queued.batch, 0, 'the three tasks are held in the busy worker, not queued here');
    await assert.rejects(stuck, TaskTimeoutError);
    assert.deepEqual(await Promise.all(behind), [1, 2, 3]);
    const crash = p.run({ kind: 'exit', code: 5 }, { priority: 'batch' });
    const afterCrash = [4, 5].map((value) => p.run({ kind: 'echo', value }, { priority: 'batch' }));
    await assert.rejects(crash, WorkerCrashedError);
    assert.deepEqual(await Promise.all(afterCrash), [4, 5]);
    const stats = p.stats();
    assert.equal(stats.timedOut, 1);
    assert.equal(stats.failed, 0);
  } finally {
    await p.close({ mode: 'cancel' });
  }
});
