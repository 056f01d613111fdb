import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ResourceLimits, TransferListItem } from 'node:worker_threads';
import { PoolClosedError, TaskFailedError, TaskTimeoutError, WorkerCrashedError, abortError } from './poolErrors.ts';
import type { SharedState, TaskRequest, TaskResponse } from './poolProtocol.ts';
import { isTaskResponse, isWorkerReady } from './poolProtocol.ts';
import { PriorityFifo, RingDeque } from './poolQueue.ts';
import type { TaskPriority } from './poolQueue.ts';

export { PoolClosedError, TaskFailedError, TaskTimeoutError, WorkerCrashedError } from './poolErrors.ts';
export type { TaskPriority } from './poolQueue.ts';

export interface WorkerPoolOptions {
  /** Worker script (a .ts file works under Node 22 type stripping); it should call serveTasks(). */
  script: URL | string;
  /** Default Math.min(4, os.availableParallelism()). */
  size?: number;
  /** Budget per task; on expiry the worker is terminated and replaced. Default 30000; Infinity disables. */
  taskTimeoutMs?: number;
  /** Queued (not running) tasks above which 'batch' runs wait. Default unlimited. */
  maxQueue?: number;
  /** Sum of queued sizeHints above which 'batch' runs wait. Default unlimited. */
  maxQueuedBytes?: number;
  workerData?: unknown;
  resourceLimits?: ResourceLimits;
  execArgv?: string[];
  /**
   * Tasks a busy worker may hold besides the one it runs (default 0): they
   * wait in its port, so it starts the next at once instead of waiting for
   * this thread to read its answer and send more. Worth it when this thread
   * is itself busy in long stretches (storing results); a task held behind
   * another starts its budget only when it reaches the head. A function is
   * asked at each dispatch (e.g. fewer while an editor is saving, since a
   * save sent to a worker waits behind what it holds).
   */
  prefetch?: number | (() => number);
}

export interface RunOptions {
  /** Strict order critical > normal > batch, FIFO within one priority. */
  priority: TaskPriority;
  /** Approximate bytes the task carries, for maxQueuedBytes. */
  sizeHint?: number;
  /** Aborting removes a queued task, or discards a running task's result (its worker is kept). */
  signal?: AbortSignal;
  /** ArrayBuffers etc. to move instead of copy. A task sent with a transfer list is not retried after a crash. */
  transfer?: readonly TransferListItem[];
}

export interface WorkerPoolStats {
  completed: number;
  failed: number;
  timedOut: number;
  /** Workers lost to an uncaught error, process.exit or OOM (with or without a task). */
  crashed: number;
  retried: number;
  aborted: number;
  queued: Record<TaskPriority, number>;
  /** 'batch' runs held back by back-pressure, not yet queued. */
  waitingForRoom: number;
  queuedBytes: number;
  busyWorkers: number;
  workers: number;
  /** Dispatch-to-answer time, over completed and failed tasks. */
  meanTaskMs: number;
  maxTaskMs: number;
  /** Round trip minus the handler's own time as measured in the worker: messaging + scheduling cost. */
  meanOverheadMs: number;
}

type TaskState = 'waiting' | 'queued' | 'running' | 'done';

interface TaskEntry {
  readonly id: number;
  readonly task: unknown;
  readonly priority: TaskPriority;
  readonly sizeHint: number;
  readonly transfer: readonly TransferListItem[] | undefined;
  readonly signal: AbortSignal | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (reason: unknown) => void;
  state: TaskState;
  attempts: number;
  dispatchedAt: number;
  onAbort: (() => void) | undefined;
}

interface PoolWorker {
  readonly thread: Worker;
  current: TaskEntry | undefined;
  /** Sent after `current`, waiting in the worker's port (see WorkerPoolOptions.prefetch). */
  ahead: TaskEntry[];
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Its init has finished: task budgets run only from then on. */
  ready: boolean;
  /** Terminated on purpose (timeout, close) or already dead: later events from it are ignored. */
  retired: boolean;
  lastError: unknown;
}

/** How long a worker's init may take before its first task counts as timed out anyway. */
const INIT_ALLOWANCE_MS = 60_000;

/** setTimeout cannot wait longer than this; larger budgets mean "no timeout". */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A priority pool over node:worker_threads.
 *
 * - Workers start lazily, on the first task that finds no idle worker, so a
 *   language server pays nothing until it parses; `warmUp()` starts them all
 *   ahead of time. Idle workers are unref'd, busy ones ref'd: a CLI that
 *   forgets close() still exits once its work is done.
 * - Back-pressure applies only to 'batch': 'critical' and 'normal' are always
 *   admitted (a save is never refused), 'batch' waits in FIFO order for room.
 * - close({ mode: 'cancel' }) terminates running tasks too (they reject with
 *   PoolClosedError): cancel means "stop now", and a stuck parse could
 *   otherwise hold shutdown for the whole task budget.
 */
export class WorkerPool<TTask, TResult> {
  readonly size: number;
  private readonly script: URL | string;
  private readonly taskTimeoutMs: number;
  private readonly maxQueue: number;
  private readonly maxQueuedBytes: number;
  private readonly workerData: unknown;
  private readonly resourceLimits: ResourceLimits | undefined;
  private readonly execArgv: string[] | undefined;
  private readonly prefetch: () => number;

  private shared: SharedState | undefined;
  private readonly workers = new Set<PoolWorker>();
  private readonly idle: PoolWorker[] = [];
  /** Terminations still in flight; close() resolves only after they end. */
  private readonly terminating = new Set<Promise<unknown>>();
  private readonly queue = new PriorityFifo<TaskEntry>((entry) => entry.state === 'queued');
  private readonly waiting = new RingDeque<TaskEntry>();
  private waitingLive = 0;
  private queuedBytes = 0;
  private readyWaiters: { resolve: () => void; reject: (reason: unknown) => void }[] = [];
  private nextId = 1;

  private closing: { mode: 'drain' | 'cancel'; done: Promise<void>; finish: () => void } | undefined;

  private counters = { completed: 0, failed: 0, timedOut: 0, crashed: 0, retried: 0, aborted: 0 };
  private timing = { answered: 0, totalMs: 0, maxMs: 0, measured: 0, overheadMs: 0 };

  constructor(options: WorkerPoolOptions) {
    this.script = typeof options.script === 'string' && options.script.startsWith('file:') ? new URL(options.script) : options.script;
    this.size = Math.max(1, Math.floor(options.size ?? Math.min(4, os.availableParallelism())));
    this.taskTimeoutMs = options.taskTimeoutMs ?? 30_000;
    this.maxQueue = options.maxQueue ?? Infinity;
    this.maxQueuedBytes = options.maxQueuedBytes ?? Infinity;
    this.workerData = options.workerData;
    this.resourceLimits = options.resourceLimits;
    this.execArgv = options.execArgv;
    const prefetch = options.prefetch ?? 0;
    this.prefetch = typeof prefetch === 'number' ? () => prefetch : prefetch;
  }

  /** Tasks queued and not yet running (excludes 'batch' runs still waiting for room). */
  get queueDepth(): number {
    return this.queue.size;
  }

  get busyWorkers(): number {
    return this.workers.size - this.idle.length;
  }

  run(task: TTask, options: RunOptions): Promise<TResult> {
    if (this.closing) return Promise.reject(new PoolClosedError());
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise<TResult>((resolve, reject) => {
      const entry: TaskEntry = {
        id: this.nextId++,
        task,
        priority: options.priority,
        sizeHint: Math.max(0, options.sizeHint ?? 0),
        transfer: options.transfer,
        signal,
        resolve: resolve as (value: unknown) => void,
        reject,
        state: 'waiting',
        attempts: 0,
        dispatchedAt: 0,
        onAbort: undefined,
      };
      if (signal) {
        entry.onAbort = () => this.abort(entry);
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      if (entry.priority === 'batch' && (this.waitingLive > 0 || !this.hasRoomFor(entry.sizeHint))) {
        this.waiting.push(entry);
        this.waitingLive++;
      } else {
        this.enqueue(entry);
      }
      this.pump();
    });
  }

  /** Resolves when a 'batch' task would be queued at once (use it to avoid reading input too early). */
  whenReady(): Promise<void> {
    if (this.closing) return Promise.reject(new PoolClosedError());
    if (this.batchHasRoom()) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** Starts every worker now instead of on demand. */
  warmUp(): void {
    if (this.closing) return;
    while (this.workers.size < this.size) this.idle.push(this.spawn());
  }

  stats(): WorkerPoolStats {
    const { answered, totalMs, maxMs, measured, overheadMs } = this.timing;
    return {
      ...this.counters,
      queued: { critical: this.queue.depth('critical'), normal: this.queue.depth('normal'), batch: this.queue.depth('batch') },
      waitingForRoom: this.waitingLive,
      queuedBytes: this.queuedBytes,
      busyWorkers: this.busyWorkers,
      workers: this.workers.size,
      meanTaskMs: answered === 0 ? 0 : totalMs / answered,
      maxTaskMs: maxMs,
      meanOverheadMs: measured === 0 ? 0 : overheadMs / measured,
    };
  }

  /**
   * 'drain' (default): runs everything already accepted, then terminates the
   * workers. 'cancel': rejects queued and running tasks with PoolClosedError
   * and terminates the workers at once. Either way `run` rejects afterwards.
   */
  close(options: { mode?: 'drain' | 'cancel' } = {}): Promise<void> {
    if (this.closing) return this.closing.done;
    const mode = options.mode ?? 'drain';
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    this.closing = { mode, done, finish };
    for (const waiter of this.readyWaiters) waiter.reject(new PoolClosedError());
    this.readyWaiters = [];
    if (mode === 'cancel') {
      for (const entry of this.waiting.drain()) if (entry.state === 'waiting') this.settle(entry, new PoolClosedError(), false);
      this.waitingLive = 0;
      for (const entry of this.queue.drain()) this.settle(entry, new PoolClosedError(), false);
      this.queuedBytes = 0;
      for (const worker of [...this.workers]) {
        const entries = [worker.current, ...worker.ahead];
        worker.ahead = [];
        this.retire(worker);
        for (const entry of entries) if (entry && entry.state === 'running') this.settle(entry, new PoolClosedError('Worker pool closed while the task ran'), false);
      }
    }
    this.finishDrainIfIdle();
    return done;
  }

  private hasRoomFor(sizeHint: number): boolean {
    if (this.queue.size + 1 > this.maxQueue) return false;
    // An empty queue admits any task, however large, or a big file could never be queued.
    return this.queuedBytes === 0 || this.queuedBytes + sizeHint <= this.maxQueuedBytes;
  }

  private batchHasRoom(): boolean {
    return this.waitingLive === 0 && this.queue.size < this.maxQueue && (this.queuedBytes === 0 || this.queuedBytes < this.maxQueuedBytes);
  }

  private enqueue(entry: TaskEntry): void {
    entry.state = 'queued';
    this.queue.push(entry, entry.priority);
    this.queuedBytes += entry.sizeHint;
  }

  /** Hands queued tasks to free workers and lets waiting 'batch' runs in as room appears. */
  private pump(): void {
    for (;;) {
      while (this.queue.size > 0) {
        const worker = this.idle.pop() ?? (this.workers.size < this.size ? this.trySpawn() : undefined) ?? this.prefetchTarget();
        if (!worker) break;
        const entry = this.queue.shift();
        if (!entry) {
          this.makeIdle(worker);
          break;
        }
        this.queuedBytes -= entry.sizeHint;
        this.dispatch(worker, entry);
      }
      if (!this.admitWaiting()) break;
    }
    if (this.readyWaiters.length > 0 && this.batchHasRoom()) {
      const waiters = this.readyWaiters;
      this.readyWaiters = [];
      for (const waiter of waiters) waiter.resolve();
    }
    this.finishDrainIfIdle();
  }

  /** A warm, busy worker with room for one more task in its port, the least loaded; undefined when none. */
  private prefetchTarget(): PoolWorker | undefined {
    const limit = Math.max(0, Math.floor(this.prefetch()));
    if (limit === 0) return undefined;
    let best: PoolWorker | undefined;
    for (const worker of this.workers) {
      if (worker.retired || !worker.ready || !worker.current || worker.ahead.length >= limit) continue;
      if (!best || worker.ahead.length < best.ahead.length) best = worker;
    }
    return best;
  }

  /** Moves waiting 'batch' runs into the queue while there is room; true if any moved. */
  private admitWaiting(): boolean {
    let admitted = false;
    for (let entry = this.waiting.peek(); entry !== undefined; entry = this.waiting.peek()) {
      if (entry.state !== 'waiting') {
        this.waiting.shift();
        continue;
      }
      if (!this.hasRoomFor(entry.sizeHint)) break;
      this.waiting.shift();
      this.waitingLive--;
      this.enqueue(entry);
      admitted = true;
    }
    return admitted && this.idle.length + (this.size - this.workers.size) > 0;
  }

  /**
   * new Worker throws synchronously for a bad path or bad execArgv. With no
   * worker alive nothing could ever run, so everything accepted fails with
   * that error instead of hanging.
   */
  private trySpawn(): PoolWorker | undefined {
    try {
      return this.spawn();
    } catch (error) {
      if (this.workers.size === 0) {
        for (const entry of this.queue.drain()) this.settle(entry, error, false);
        for (const entry of this.waiting.drain()) if (entry.state === 'waiting') this.settle(entry, error, false);
        this.queuedBytes = 0;
        this.waitingLive = 0;
      }
      return undefined;
    }
  }

  /**
   * Sets the state every worker holds (see SharedState): posted to the live
   * workers now and to every worker spawned later (a replacement after a
   * crash or timeout too), always ahead of the tasks run after this call.
   */
  setShared(value: unknown): void {
    this.shared = { shared: value };
    for (const worker of this.workers) if (!worker.retired) worker.thread.postMessage(this.shared);
  }

  private spawn(): PoolWorker {
    const thread = new Worker(this.script, {
      workerData: this.workerData,
      ...(this.resourceLimits ? { resourceLimits: this.resourceLimits } : {}),
      ...(this.execArgv ? { execArgv: this.execArgv } : {}),
    });
    if (this.shared) thread.postMessage(this.shared);
    const worker: PoolWorker = { thread, current: undefined, ahead: [], timer: undefined, retired: false, ready: false, lastError: undefined };
    thread.unref();
    thread.on('message', (message: unknown) => this.onMessage(worker, message));
    thread.on('messageerror', (error: unknown) => this.onMessageError(worker, error));
    thread.on('error', (error: unknown) => {
      worker.lastError = error;
      this.onDied(worker, undefined);
    });
    thread.on('exit', (code: number) => this.onDied(worker, code));
    this.workers.add(worker);
    return worker;
  }

  private dispatch(worker: PoolWorker, entry: TaskEntry): void {
    entry.state = 'running';
    entry.attempts++;
    entry.dispatchedAt = performance.now();
    const behind = worker.current !== undefined;
    if (behind) worker.ahead.push(entry);
    else {
      worker.current = entry;
      worker.thread.ref();
      // A worker still warming up gets an allowance for its init on top of the budget, so a hung init cannot hang the task.
      this.startTimer(worker, worker.ready ? 0 : INIT_ALLOWANCE_MS);
    }
    const request: TaskRequest = { id: entry.id, task: entry.task };
    try {
      worker.thread.postMessage(request, entry.transfer);
    } catch (error) {
      // The task itself could not be cloned: the caller's mistake, not the worker's.
      if (behind) worker.ahead.pop();
      else {
        this.clearTimer(worker);
        worker.current = undefined;
        this.makeIdle(worker);
      }
      this.settle(entry, error, false);
    }
  }

  /** The current task is answered or failed: the next one in the worker's port becomes current, or the worker idles. */
  private advance(worker: PoolWorker): void {
    this.clearTimer(worker);
    const next = worker.ahead.shift();
    worker.current = next;
    if (!next) {
      this.makeIdle(worker);
      return;
    }
    next.dispatchedAt = performance.now();
    this.startTimer(worker);
  }

  /** Tasks a worker held behind the failed one never started: back to the front of the queue, not counted as attempts. */
  private requeueAhead(worker: PoolWorker): void {
    const ahead = worker.ahead;
    worker.ahead = [];
    for (let i = ahead.length - 1; i >= 0; i--) {
      const entry = ahead[i] as TaskEntry;
      if (entry.state !== 'running') continue; // aborted meanwhile: already settled
      entry.attempts--;
      entry.state = 'queued';
      this.queue.unshift(entry, entry.priority);
      this.queuedBytes += entry.sizeHint;
    }
  }

  private onMessage(worker: PoolWorker, message: unknown): void {
    const entry = worker.current;
    if (isWorkerReady(message)) {
      worker.ready = true;
      if (!worker.retired && entry) {
        this.clearTimer(worker); // the warm-up allowance
        this.startTimer(worker);
      }
      return;
    }
    if (worker.retired || !entry || !isTaskResponse(message)) return;
    if (message.id !== entry.id) {
      // An async handler let a task held behind the current one finish first.
      const i = worker.ahead.findIndex((e) => e.id === message.id);
      if (i < 0) return;
      const early = worker.ahead.splice(i, 1)[0] as TaskEntry;
      if (early.state === 'running') this.answer(early, message);
      this.pump();
      return;
    }
    this.advance(worker);
    const elapsed = performance.now() - entry.dispatchedAt;
    this.timing.answered++;
    this.timing.totalMs += elapsed;
    if (elapsed > this.timing.maxMs) this.timing.maxMs = elapsed;
    if (message.handlerMs !== undefined) {
      this.timing.measured++;
      this.timing.overheadMs += Math.max(0, elapsed - message.handlerMs);
    }
    // An entry aborted while running is already settled: its result is dropped here.
    if (entry.state === 'running') this.answer(entry, message);
    this.pump();
  }

  private answer(entry: TaskEntry, message: TaskResponse): void {
    if (message.ok) {
      this.counters.completed++;
      this.settle(entry, message.result, true);
    } else {
      this.counters.failed++;
      this.settle(entry, new TaskFailedError(message.error), false);
    }
  }

  private onMessageError(worker: PoolWorker, error: unknown): void {
    const entry = worker.current;
    if (worker.retired || !entry) return;
    this.advance(worker);
    if (entry.state === 'running') {
      this.counters.failed++;
      this.settle(entry, new TaskFailedError({ name: 'DataCloneError', message: `The task result could not be deserialised: ${String(error)}` }), false);
    }
    this.pump();
  }

  private onTimeout(worker: PoolWorker): void {
    worker.timer = undefined;
    const entry = worker.current;
    this.requeueAhead(worker);
    this.retire(worker);
    this.counters.timedOut++;
    if (entry && entry.state === 'running') this.settle(entry, new TaskTimeoutError(this.taskTimeoutMs), false);
    this.pump();
  }

  private onDied(worker: PoolWorker, exitCode: number | undefined): void {
    if (worker.retired) return;
    const entry = worker.current;
    this.requeueAhead(worker);
    this.retire(worker);
    this.counters.crashed++;
    if (entry && entry.state === 'running') {
      // Bytes moved by a transfer list went down with the worker: nothing left to resend.
      if (entry.attempts < 2 && !entry.transfer?.length) {
        this.counters.retried++;
        entry.state = 'queued';
        this.queue.unshift(entry, entry.priority);
        this.queuedBytes += entry.sizeHint;
      } else {
        const how = exitCode === undefined ? 'with an uncaught error' : `with exit code ${exitCode}`;
        const message = `Worker crashed ${how} (attempt ${entry.attempts} of the task)`;
        this.settle(entry, new WorkerCrashedError(message, entry.attempts, exitCode, worker.lastError), false);
      }
    }
    this.pump();
  }

  private abort(entry: TaskEntry): void {
    if (entry.state === 'done') return;
    const reason = entry.signal ? abortError(entry.signal) : new DOMException('The task was aborted', 'AbortError');
    this.counters.aborted++;
    if (entry.state === 'waiting') {
      this.waitingLive--;
    } else if (entry.state === 'queued') {
      this.queue.forget(entry.priority);
      this.queuedBytes -= entry.sizeHint;
    }
    // A running task keeps its worker busy until it answers; the answer is then dropped.
    this.settle(entry, reason, false);
    this.pump();
  }

  private settle(entry: TaskEntry, value: unknown, ok: boolean): void {
    entry.state = 'done';
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort);
    entry.onAbort = undefined;
    if (ok) entry.resolve(value);
    else entry.reject(value);
  }

  private makeIdle(worker: PoolWorker): void {
    if (worker.retired) return;
    worker.thread.unref();
    this.idle.push(worker);
  }

  /** The task's budget; started at dispatch, or when a worker still warming up becomes ready. */
  private startTimer(worker: PoolWorker, allowanceMs = 0): void {
    if (this.taskTimeoutMs > 0 && this.taskTimeoutMs <= MAX_TIMER_MS && worker.timer === undefined) {
      worker.timer = setTimeout(() => this.onTimeout(worker), this.taskTimeoutMs + allowanceMs);
    }
  }

  private clearTimer(worker: PoolWorker): void {
    if (worker.timer === undefined) return;
    clearTimeout(worker.timer);
    worker.timer = undefined;
  }

  private retire(worker: PoolWorker): void {
    if (worker.retired) return;
    worker.retired = true;
    this.clearTimer(worker);
    this.workers.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    const termination = worker.thread.terminate().catch(() => undefined);
    this.terminating.add(termination);
    void termination.then(() => this.terminating.delete(termination));
  }

  private finishDrainIfIdle(): void {
    const closing = this.closing;
    if (!closing || this.queue.size > 0 || this.waitingLive > 0 || this.busyWorkers > 0) return;
    for (const worker of [...this.workers]) this.retire(worker);
    void Promise.all([...this.terminating]).then(() => closing.finish());
  }
}
