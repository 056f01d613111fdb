/**
 * Keeps Neo4j converged with the graph store. The store's pending set says
 * which files' current state Neo4j lacks; files are written in batches (many
 * files per transaction), then acknowledged at the version that was read, so
 * a file changed meanwhile stays pending. Outages are waited out with
 * backoff and the work stays pending; refused rows go to the dead-letter log
 * (fsynced) before their files are acknowledged.
 */
import type { Driver } from 'neo4j-driver';
import type { GraphStore } from '../store/graphStore.ts';
import type { PendingFile } from '../store/types.ts';
import { DEFAULT_RETRY, retryDelay, sleep, type RetryPolicy } from './backoff.ts';
import type { DeadLetter, DeadLetterLog } from './deadLetters.ts';
import { classifyError, connectionError, errorCode, errorMessage } from './errors.ts';
import { batchRowsInTurns, estimatedRows, fileWork, type BatchRows, type FileWork } from './fileWork.ts';
import { DEFAULT_DATABASE } from './neo4jConfig.ts';
import { ReplicaWriter, type WriteOutcome } from './replicaWriter.ts';
import { entityRow, groupId, relationshipRow, type RelationshipRow } from './rows.ts';

/**
 * Rows per transaction; chosen from the batch-size curve of
 * scripts/benchNeo4j.ts. Neo4j's cost per row grows with the transaction's
 * size (its transaction state), while the client's cost per transaction is
 * fixed: 2,500 used ~12% less server CPU than 5,000 for the same sync.
 */
export const DEFAULT_BATCH_SIZE = 2500;
/** Two lanes: Neo4j runs a transaction on one thread, and a lane's client work overlaps the other's server work. */
export const DEFAULT_WRITERS = 2;
/** Files per transaction at most, so tombstones and tiny files still make reasonable batches. */
const MAX_FILES_PER_BATCH = 500;
const PENDING_PAGE = 2000;

/** A batch's pending entries with what was read for them from the store. */
interface PreparedBatch {
  batch: readonly PendingFile[];
  works: FileWork[];
  rows: BatchRows;
}

export type SyncLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface Neo4jSyncOptions {
  driver: Driver;
  database?: string;
  deadLetters: DeadLetterLog;
  batchSize?: number;
  /** Concurrent write transactions (lanes) of a sync; default DEFAULT_WRITERS. */
  writers?: number;
  retry?: RetryPolicy;
  /** Client-side deadline of one transaction before it counts as an outage. Default 60 s. */
  timeoutMs?: number;
  /** For messages only: the URI and user. */
  target?: { uri: string; user: string };
  log?: SyncLog;
}

export interface SyncReport {
  /** Pending entries handled (files and tombstones). */
  files: number;
  written: number;
  /** Files Neo4j already held as they are. */
  current: number;
  removed: number;
  acknowledged: number;
  /** Files that changed while being written: still pending. */
  changedMeanwhile: number;
  entities: number;
  relationships: number;
  deletedNodes: number;
  deletedRelationships: number;
  transactions: number;
  retries: number;
  deadLetters: number;
  seconds: number;
}

export interface ReplayReport {
  letters: number;
  succeeded: number;
  /** The row's file changed or is gone since: its current state was synced instead. */
  obsolete: number;
  stillRefused: number;
  transactions: number;
  retries: number;
}

export interface SyncRunOptions {
  signal?: AbortSignal;
  /** Stop after this many pending entries (the rest stays pending). */
  maxFiles?: number;
  onProgress?: (report: SyncReport, pending: number) => void;
}

export class Neo4jSync {
  readonly store: GraphStore;
  readonly deadLetters: DeadLetterLog;
  readonly batchSize: number;
  /** Concurrent write transactions of a sync. */
  readonly writers: number;
  private readonly writer: ReplicaWriter;
  private readonly retry: RetryPolicy;
  private readonly options: Neo4jSyncOptions;
  /** One run at a time: a second caller waits for the first. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(store: GraphStore, options: Neo4jSyncOptions) {
    this.store = store;
    this.options = options;
    this.deadLetters = options.deadLetters;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? DEFAULT_BATCH_SIZE));
    this.writers = Math.max(1, Math.floor(options.writers ?? DEFAULT_WRITERS));
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.writer = new ReplicaWriter(store, {
      driver: options.driver,
      database: options.database ?? DEFAULT_DATABASE,
      timeoutMs: options.timeoutMs ?? 60_000,
      batchSize: this.batchSize,
    });
  }

  /** Transactions this sync has run (including retried and split ones). */
  get transactions(): number {
    return this.writer.transactions;
  }

  /** Pushes the store's pending set until it is empty (or aborted). */
  syncPending(options: SyncRunOptions = {}): Promise<SyncReport> {
    return this.serialised(() => this.run(options));
  }

  /** Re-submits dead letters; removes those that now succeed or no longer apply. */
  replay(options: { signal?: AbortSignal } = {}): Promise<ReplayReport> {
    return this.serialised(() => this.replayLetters(options.signal));
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(options: SyncRunOptions): Promise<SyncReport> {
    const started = performance.now();
    const transactions = this.writer.transactions;
    const report = emptyReport();
    const limit = options.maxFiles ?? Number.POSITIVE_INFINITY;
    while (report.files < limit) {
      options.signal?.throwIfAborted();
      const page = this.store.pendingFiles(Math.min(PENDING_PAGE, limit - report.files));
      if (page.length === 0) break;
      const batches: PendingFile[][] = [];
      let batch: PendingFile[] = [];
      let rows = 0;
      for (const p of page) {
        const n = estimatedRows(this.store, p);
        if (batch.length > 0 && (rows + n > this.batchSize || batch.length >= MAX_FILES_PER_BATCH)) {
          batches.push(batch);
          batch = [];
          rows = 0;
        }
        batch.push(p);
        rows += n;
      }
      if (batch.length > 0) batches.push(batch);
      await this.writeInLanes(batches, report, options);
    }
    report.transactions = this.writer.transactions - transactions;
    report.seconds = (performance.now() - started) / 1000;
    return report;
  }

  /**
   * Writes the batches in `writers` concurrent lanes. Neo4j runs each
   * transaction on one thread, so one writer leaves a core idle; each lane
   * reads its next batch from the store while its current one is in Neo4j.
   * Lanes touch the same hub entities: MERGE on the unique keys makes that
   * race-free, an upsert leaves an unchanged node unwritten (so lanes share
   * its locks rather than queue for them; see upsertEntitiesQuery), the
   * clean-up locks a node before deciding to strip it (see
   * STRIP_UNSUPPORTED), and deadlocks are transient errors, retried like any
   * other.
   */
  private async writeInLanes(batches: readonly PendingFile[][], report: SyncReport, options: SyncRunOptions): Promise<void> {
    let taken = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      let next: Promise<PreparedBatch> | undefined;
      const take = (): Promise<PreparedBatch> | undefined => {
        const batch = !failed && taken < batches.length ? batches[taken++] : undefined;
        const prepared = batch && this.prepare(batch);
        // Awaited below; this keeps a failure while the current batch is written from being an unhandled rejection.
        prepared?.catch(() => undefined);
        return prepared;
      };
      next = take();
      while (next) {
        options.signal?.throwIfAborted();
        const prepared = await next;
        const writing = this.syncBatch(prepared, report, options.signal);
        writing.catch(() => undefined);
        next = take();
        try {
          await writing;
        } catch (error) {
          failed = true;
          throw error;
        }
        options.onProgress?.(report, this.store.pendingCount());
      }
    };
    const lanes = Array.from({ length: Math.min(this.writers, batches.length) }, lane);
    // Every lane finishes (or fails) before the first failure is reported: no write is left running.
    const results = await Promise.allSettled(lanes);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  /** Reads a batch's files and rows from the store, in turns (see batchRowsInTurns). */
  private async prepare(batch: readonly PendingFile[]): Promise<PreparedBatch> {
    const works = batch.map((p) => fileWork(this.store, p));
    return { batch, works, rows: await batchRowsInTurns(this.store, works) };
  }

  private async syncBatch(prepared: PreparedBatch, report: SyncReport, signal: AbortSignal | undefined): Promise<void> {
    const { batch } = prepared;
    let attempt = 0;
    // Re-read on every retry: the store may have moved on during an outage (acknowledging the old version keeps it pending).
    const outcome = await this.withRetries('sync', () => (attempt++ === 0 ? this.writer.writeFiles(prepared.works, prepared.rows) : this.writer.writeFiles(batch.map((p) => fileWork(this.store, p)))), signal, report);
    this.deadLetters.append(outcome.letters);
    for (const p of batch) {
      if (this.store.acknowledge(p.path, p.version)) report.acknowledged++;
      else report.changedMeanwhile++;
    }
    report.files += batch.length;
    report.removed += batch.filter((p) => p.removed).length;
    addReport(report, outcome);
  }

  private async withRetries<T>(what: string, fn: () => Promise<T>, signal: AbortSignal | undefined, counter: { retries: number }): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        const kind = classifyError(error);
        if (kind === 'auth') {
          const target = this.options.target;
          throw connectionError(error, target?.uri ?? 'the server', target?.user ?? '');
        }
        if (kind !== 'transient') throw error;
        const delay = retryDelay(attempt, this.retry);
        counter.retries++;
        this.options.log?.('warn', `Neo4j ${what}: ${errorCode(error) ?? ''} ${errorMessage(error)}; retrying in ${(delay / 1000).toFixed(1)} s (the work stays pending)`);
        await sleep(delay, signal);
      }
    }
  }

  private async replayLetters(signal: AbortSignal | undefined): Promise<ReplayReport> {
    const { letters } = this.deadLetters.read();
    const transactions = this.writer.transactions;
    const report: ReplayReport = { letters: letters.length, succeeded: 0, obsolete: 0, stillRefused: 0, transactions: 0, retries: 0 };
    const kept: DeadLetter[] = [];
    const seen = new Set<string>();
    for (const letter of letters) {
      signal?.throwIfAborted();
      const identity = `${letter.stage}\u0000${letter.group}\u0000${letter.file}\u0000${rowIdentity(letter)}`;
      if (seen.has(identity)) {
        report.obsolete++;
        continue;
      }
      seen.add(identity);
      const result = await this.withRetries('replay', () => this.replayOne(letter), signal, report);
      if (result === 'obsolete') report.obsolete++;
      else if (result === 'ok') report.succeeded++;
      else {
        report.stillRefused++;
        kept.push(...result);
      }
    }
    this.deadLetters.rewrite(kept);
    report.transactions = this.writer.transactions - transactions;
    return report;
  }

  /** 'ok', 'obsolete', or the letters still refused (with the current error). */
  private async replayOne(letter: DeadLetter): Promise<'ok' | 'obsolete' | DeadLetter[]> {
    const work = fileWork(this.store, { path: letter.file, version: 0, removed: false });
    if (work.removed || !work.contribution) return 'obsolete';
    const now = (refused: { row: unknown; error: unknown }[]): 'ok' | DeadLetter[] =>
      refused.length === 0 ? 'ok' : refused.map((r) => ({ ...letter, at: new Date().toISOString(), code: errorCode(r.error) ?? 'unknown', message: errorMessage(r.error), contentHash: work.contentHash, row: r.row }));
    if (letter.stage === 'file') {
      const outcome = await this.writer.writeFiles([work]);
      return outcome.letters.length === 0 ? 'ok' : outcome.letters;
    }
    if (letter.stage === 'entity') {
      const key = (letter.row as { key?: unknown }).key;
      const merged = typeof key === 'string' && work.contribution.entities.some((e) => e.key === key) ? this.store.entity(key) : undefined;
      if (!merged) return 'obsolete';
      const row = entityRow(merged, [{ path: work.path, gen: work.gen, fresh: false }]);
      return now(await this.writer.writeRows('entity', letter.group, [row]));
    }
    const rid = (letter.row as { rid?: unknown }).rid;
    let current: RelationshipRow | undefined;
    for (const r of work.contribution.relationships) {
      const { group, row } = relationshipRow(r, work.gen);
      if (row.rid === rid && groupId(group) === letter.group) current = row;
    }
    if (!current) return 'obsolete';
    return now(await this.writer.writeRows('relationship', letter.group, [current]));
  }
}

function rowIdentity(letter: DeadLetter): string {
  const row = letter.row as { key?: unknown; rid?: unknown; path?: unknown } | null;
  return String(row?.key ?? row?.rid ?? row?.path ?? '');
}

export function emptyReport(): SyncReport {
  return {
    files: 0, written: 0, current: 0, removed: 0, acknowledged: 0, changedMeanwhile: 0, entities: 0, relationships: 0,
    deletedNodes: 0, deletedRelationships: 0, transactions: 0, retries: 0, deadLetters: 0, seconds: 0,
  };
}

function addReport(report: SyncReport, o: WriteOutcome): void {
  report.written += o.written;
  report.current += o.current;
  report.entities += o.entities;
  report.relationships += o.relationships;
  report.deletedNodes += o.deletedNodes;
  report.deletedRelationships += o.deletedRelationships;
  report.deadLetters += o.letters.length;
}

