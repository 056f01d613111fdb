/**
 * The ceiling the cold-ingest ratio is measured against, measured: the
 * fastest backend's raw parse loop (measureParserSpeed's) run at once in N
 * worker threads on this machine, each on its share of the same files, warm,
 * with nothing else (no reading, hashing, extraction, storing or messaging).
 * No pipeline that parses every file can go faster than this.
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import { createBackends, type BackendId } from '../../src/engine/parse/backends.ts';
import { parsePass, statementTexts } from './parserSpeed.ts';

interface ShareData {
  backend: BackendId;
  dialect: Dialect;
  texts: string[];
  /** Both workers wait on it after their warm-up, so the timed passes start together. */
  gate: SharedArrayBuffer;
  threads: number;
}

export interface ParallelParseSpeed {
  backend: string;
  threads: number;
  files: number;
  seconds: number;
  filesPerSecond: number;
}

/** Runs the parse loop in `threads` workers at once (after a warm-up pass each) and times the slowest. */
export async function measureParallelParse(backend: BackendId, texts: readonly string[], dialect: Dialect, threads = availableParallelism()): Promise<ParallelParseSpeed> {
  const gate = new SharedArrayBuffer(8);
  const shares = Array.from({ length: threads }, (_, t) => texts.filter((_, i) => i % threads === t));
  const workers = shares.map((share) => new Worker(new URL(import.meta.url), { workerData: { backend, dialect, texts: share, gate, threads } satisfies ShareData }));
  const seconds = await Promise.all(
    workers.map(
      (w) =>
        new Promise<number>((resolve, reject) => {
          w.once('message', (s: number) => resolve(s));
          w.once('error', reject);
        }),
    ),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  const slowest = Math.max(...seconds);
  return { backend, threads, files: texts.length, seconds: slowest, filesPerSecond: texts.length / slowest };
}

if (!isMainThread) {
  const { backend, dialect, texts, gate, threads } = workerData as ShareData;
  const [parser] = await createBackends([backend]);
  const statements = statementTexts(texts, dialect);
  parsePass(parser!, statements, dialect);
  parsePass(parser!, statements, dialect);
  const arrived = new Int32Array(gate);
  Atomics.add(arrived, 0, 1);
  Atomics.notify(arrived, 0);
  while (Atomics.load(arrived, 0) < threads) Atomics.wait(arrived, 0, Atomics.load(arrived, 0), 50);
  parentPort!.postMessage(parsePass(parser!, statements, dialect).seconds);
}
