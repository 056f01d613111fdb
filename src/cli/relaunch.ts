/**
 * The long-running commands (ingest, watch) run in a child process started
 * with the engine's options (see engine/runtime/engineProcess.ts): some of
 * them can only be set when a process starts. This process only waits for
 * the child and passes its exit status on.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { ENGINE_EXEC_ARGV, engineEnv, isEngineProcess } from '../engine/runtime/engineProcess.ts';

const LONG_RUNNING = new Set(['ingest', 'watch']);

/** Whether this invocation should run in a child started with the engine's options. */
export function shouldRelaunch(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  return LONG_RUNNING.has(argv[0] ?? '') && !isEngineProcess(env) && env['SQLGRAPH_NO_RELAUNCH'] !== '1';
}

/** Runs the same script and arguments in a child process; resolves with the exit code to use. */
export function relaunch(script: string, argv: readonly string[]): Promise<number> {
  // The user's own node options come last, so that they win.
  const child = spawn(process.execPath, [...ENGINE_EXEC_ARGV, ...process.execArgv, script, ...argv], { stdio: 'inherit', env: engineEnv() });
  // Ctrl-C in a terminal reaches the whole foreground process group, the child
  // included: passing it on would deliver it twice. A signal sent to this
  // process alone is passed on.
  const forward = (signal: NodeJS.Signals) => (): void => {
    if (signal === 'SIGINT' && process.stdin.isTTY) return;
    child.kill(signal);
  };
  const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      process.stderr.write(`sqlgraph: could not start the engine process: ${error.message}\n`);
      resolve(1);
    });
    child.once('exit', (code, signal) => {
      for (const [name, handler] of handlers) process.removeListener(name, handler);
      // A child killed by a signal: report it the way a shell does.
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? constants.signals[signal] : 1;
}
