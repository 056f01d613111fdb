/**
 * The ingestion pipeline: file events in, graph store up to date out.
 *
 *   events → Batcher → read + hash → parse cache → worker pool (priorities)
 *          → catalog (cross-file DDL) → resolve → graph store (one transaction per batch)
 *
 * Parsing runs in workers concurrently; resolving and storing run one unit at
 * a time under a lock, in the order the files were read: every read takes a
 * sequence number and a result older than what was already applied for its
 * path is dropped, so the last content read always wins.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import { cacheOptionsFromEnv, defaultCachePath } from '../cache/cacheOptions.ts';
import { buildCacheContext, cacheKey } from '../cache/cacheKey.ts';
import { openParseCache, type ParseCache } from '../cache/parseCache.ts';
import { nameOptionsFor } from '../extract/extractFiles.ts';
import { relationsOf } from '../extract/catalog.ts';
import { assembleParsedFile, parseFile } from '../extract/parseFile.ts';
import { resolveFile } from '../extract/resolve.ts';
import { discoverSqlFiles } from '../fs/discover.ts';
import type { Diagnostic } from '../model/diagnostics.ts';
import type { ParsedFile } from '../model/parsed.ts';
import type { ParserBackend } from '../parse/backend.ts';
import { backendsFor, createBackends, DEFAULT_BACKEND_ORDER, sharedBackendCode, type SharedBackendCode } from '../parse/backends.ts';
import { withBulkHeapGrowth } from '../runtime/heapGrowth.ts';
import { openGraphStore, type GraphStore } from '../store/graphStore.ts';
import type { FileUpdate } from '../store/types.ts';
import { Batcher, type BatchItem, type FileEvent } from './batcher.ts';
import { CatalogState, catalogSliceOf, type CatalogSlice } from './catalogState.ts';
import { fileMeta } from './fileMeta.ts';
import type { ParseTask, ParseTaskResult, ParseWorkerData, ResolvedFile, ResolveShared, ResolveTask, ResolveTaskResult, WorkerTask, WorkerTaskResult } from './parseTask.ts';
import { STATEMENT_CACHE_MIN_BYTES } from './parseTask.ts';
import { UnitApplier } from './applyUnits.ts';
import { mayDefineRelations } from './catalogCandidates.ts';
import { dbtModelName } from '../text/templating.ts';
import { defaultStorePath, ENGINE_VERSION, type PipelineOptions } from './pipelineOptions.ts';
import { PipelineStats, type PipelineSnapshot } from './stats.ts';
import { TaskTimeoutError, WorkerPool, type TaskPriority } from './workerPool.ts';

export interface IngestSummary {
  files: number;
  parsed: number;
  unchanged: number;
  removed: number;
  reResolved: number;
  statements: number;
  bytes: number;
  seconds: number;
  diagnostics: { error: number; warning: number; info: number };
}

export interface IngestProgress {
  done: number;
  total: number;
}

/** A file read and parsed (or found unchanged), waiting to be resolved and stored. */
interface Prepared {
  path: string;
  seq: number;
  action: 'upsert' | 'delete' | 'unchanged';
  key?: string;
  bytes?: number;
  file?: ParsedFile;
  /** The parse result as JSON, kept (instead of `file`) when there is no cache to fetch it back from. */
  json?: string;
  /** The catalog slice a worker computed with the parse (null: none), when `file` was not built here. */
  workerSlice?: CatalogSlice | null;
  /** The file as a worker resolved it right after parsing (phase 2 of a whole-workspace ingest). */
  resolved?: ResolveTaskResult;
  /** The file's catalog slice, once recorded (undefined: the file has no DDL). */
  slice?: CatalogSlice | undefined;
  /** The slice is in the store already (and `slice` dropped): see ingestAll. */
  sliceWritten?: boolean;
  firstEventAt?: number;
}

/** Files per resolve task and per store transaction in a whole-workspace ingest: small, so a save waits little for the lock. */
const INGEST_CHUNK = 16;
/**
 * How long one store transaction of a whole-workspace ingest aims to take
 * (see ingestAll): short while someone is saving files, since a save waits
 * for the transaction in progress; longer otherwise, since each commit has
 * a cost that grows with the keys files share, which larger transactions
 * pay once for many files.
 */
const APPLY_BUDGET_MS = { editing: 30, idle: 60 };
/** A save within this long counts as "someone is editing". */
const EDITING_WINDOW_MS = 10_000;
const MAX_APPLY_FILES = 1024;
/**
 * Tasks a busy parse worker holds besides its current one (WorkerPoolOptions.prefetch):
 * enough to keep it busy through a store unit (~1 ms each), and few while
 * someone is saving, since a save sent to a worker waits behind them.
 */
const WORKER_PREFETCH = { editing: 1, idle: 48 };
/** Large files an ingest warms up for their first edit (see primeForEditing). */
const PRIME_LARGE_FILES = 3;
/** Saves each of them is taken through, alternately edited and unchanged (see rehearseSaves). */
const SAVE_REHEARSALS = 6;
/** Resolve tasks in flight per worker during a whole-workspace ingest. */
const RESOLVE_WINDOW_PER_WORKER = 2;
/** lastRead's mark for a path whose latest state is "gone". */
const DELETED = 'deleted';
/** Files read and parsing at once during a whole-workspace ingest. */
const PARSE_WINDOW = 64;

/** Runs fn over items with at most `limit` running at once. */
async function forEachConcurrently<T>(items: readonly T[], limit: number, signal: AbortSignal | undefined, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export class IngestPipeline {
  readonly root: string;
  readonly store: GraphStore;
  readonly cache: ParseCache | undefined;
  readonly stats = new PipelineStats();
  private readonly options: PipelineOptions;
  private readonly backends: ParserBackend[];
  private readonly pool: WorkerPool<WorkerTask, WorkerTaskResult> | undefined;
  /** The catalog version the workers hold (see shareCatalog). */
  private sharedCatalogVersion = -1;
  private readonly batcher: Batcher;
  private readonly catalog: CatalogState;
  private readonly hashes: Map<string, string>;
  private readonly context: string;
  /** Highest read sequence applied (or slice-recorded) per path. */
  private readonly appliedSeq = new Map<string, number>();
  private seq = 0;
  /** The key of the last content read per path (applied or still in flight), to recognise watcher echoes. */
  private readonly lastRead = new Map<string, string>();
  private lock: Promise<void> = Promise.resolve();
  /** performance.now() of the last editor save (-Infinity: none yet). */
  private lastSaveAt = -Infinity;
  private inFlight = new Set<Promise<unknown>>();
  private readonly listeners: ((batch: { paths: string[]; millis: number }) => void)[] = [];
  private closed = false;

  static async open(options: PipelineOptions): Promise<IngestPipeline> {
    const order = options.backends ?? DEFAULT_BACKEND_ORDER;
    const workers = options.workers ?? Math.min(4, availableParallelism());
    // With workers, this thread parses only when the cache lost a file it must
    // re-resolve: initialise its parsers (tens of MB) on first use, not here.
    const backends = workers === 0 ? await createBackends(order) : backendsFor(order);
    const backendCode = workers === 0 ? undefined : await sharedBackendCode(order);
    return new IngestPipeline(options, backends, workers, backendCode);
  }

  private constructor(options: PipelineOptions, backends: ParserBackend[], workers: number, backendCode: SharedBackendCode | undefined) {
    this.options = options;
    this.root = options.root;
    this.backends = backends;
    const log = options.log ?? (() => undefined);

    const cacheOptions =
      options.cache === false
        ? undefined
        : cacheOptionsFromEnv(process.env, {
            path: defaultCachePath(options.root),
            ...options.cache,
            log: (level, message) => log(level, `parse cache: ${message}`),
          });
    this.cache = cacheOptions ? openParseCache(cacheOptions) : undefined;
    const storePath = options.storePath ?? defaultStorePath(options.root);
    if (storePath !== ':memory:') ensureStateFolder(dirname(storePath));
    this.store = openGraphStore(storePath);
    if (this.store.recovery) log('warn', `graph store: ${this.store.recovery.message}; re-ingesting`);

    this.context = buildCacheContext({
      engine: ENGINE_VERSION,
      backends: backends.map((b) => `${b.id}@${b.version}`),
      dialect: options.dialect,
    });
    this.hashes = this.store.fileHashes();
    this.catalog = new CatalogState((f) => nameOptionsFor(f, options.defaultSchema));
    this.catalog.load(this.store.catalogSlices());

    if (workers > 0) {
      const workerData: ParseWorkerData = {
        backends: backends.map((b) => b.id),
        ...(backendCode ? { backendCode } : {}),
        ...(this.cache?.enabled && cacheOptions
          ? {
              cachePath: this.cache.stats().path,
              // The workers' connections clean up at open too: with the workspace's limits, not the defaults.
              cacheLimits: {
                ...(cacheOptions.maxEntries !== undefined ? { maxEntries: cacheOptions.maxEntries } : {}),
                ...(cacheOptions.maxStatementEntries !== undefined ? { maxStatementEntries: cacheOptions.maxStatementEntries } : {}),
                ...(cacheOptions.ttlDays !== undefined ? { ttlDays: cacheOptions.ttlDays } : {}),
              },
            }
          : {}),
      };
      this.pool = new WorkerPool<WorkerTask, WorkerTaskResult>({
        script: options.workerScript ?? defaultWorkerScript(),
        size: workers,
        taskTimeoutMs: options.taskTimeoutMs ?? 30_000,
        // This thread stores results in long synchronous stretches: workers keep going meanwhile.
        prefetch: () => (this.editing() ? WORKER_PREFETCH.editing : WORKER_PREFETCH.idle),
        workerData,
      });
    }

    this.batcher = new Batcher({ ...options.batcher, onBatch: (batch) => this.track(this.processBatch(batch)) });
  }

  /** Feeds an editor save or a watcher event; the batcher decides when it runs. */
  handleEvent(event: FileEvent): void {
    if (this.closed) return;
    if (event.kind === 'save') this.lastSaveAt = performance.now();
    if ((event.kind === 'change' || event.kind === 'create') && this.isEcho(event.path)) return;
    // After a delete, the same content coming back is a real change, never an echo.
    if (event.kind === 'delete') this.lastRead.set(this.relativePath(this.absolutePath(event.path)), DELETED);
    if (event.kind === 'rename') this.lastRead.set(this.relativePath(this.absolutePath(event.from)), DELETED);
    this.batcher.push(event);
  }

  /**
   * A watcher event for content the pipeline already has (the echo of an
   * editor save, a touch): dropping it here keeps it from sitting in the
   * watcher's debounce window and showing the workspace as busy for seconds.
   */
  private isEcho(absolutePath: string): boolean {
    const path = this.relativePath(this.absolutePath(absolutePath));
    const known = this.lastRead.get(path) ?? this.hashes.get(path);
    if (known === undefined) return false;
    try {
      return cacheKey(readFileSync(this.absolutePath(absolutePath)), this.context) === known;
    } catch {
      return false;
    }
  }

  onBatchApplied(listener: (batch: { paths: string[]; millis: number }) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** Runs everything pending now and resolves when the pipeline is idle. */
  async flush(): Promise<void> {
    this.batcher.flush();
    await this.whenIdle();
  }

  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  snapshot(): PipelineSnapshot {
    const pool = this.pool?.stats();
    return {
      filesProcessed: this.stats.filesProcessed,
      filesSkippedUnchanged: this.stats.filesSkippedUnchanged,
      filesRemoved: this.stats.filesRemoved,
      batches: this.stats.batches,
      ...(this.stats.lastBatch ? { lastBatch: this.stats.lastBatch } : {}),
      stageMillis: { ...this.stats.stageMillis },
      latency: this.stats.latency(),
      throughput: this.stats.throughput(),
      errorsByKind: { ...this.stats.errorsByKind },
      queueDepth: this.pool?.queueDepth ?? 0,
      busyWorkers: this.pool?.busyWorkers ?? 0,
      workers: pool?.workers ?? 0,
      pendingEvents: this.batcher.pending,
      ...(this.cache ? { cache: this.cache.stats() } : {}),
      ...(pool ? { pool } : {}),
      busy: this.inFlight.size > 0 || this.batcher.pending > 0,
    };
  }

  /**
   * Brings the store in line with the whole workspace: new and changed files
   * are parsed (BATCH priority, so saves overtake), deleted ones removed,
   * unchanged ones skipped by hash. The catalog is built once after all
   * parsing, then every file that needs it is resolved and stored in chunks.
   */
  ingestAll(options: { signal?: AbortSignal; onProgress?: (p: IngestProgress) => void } = {}): Promise<IngestSummary> {
    return withBulkHeapGrowth(() => this.ingestWorkspace(options));
  }

  private async ingestWorkspace(options: { signal?: AbortSignal; onProgress?: (p: IngestProgress) => void }): Promise<IngestSummary> {
    const started = performance.now();
    const paths = discoverSqlFiles([this.root], this.options.include);
    const present = new Set(paths.map((p) => this.relativePath(p)));
    const summary: IngestSummary = { files: paths.length, parsed: 0, unchanged: 0, removed: 0, reResolved: 0, statements: 0, bytes: 0, seconds: 0, diagnostics: { error: 0, warning: 0, info: 0 } };
    const total = paths.length;
    let done = 0;
    let lastProgress = 0;
    const progressed = (): void => {
      done++;
      const now = performance.now();
      if (options.onProgress && (now - lastProgress > 100 || done === total)) {
        lastProgress = now;
        options.onProgress({ done, total });
      }
    };
    const count = (applied: AppliedFiles): void => {
      summary.reResolved += applied.reResolved;
      for (const f of applied.files) {
        summary.statements += f.statementCount;
        for (const d of f.diagnostics) summary.diagnostics[d.severity]++;
      }
    };

    // Unchanged files are skipped by hash; the others are split into those
    // that may define relations (parsed first) and the rest.
    const early: string[] = [];
    const late: string[] = [];
    const large: string[] = [];
    for (const p of paths) {
      options.signal?.throwIfAborted();
      const sort = this.sortForIngest(p);
      if (sort.bytes !== undefined) summary.bytes += sort.bytes;
      if ((sort.bytes ?? 0) >= STATEMENT_CACHE_MIN_BYTES) large.push(p);
      if (sort.kind === 'unchanged') {
        summary.unchanged++;
        progressed();
      } else (sort.kind === 'early' ? early : late).push(p);
    }

    // Phase 1: parse the files that may define relations, with a bounded
    // number in flight (no barrier between chunks: the workers never wait for
    // a slow file). The main thread keeps only their catalog slices.
    const parsedEarly: Prepared[] = [];
    const removals: Prepared[] = [];
    await forEachConcurrently(early, PARSE_WINDOW, options.signal, async (p) => {
      const item = await this.prepare(p, 'batch', undefined, { deferred: true });
      if (item.action === 'upsert') {
        summary.parsed++;
        this.recordSlice(item);
        // Keep the object only when there is no cache to fetch it back from.
        parsedEarly.push(this.cache?.enabled ? { ...item, file: undefined, json: undefined } : item);
      } else if (item.action === 'delete') removals.push(item);
      progressed();
    });
    this.log('info', `ingest: parsed ${summary.parsed} files that may define relations in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    const removed = [...this.hashes.keys()].filter((p) => !present.has(p));
    for (const path of removed) removals.push({ path, seq: ++this.seq, action: 'delete' });
    summary.removed = removed.length;

    // The catalog is now complete (but for wrong guesses, which are caught
    // by catalog versions): removals, and stored files the new catalog
    // affects, first.
    this.cache?.flush(); // the workers read parse results back from the cache
    const storedLater = new Set([...parsedEarly.map((item) => item.path), ...late.map((p) => this.relativePath(p))]);
    count(
      await this.withLock(async () => {
        // The early files' slices go to the store now rather than with their
        // contributions: held on thousands of items until their turn, they
        // were the largest live data of an ingest (~60 MB at 10,000 files).
        this.store.transaction(() => {
          for (const item of parsedEarly) {
            if (this.appliedSeq.get(item.path) !== item.seq) continue;
            this.store.setCatalogSlice(item.path, item.slice);
            item.sliceWritten = true;
            item.slice = undefined;
            item.workerSlice = undefined;
          }
        });
        return this.apply(removals, [], storedLater);
      }),
    );

    // Phase 2, overlapped: the remaining files are parsed and resolved in one
    // worker task each, the early ones resolved in chunks, and both stored in
    // units as they come.
    const units = new UnitApplier<Prepared, ResolveTaskResult>({
      apply: async (items, results) => count(await this.withLock(() => this.apply(items, results))),
      budgetMs: () => (this.editing() ? APPLY_BUDGET_MS.editing : APPLY_BUDGET_MS.idle),
      minItems: INGEST_CHUNK,
      maxItems: MAX_APPLY_FILES,
    });
    const resolveEarly = async (): Promise<void> => {
      const chunks: Prepared[][] = [];
      for (let i = 0; i < parsedEarly.length; i += INGEST_CHUNK) chunks.push(parsedEarly.slice(i, i + INGEST_CHUNK));
      await forEachConcurrently(chunks, this.pool ? this.pool.size * RESOLVE_WINDOW_PER_WORKER : 1, options.signal, async (chunk) => {
        units.add(chunk, await this.resolveInWorkers(chunk));
      });
    };
    const parseLate = (): Promise<void> =>
      forEachConcurrently(late, PARSE_WINDOW, options.signal, async (p) => {
        const item = await this.prepare(p, 'batch', undefined, { deferred: true, resolve: true });
        if (item.action === 'upsert') {
          summary.parsed++;
          this.recordSlice(item);
          units.add([item], item.resolved);
        } else if (item.action === 'delete') units.add([item]);
        progressed();
      });
    const work = Promise.all([parseLate(), resolveEarly()]);
    // The units must not be left applying behind a failed ingest.
    await work.finally(() => units.drain().catch(() => undefined));
    await units.drain();
    this.cache?.flush();
    await this.primeForEditing(large);
    summary.seconds = (performance.now() - started) / 1000;
    this.stats.addBusy(performance.now() - started);
    return summary;
  }

  /** Someone saved a file lately: keep store units and worker queues short. */
  private editing(): boolean {
    return performance.now() - this.lastSaveAt < EDITING_WINDOW_MS;
  }

  /**
   * Warms up the most recently modified large files for their first edit
   * (see rehearseSaves): the ingest parsed and resolved them in workers, so
   * this thread's statement and resolve memos, the catalog slice memo and
   * the store's decoded contribution know nothing of them yet (measured: a
   * first edit of a 1 MB file took ~200 ms of this thread's CPU instead of
   * ~60).
   */
  private async primeForEditing(largeFiles: readonly string[]): Promise<void> {
    if (!this.pool || !this.cache?.enabled || largeFiles.length === 0) return;
    const recent = largeFiles
      .map((p) => {
        try {
          return { p, mtime: statSync(p).mtimeMs };
        } catch {
          return undefined;
        }
      })
      .filter((x) => x !== undefined)
      .sort((a, b) => b.mtime - a.mtime)
      .slice(0, PRIME_LARGE_FILES);
    for (const { p } of recent) {
      const path = this.relativePath(p);
      let bytes: Buffer;
      try {
        bytes = readFileSync(p);
      } catch {
        continue;
      }
      const key = cacheKey(bytes, this.context);
      if (this.hashes.get(path) !== key) continue; // changed since: its own event brings it up to date
      await this.rehearseSaves(path, bytes, key);
    }
  }

  /**
   * Takes a large file through the whole path of a save a few times, every
   * other time with one statement edited (a space added in the middle of the
   * file) and otherwise with its content. Until V8 has optimised that path
   * for the file's shapes, the first three edits of a 1 MB file took 55-110
   * ms instead of ~40 (after three edits elsewhere in the file the next ones
   * ran at their steady speed from the first). Unchanged saves alone left
   * the branches that handle a changed statement (re-splitting around it,
   * re-resolving it, the store's diff) to be optimised, and de-optimised,
   * during the first real edits. Nothing is written: the store only packs
   * and diffs an edited rehearsal, and recognises the unchanged content as
   * the contribution it holds. Under the pipeline's lock, and only while the
   * file is still what the ingest stored.
   */
  private async rehearseSaves(path: string, bytes: Buffer, key: string): Promise<void> {
    const edited = rehearsalEdit(bytes);
    for (let i = 0; i < SAVE_REHEARSALS; i++) {
      // The last one unchanged: every memo ends holding the file as it is.
      const variant = edited && i % 2 === 0 && i < SAVE_REHEARSALS - 1 ? edited : undefined;
      const file = (await this.parse(path, variant ?? bytes, 'normal')).file;
      // A failed parse is not the stored content: nothing to rehearse with.
      if (!file || failedParse(file)) return;
      catalogSliceOf(file); // as recordSlice does for a save
      await this.withLock(async () => {
        if (this.hashes.get(path) !== key) return;
        const fragment = resolveFile(file, this.catalog.current, nameOptionsFor(file, this.options.defaultSchema));
        const update = { path, fragment, meta: fileMeta(file, key) };
        if (variant) this.store.rehearseApply(update);
        else this.store.applyFiles([update]);
      });
    }
  }

  /**
   * Reads and hashes a file for a whole-workspace ingest: unchanged (skipped
   * from here on), or parsed early when it may define relations (see
   * catalogCandidates.ts). An unreadable file goes early too: prepare()
   * reports it.
   */
  private sortForIngest(absolutePath: string): { kind: 'unchanged' | 'early' | 'late'; bytes?: number } {
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolutePath);
    } catch {
      return { kind: 'early' };
    }
    const path = this.relativePath(absolutePath);
    const key = cacheKey(bytes, this.context);
    if (this.hashes.get(path) === key) {
      this.lastRead.set(path, key);
      this.stats.filesSkippedUnchanged++;
      return { kind: 'unchanged', bytes: bytes.length };
    }
    // A file under models/ is a dbt model (it defines a relation) whatever its text.
    return { kind: mayDefineRelations(bytes) || dbtModelName(path) !== undefined ? 'early' : 'late', bytes: bytes.length };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.batcher.dispose();
    await this.whenIdle();
    await this.pool?.close({ mode: 'cancel' });
    this.cache?.close();
    this.store.close();
  }

  // ---- batches ----------------------------------------------------------------------------

  private async processBatch(batch: BatchItem[]): Promise<void> {
    const started = performance.now();
    const priority: TaskPriority = batch.some((b) => b.priority === 'critical') ? 'critical' : 'normal';
    const prepared = await Promise.all(
      batch.map((item) => {
        const path = this.absolutePath(item.path);
        return item.action === 'delete'
          ? Promise.resolve<Prepared>({ path: this.relativePath(path), seq: ++this.seq, action: 'delete', firstEventAt: item.firstEventAt })
          : this.prepare(path, item.priority === 'critical' ? 'critical' : priority, item.firstEventAt);
      }),
    );
    for (const item of prepared) if (item.action === 'upsert') this.recordSlice(item);
    const applied = await this.withLock(() => this.apply(prepared));
    const now = performance.now();
    for (const item of prepared) if (item.firstEventAt !== undefined) this.stats.recordLatency(now - item.firstEventAt);
    this.stats.batches++;
    this.stats.lastBatch = { size: batch.length, at: Date.now(), millis: now - started };
    this.stats.addBusy(now - started);
    const paths = applied.files.map((f) => f.path);
    for (const listener of this.listeners) listener({ paths, millis: now - started });
  }

  // ---- prepare: read, hash, cache, parse ------------------------------------------------------

  /** Reads, hashes and (unless unchanged or cached) parses one file; see ParseRequest for `request`. */
  private async prepare(absolutePath: string, priority: TaskPriority, firstEventAt: number | undefined, request: { deferred?: boolean; resolve?: boolean } = {}): Promise<Prepared> {
    const path = this.relativePath(absolutePath);
    const seq = ++this.seq;
    const base = { path, seq, ...(firstEventAt !== undefined ? { firstEventAt } : {}) };
    let t = performance.now();
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolutePath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        this.lastRead.set(path, DELETED);
        return { ...base, action: 'delete' };
      }
      this.stats.recordError(`read-${code ?? 'error'}`);
      this.log('warn', `cannot read ${path}: ${(error as Error).message}`);
      return { ...base, action: 'unchanged' };
    }
    const key = cacheKey(bytes, this.context);
    this.lastRead.set(path, key);
    this.stats.addStage('read', performance.now() - t);
    if (this.hashes.get(path) === key) {
      this.stats.filesSkippedUnchanged++;
      return { ...base, action: 'unchanged', key, bytes: bytes.length };
    }

    t = performance.now();
    const cached = this.cache?.getFile(key);
    let file: ParsedFile | undefined;
    if (typeof cached === 'string') {
      try {
        file = JSON.parse(cached) as ParsedFile;
      } catch {
        file = undefined; // a damaged payload is a miss
      }
    }
    this.stats.addStage('cache', performance.now() - t);
    if (file) return { ...base, action: 'upsert', key, bytes: bytes.length, file: file.path === path ? file : { ...file, path } };
    t = performance.now();
    const parsed = await this.parse(path, bytes, priority, { ...(request.deferred ? { deferred: true } : {}), ...(request.resolve ? { resolveKey: key } : {}) });
    this.stats.addStage('parse', performance.now() - t);
    if (parsed.json !== undefined) this.cache?.putFile(key, parsed.json);
    if (parsed.file) return { ...base, action: 'upsert', key, bytes: bytes.length, file: parsed.file.path === path ? parsed.file : { ...parsed.file, path } };
    // A worker's JSON names the path it was given: this path.
    return {
      ...base,
      action: 'upsert',
      key,
      bytes: bytes.length,
      ...(parsed.json !== undefined ? { json: parsed.json } : {}),
      workerSlice: parsed.slice ?? null,
      ...(parsed.resolved ? { resolved: parsed.resolved } : {}),
    };
  }

  /**
   * Parses one file. Deliberately without the per-folder dialect memory the
   * one-shot `extract` uses: here a result must depend only on the file's
   * path, content and the settings, so that cached results are sound and an
   * incremental graph always equals a from-scratch one. See ParseRequest.
   */
  private async parse(path: string, bytes: Buffer, priority: TaskPriority, request: ParseRequest = {}): Promise<ParseOutcome> {
    const { deferred = false, resolveKey, listing = true } = request;
    if (!this.pool) {
      await Promise.all(this.backends.map((b) => b.init()));
      const file = parseFile(path, bytes, { dialect: this.options.dialect, backends: this.backends });
      return { file, json: JSON.stringify(file) };
    }
    const task: ParseTask = {
      kind: 'parse',
      path,
      bytes,
      dialect: this.options.dialect,
      ...(this.cache?.enabled ? { statementCacheContext: this.context } : {}),
      ...(deferred ? { withSlice: true } : {}),
      // A large file's edit: its statements' keys come back instead of its JSON.
      ...(!deferred && listing && this.cache?.enabled && bytes.length >= STATEMENT_CACHE_MIN_BYTES ? { listing: true } : {}),
      ...(deferred && resolveKey !== undefined ? { cacheFileKey: resolveKey, resolve: this.options.defaultSchema !== undefined ? { defaultSchema: this.options.defaultSchema } : {} } : {}),
    };
    if (task.resolve) this.shareCatalog();
    try {
      const running = this.pool.run(task, { priority, sizeHint: bytes.length });
      // While a worker lists a large file, this thread decodes its stored contribution for the diff that follows.
      if (task.listing) this.store.preloadContribution(path);
      const result = (await running) as ParseTaskResult;
      if (deferred) return { ...(result.json !== undefined ? { json: result.json } : {}), slice: result.slice ?? null, ...(result.resolved ? { resolved: result.resolved } : {}) };
      if (result.listing) {
        const cache = this.cache;
        const file = cache
          ? assembleParsedFile(result.listing, {
              get: (key) => {
                const hit = cache.getStatement(key);
                return typeof hit === 'string' ? hit : undefined;
              },
            })
          : undefined;
        // A statement evicted meanwhile: parse again, for the whole JSON. Not file-cached either way (no json).
        return file ? { file } : await this.parse(path, bytes, priority, { listing: false });
      }
      if (result.json === undefined) throw new Error('internal: a parse worker answered without the result');
      return { file: JSON.parse(result.json) as ParsedFile, json: result.json };
    } catch (error) {
      const timedOut = error instanceof TaskTimeoutError;
      this.stats.recordError(timedOut ? 'parse-timeout' : 'worker-error');
      // Not cached (no json): a timeout or crash may not happen next time.
      const file: ParsedFile = {
        path,
        dialect: this.options.dialect === 'auto' ? 'generic' : this.options.dialect,
        encoding: 'unknown',
        statements: [],
        statementCount: 0,
        diagnostics: [
          {
            severity: 'error',
            code: timedOut ? 'parse-timeout' : 'internal-error',
            message: timedOut
              ? `Parsing this file took longer than ${error.timeoutMs} ms and was stopped; the rest of the workspace is unaffected.`
              : `Could not parse this file: ${error instanceof Error ? error.message : String(error)}`,
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          },
        ],
      };
      return { file };
    }
  }

  /** Records a parsed file's catalog slice unless a newer read of the path got there first. */
  private recordSlice(item: Prepared): void {
    if ((this.appliedSeq.get(item.path) ?? 0) > item.seq) return;
    if (!item.file && item.workerSlice === undefined) throw new Error(`internal: ${item.path} has neither a parse result nor a slice`);
    this.appliedSeq.set(item.path, item.seq);
    item.slice = item.file ? catalogSliceOf(item.file) : (item.workerSlice ?? undefined);
    this.catalog.update(item.path, item.slice);
  }

  /** Shares the current catalog with the workers unless they already hold it. */
  private shareCatalog(): void {
    if (!this.pool || this.sharedCatalogVersion === this.catalog.version) return;
    this.sharedCatalogVersion = this.catalog.version;
    const shared: ResolveShared = { catalogVersion: this.catalog.version, relations: relationsOf(this.catalog.current) };
    this.pool.setShared(shared);
  }

  /**
   * Resolves a chunk of parsed files in a worker against the current
   * catalog. Undefined when there are no workers or the task failed: apply()
   * then resolves on this thread, as it does for anything resolved against
   * a catalog that has changed since.
   */
  private async resolveInWorkers(chunk: Prepared[]): Promise<ResolveTaskResult | undefined> {
    if (!this.pool) return undefined;
    const items = chunk.filter((item) => !item.file && (item.json !== undefined || this.cache?.enabled)).map((item) => ({ path: item.path, key: item.key as string, ...(item.json !== undefined ? { json: item.json } : {}) }));
    if (items.length === 0) return undefined;
    this.shareCatalog();
    const task: ResolveTask = { kind: 'resolve', items, ...(this.options.defaultSchema !== undefined ? { defaultSchema: this.options.defaultSchema } : {}) };
    try {
      return (await this.pool.run(task, { priority: 'batch' })) as ResolveTaskResult;
    } catch (error) {
      this.stats.recordError('worker-error');
      this.log('warn', `resolving in a worker failed (resolving here instead): ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  // ---- apply: catalog, resolve, store -------------------------------------------------------

  /**
   * Resolves (unless a worker already did, against this very catalog) and
   * stores a unit of prepared items in one transaction. Files in
   * `storedLater` are about to be stored anyway: no re-resolution for them.
   */
  private async apply(items: Prepared[], preResolved: readonly ResolveTaskResult[] = [], storedLater: ReadonlySet<string> = new Set()): Promise<AppliedFiles> {
    const updates: FileUpdate[] = [];
    const removals: string[] = [];
    const files: AppliedFiles['files'] = [];
    const batchPaths = new Set(items.map((i) => i.path));

    for (const item of items) {
      if (item.action === 'delete' && (this.appliedSeq.get(item.path) ?? 0) <= item.seq) {
        this.appliedSeq.set(item.path, item.seq);
        this.catalog.remove(item.path);
      }
    }
    let t = performance.now();
    const changed = this.catalog.rebuild();
    const reResolve = changed.size > 0 ? this.store.filesContributing(changed).filter((p) => !batchPaths.has(p) && !storedLater.has(p)) : [];
    this.stats.addStage('catalog', performance.now() - t);

    t = performance.now();
    const catalog = this.catalog.current;
    const record = (update: FileUpdate, statementCount: number): void => {
      updates.push(update);
      files.push({ path: update.path, statementCount, diagnostics: update.meta.diagnostics });
      for (const d of update.meta.diagnostics) if (d.severity === 'error') this.stats.recordError(d.code);
    };
    const resolveInto = (file: ParsedFile, key: string): void => {
      const fragment = resolveFile(file, catalog, nameOptionsFor(file, this.options.defaultSchema));
      record({ path: file.path, fragment, meta: fileMeta(file, key) }, file.statementCount);
    };
    const fromWorker = new Map<string, ResolvedFile>();
    for (const result of preResolved) {
      if (result.catalogVersion === this.catalog.version) for (const r of result.resolved) fromWorker.set(r.update.path, r);
    }
    for (const item of items) {
      if (this.appliedSeq.get(item.path) !== item.seq) continue; // a newer read of this path wins
      if (item.action === 'delete') {
        if (this.hashes.has(item.path)) removals.push(item.path);
        continue;
      }
      if (item.action !== 'upsert' || !item.key) continue;
      const resolved = fromWorker.get(item.path);
      if (resolved && resolved.update.meta.contentHash === item.key) {
        record(resolved.update, resolved.statementCount);
        continue;
      }
      const file = item.file ?? (item.json !== undefined ? parseJson(item.json, item.path) : undefined) ?? (await this.fetchParsed(item.path, item.key));
      if (file) resolveInto(file, item.key);
    }
    for (const path of reResolve) {
      const key = this.hashes.get(path);
      const file = key ? await this.fetchParsed(path, key) : undefined;
      if (file && key) resolveInto(file, key);
    }
    this.stats.addStage('resolve', performance.now() - t);

    t = performance.now();
    this.store.transaction(() => {
      for (const path of removals) this.store.removeFile(path);
      this.store.applyFiles(updates);
      for (const item of items) {
        if (this.appliedSeq.get(item.path) !== item.seq || item.action !== 'upsert' || item.sliceWritten) continue;
        this.store.setCatalogSlice(item.path, item.slice);
      }
    });
    for (const path of removals) {
      this.hashes.delete(path);
      this.cache?.forgetPath(path);
    }
    for (const u of updates) {
      this.hashes.set(u.path, u.meta.contentHash);
      this.cache?.recordPath(u.path, u.meta.contentHash);
    }
    this.stats.addStage('store', performance.now() - t);
    this.stats.filesProcessed += updates.length;
    this.stats.filesRemoved += removals.length;
    return { files, reResolved: reResolve.length };
  }

  /** A parsed file back from the cache, or parsed again when the cache no longer has it. */
  private async fetchParsed(path: string, key: string): Promise<ParsedFile | undefined> {
    const cached = this.cache?.peekFile(key);
    // A damaged entry falls through to a fresh parse.
    const fromCache = typeof cached === 'string' ? parseJson(cached, path) : undefined;
    if (fromCache) return fromCache;
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.absolutePath(path));
    } catch {
      return undefined;
    }
    const parsed = await this.parse(path, bytes, 'normal');
    return parsed.file ?? (parsed.json !== undefined ? parseJson(parsed.json, path) : undefined);
  }

  // ---- plumbing ---------------------------------------------------------------------------

  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.stats.recordError('pipeline');
      this.log('error', `a batch failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private relativePath(absolutePath: string): string {
    const rel = relative(this.root, absolutePath);
    return sep === '/' ? rel : rel.split(sep).join('/');
  }

  private absolutePath(path: string): string {
    return isAbsolute(path) ? path : join(this.root, path);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.options.log?.(level, message);
  }
}

/** What one apply stored, for the ingest summary. */
interface AppliedFiles {
  files: { path: string; statementCount: number; diagnostics: Diagnostic[] }[];
  reResolved: number;
}

/**
 * How a file is parsed. By default for its object here (a save). `deferred`
 * (a whole-workspace ingest): the object is not rebuilt here; the answer is
 * the worker's JSON and catalog slice, and this thread caches the JSON for
 * the resolve tasks that read it back. With `resolveKey` too (a file parsed
 * once the catalog is complete) the worker also resolves and packs the file,
 * stores its parse in the cache itself, and the result carries that key.
 * `listing: false` asks a large file's whole JSON instead of its statement keys.
 */
interface ParseRequest {
  deferred?: boolean;
  resolveKey?: string;
  listing?: boolean;
}

/** A parse: the object (parsed here, or an error result), and/or the JSON a worker sent with its slice. */
interface ParseOutcome {
  file?: ParsedFile;
  json?: string;
  slice?: CatalogSlice | null;
  resolved?: ResolveTaskResult;
}

/** A parse that timed out or crashed: the file's diagnostics stand in for its content. */
function failedParse(file: ParsedFile): boolean {
  return file.diagnostics.some((d) => d.code === 'parse-timeout' || d.code === 'internal-error');
}

function parseJson(json: string, path: string): ParsedFile | undefined {
  try {
    return { ...(JSON.parse(json) as ParsedFile), path };
  } catch {
    return undefined;
  }
}

/** The folder for the graph; a new `.sqlgraph` also gets a .gitignore so it is never committed. */
function ensureStateFolder(folder: string): void {
  if (existsSync(folder)) return;
  mkdirSync(folder, { recursive: true });
  if (basename(folder) === '.sqlgraph') writeFileSync(join(folder, '.gitignore'), '*\n');
}

/**
 * The parse worker beside this module: the TypeScript source when running
 * from source, dist/worker.cjs when bundled (esbuild.mjs defines
 * import.meta.url as the bundle's own URL).
 */
function defaultWorkerScript(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './parseWorker.ts' : './worker.cjs', import.meta.url);
}

/** The file with one statement changed for a rehearsal: a space doubled after the middle (undefined when there is none). */
function rehearsalEdit(bytes: Buffer): Buffer | undefined {
  const at = bytes.indexOf(0x20, bytes.length >> 1);
  return at < 0 ? undefined : Buffer.concat([bytes.subarray(0, at), Buffer.from(' '), bytes.subarray(at)]);
}
