/** Messages between WorkerPool and a worker script (see workerTask.ts). One message each way per task. */

export interface TaskRequest<TTask = unknown> {
  id: number;
  task: TTask;
}

/** Sent once by a worker when its init has finished: task budgets start counting only then. */
export interface WorkerReady {
  ready: true;
}

export function isWorkerReady(value: unknown): value is WorkerReady {
  return typeof value === 'object' && value !== null && (value as { ready?: unknown }).ready === true;
}

/**
 * State every worker holds (e.g. the catalog a resolve task reads): sent to
 * each live worker when it changes and to each new worker before its first
 * task, so a task always finds the value set before it was run.
 */
export interface SharedState<T = unknown> {
  shared: T;
}

export function isSharedState(value: unknown): value is SharedState {
  return typeof value === 'object' && value !== null && 'shared' in value && !('id' in value);
}

export interface RemoteError {
  name: string;
  message: string;
  stack?: string;
}

export type TaskResponse<TResult = unknown> =
  | { id: number; ok: true; result: TResult; /** time the handler took inside the worker */ handlerMs?: number }
  | { id: number; ok: false; error: RemoteError; handlerMs?: number };

export function toRemoteError(error: unknown): RemoteError {
  if (error instanceof Error) {
    const remote: RemoteError = { name: error.name, message: error.message };
    if (error.stack !== undefined) remote.stack = error.stack;
    return remote;
  }
  return { name: 'Error', message: String(error) };
}

export function isTaskResponse(value: unknown): value is TaskResponse {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'number' && typeof (value as { ok?: unknown }).ok === 'boolean';
}
