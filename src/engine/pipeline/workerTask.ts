import { isMainThread, parentPort } from 'node:worker_threads';
import type { TaskRequest, TaskResponse, WorkerReady } from './poolProtocol.ts';
import { isSharedState, toRemoteError } from './poolProtocol.ts';

export interface ServeTasksOptions {
  /**
   * Warm-up run once before the first task (e.g. WASM parser initialisation).
   * Tasks that arrive meanwhile wait for it. If it fails, every task is
   * answered with that failure instead of the worker dying and being respawned
   * in a loop.
   */
  init?: () => void | Promise<void>;
  /** Receives the pool's shared state (WorkerPool.setShared), in order with the tasks. */
  onShared?: (value: unknown) => void;
}

/**
 * The worker-script side of WorkerPool: answers each `{ id, task }` with
 * exactly one `{ id, ok, ... }`. A handler that throws or rejects is reported
 * as `ok: false`, never allowed to kill the worker. Results go through
 * postMessage's structured clone as they are, so keep them compact.
 */
export function serveTasks<TTask, TResult>(handler: (task: TTask) => TResult | Promise<TResult>, options: ServeTasksOptions = {}): void {
  const port = parentPort;
  if (isMainThread || !port) throw new Error('serveTasks must be called from a worker thread');

  let ready: Promise<void> | undefined = options.init ? Promise.resolve().then(options.init) : undefined;
  // Once init succeeded, tasks take the synchronous path. A failed init stays in
  // `ready` so every task reports it; the second callback keeps it from being unhandled.
  ready?.then(
    () => {
      ready = undefined;
    },
    () => undefined,
  );
  // Task budgets start only once the worker is warm (a failed init fails tasks fast, so it counts as ready).
  const announce = (): void => port.postMessage({ ready: true } satisfies WorkerReady);
  if (ready) ready.then(announce, announce);
  else announce();

  const reply = (response: TaskResponse<TResult>): void => {
    try {
      port.postMessage(response);
    } catch (error) {
      // Typically a DataCloneError: the result holds a function, a class instance with private state, ...
      port.postMessage({ id: response.id, ok: false, error: toRemoteError(error), handlerMs: response.handlerMs } satisfies TaskResponse);
    }
  };

  const runAsync = async (id: number, task: TTask, started: number): Promise<void> => {
    try {
      if (ready) await ready;
      const result = await handler(task);
      reply({ id, ok: true, result, handlerMs: performance.now() - started });
    } catch (error) {
      reply({ id, ok: false, error: toRemoteError(error), handlerMs: performance.now() - started });
    }
  };

  port.on('message', (message: TaskRequest<TTask>) => {
    if (isSharedState(message)) {
      options.onShared?.(message.shared);
      return;
    }
    const { id, task } = message;
    const started = performance.now();
    if (ready) {
      void runAsync(id, task, started);
      return;
    }
    // Synchronous fast path: no promise machinery for handlers that return plain values.
    let result: TResult | Promise<TResult>;
    try {
      result = handler(task);
    } catch (error) {
      reply({ id, ok: false, error: toRemoteError(error), handlerMs: performance.now() - started });
      return;
    }
    if (isThenable(result)) {
      result.then(
        (value) => reply({ id, ok: true, result: value, handlerMs: performance.now() - started }),
        (error: unknown) => reply({ id, ok: false, error: toRemoteError(error), handlerMs: performance.now() - started }),
      );
      return;
    }
    reply({ id, ok: true, result, handlerMs: performance.now() - started });
  });
}

function isThenable<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
