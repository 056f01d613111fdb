import type { RemoteError } from './poolProtocol.ts';

/** The task ran longer than its budget; its worker was terminated and replaced. Never retried. */
export class TaskTimeoutError extends Error {
  readonly timeoutMs: number;
  constructor(timeoutMs: number) {
    super(`Task did not finish within ${timeoutMs} ms`);
    this.name = 'TaskTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The worker died (uncaught error, process.exit, out of memory) on both attempts of the task. */
export class WorkerCrashedError extends Error {
  readonly attempts: number;
  readonly exitCode: number | undefined;
  constructor(message: string, attempts: number, exitCode: number | undefined, cause: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'WorkerCrashedError';
    this.attempts = attempts;
    this.exitCode = exitCode;
  }
}

/** The task's handler threw (or rejected) inside the worker; the worker itself is fine. */
export class TaskFailedError extends Error {
  /** Name, message and stack of the error as thrown in the worker. */
  readonly remote: RemoteError;
  constructor(remote: RemoteError) {
    super(remote.message);
    this.name = 'TaskFailedError';
    this.remote = remote;
  }
}

/** The pool was closed before the task could run (or, with mode 'cancel', while it ran). */
export class PoolClosedError extends Error {
  constructor(message = 'Worker pool is closed') {
    super(message);
    this.name = 'PoolClosedError';
  }
}

export function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The task was aborted', 'AbortError');
}
