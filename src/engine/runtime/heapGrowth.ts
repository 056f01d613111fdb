/**
 * Keeps a long-running ingest's heaps close to their live data, and lets
 * them breathe between ingests.
 *
 * Measured on a 10,000-file ingest: ~215 MB stays live, but V8 grows the
 * main thread's heap past 1 GB before collecting, because the pipeline
 * allocates fast (parse results, fragments, packed rows). Capping the heap
 * (--max-old-space-size) would turn a larger workspace into a crash; a small
 * growth factor instead makes V8 collect sooner at any size, for a few
 * percent more GC time. The flag is process-wide (workers too) and read at
 * every GC, so it can change as bulk work starts and ends.
 *
 * The young generation is sized once, when an isolate starts: V8's default
 * lets each one grow to 2 × 16 MB, nearly all of it dead parse results in a
 * parse worker (a worker's old generation holds ~20 MB). Set here, the
 * smaller size applies to the worker threads started afterwards, not to the
 * thread calling this (that one needs --max-semi-space-size on its command
 * line: see engineProcess.ts). Measured per worker on 3,000 synthetic
 * files: heap 48 → 23 MB, for ~4% more CPU; 2 MB costs ~15% and promotes
 * parse results too early.
 */
import { setFlagsFromString } from 'node:v8';

/** During a whole-workspace ingest the heap may grow to (1 + this / 100) × live data between full collections. */
export const HEAP_GROWING_PERCENT = 20;

/**
 * Otherwise (saves, watcher events): an edit of a large file allocates
 * ~10 MB that dies at once, and with the ingest's factor a 1 MB file's
 * workspace ran a full collection (20-90 ms) every one or two edits; at 100%
 * none ran in eight edits. Live data is small then, so the heap stays small.
 */
export const EDITING_HEAP_GROWING_PERCENT = 100;

/** Each of a later thread's two young-generation semi-spaces holds at most this many MB. */
export const WORKER_SEMI_SPACE_MB = 4;

let applied = false;
let bulkWork = 0;

/** For the processes that run the pipeline: the CLI, the language server, the benchmarks. Call before starting workers. */
export function limitHeapGrowth(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${EDITING_HEAP_GROWING_PERCENT}`);
  setFlagsFromString(`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`);
}

/**
 * Runs bulk work (a whole-workspace ingest) with the tight growth factor; in
 * a process that did not call limitHeapGrowth (tests, embedders) it changes
 * nothing. Nested and concurrent calls keep it tight until the last ends.
 */
export async function withBulkHeapGrowth<T>(work: () => Promise<T>): Promise<T> {
  if (!applied) return work();
  if (bulkWork++ === 0) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  try {
    return await work();
  } finally {
    if (--bulkWork === 0) setFlagsFromString(`--heap-growing-percent=${EDITING_HEAP_GROWING_PERCENT}`);
  }
}

/** Whether bulk work is running with the tight factor now (for tests). */
export function bulkHeapGrowthActive(): boolean {
  return bulkWork > 0;
}
