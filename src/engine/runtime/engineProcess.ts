/**
 * How a process that runs the pipeline is started: the language server (the
 * client forks it), the CLI's long-running commands (they re-start
 * themselves) and the benchmarks, all with the same options.
 *
 * Two settings can only be given when a process starts:
 * - The main thread's young generation (`--max-semi-space-size`): V8 lets it
 *   grow to 2 × 16 MB, refilled with short-lived results between scavenges.
 *   4 MB, as for the workers (see heapGrowth.ts): on a 10,000-file cold
 *   ingest peak RSS was ~21 MB lower than with 8 MB, throughput the same
 *   within this machine's noise.
 * - glibc's malloc (Linux; other C libraries ignore the variables): with the
 *   default dynamic thresholds, memory SQLite and V8 free is kept in the
 *   arenas, so a process's RSS only ever rises to the sum of its threads'
 *   peaks. Fixed trim and mmap thresholds return it.
 * Measured together on a 10,000-file cold ingest: peak RSS ~455 → ~376 MB.
 */
export const ENGINE_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];

export const ENGINE_ENV: Readonly<Record<string, string>> = {
  MALLOC_TRIM_THRESHOLD_: String(256 * 1024),
  MALLOC_MMAP_THRESHOLD_: String(256 * 1024),
};

/** Set in a process started with these options, so it does not start itself again. */
const MARKER = 'SQLGRAPH_ENGINE_PROCESS';

/** The environment for a child process that runs the pipeline. */
export function engineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...base, ...ENGINE_ENV, [MARKER]: '1' };
}

/** Whether this process was started with the engine's options (by engineEnv). */
export function isEngineProcess(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[MARKER] === '1';
}
