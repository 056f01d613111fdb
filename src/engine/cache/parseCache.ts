import { CacheClock } from './cacheClock.ts';
import { CacheDatabase } from './cacheDatabase.ts';
import type { CachePayload, EntryLimits, EntryRow, WriteBatch } from './cacheDatabase.ts';
import { moveCorruptDatabaseAside, prepareCacheFolder } from './cacheFiles.ts';
import { resolveCacheOptions } from './cacheOptions.ts';
import type { ParseCacheOptions, ResolvedCacheOptions } from './cacheOptions.ts';
import { classifySqliteFailure, describeFailure } from './sqliteFailure.ts';
import type { SqliteFailureKind } from './sqliteFailure.ts';

export type { CachePayload } from './cacheDatabase.ts';

/*
 * A per-workspace SQLite database (WAL) of extraction results, keyed by
 * content (see cacheKey). Puts are buffered and written in one transaction
 * per flush; lookups read through the buffer. Every failure is handled here
 * and never thrown: a damaged file is moved aside and rebuilt, a read-only
 * or full disk turns writes off, a lock makes calls miss or skip for a short
 * back-off, anything else turns the cache off. Each warns once.
 *
 * Limits: maxEntries file entries and maxStatementEntries (10× by default)
 * statement entries, least recently used evicted first at each flush; path
 * records live exactly as long as their file entry. One process should own
 * a ParseCache (keep it on the main thread, not in parse workers): other
 * connections only make writes skip.
 */

export interface ParseCacheStats {
  /** False when the cache is off, could not open, or was closed. */
  enabled: boolean;
  /** getFile/getStatement calls that found an entry. */
  hits: number;
  misses: number;
  hitRate: number;
  /** getFileByPath calls that found a key (counted apart from hits). */
  pathHits: number;
  pathMisses: number;
  entries: number;
  statementEntries: number;
  /** Size of the database file's pages (not counting its WAL). */
  bytes: number;
  /** Entries removed because the cache was over its limits, this session. */
  evictions: number;
  /** Entries removed by cleanup() for being unused longer than the TTL, this session. */
  expired: number;
  /** Buffered writes (entries and paths) committed this session. */
  writes: number;
  /** Writes dropped: database locked, read-only or full. */
  writesSkipped: number;
  path: string;
  /** Why the cache is off or read-only, when it is. */
  degraded?: string;
}

export interface ParseCache {
  readonly enabled: boolean;
  /** The cached result of a file, by cacheKey(file bytes, context). */
  getFile(key: string): CachePayload | undefined;
  /** Buffered; written in one transaction with the others (see flush). */
  putFile(key: string, payload: CachePayload): void;
  /** getFile without counting a hit or miss: the pipeline reading back what it just stored. */
  peekFile(key: string): CachePayload | undefined;
  /** The cached result of one statement, by cacheKey(statement text, context). */
  getStatement(key: string): CachePayload | undefined;
  /** Whether a statement's result is cached, without reading it (counted as getStatement is). */
  hasStatement(key: string): boolean;
  putStatement(key: string, payload: CachePayload): void;
  /**
   * The key last recorded for a path, while its file entry is still cached:
   * when it equals the key of the file's current bytes, the file is unchanged
   * and need not even be deserialised.
   */
  getFileByPath(path: string): { key: string } | undefined;
  recordPath(path: string, key: string): void;
  /** For a deleted file. */
  forgetPath(path: string): void;
  /** Writes buffered puts now; otherwise they are written flushDelayMs after the first, or when the buffer fills. */
  flush(): void;
  /** Removes entries unused for ttlDays and any over the limits. Run at open; call now and then. */
  cleanup(): { expired: number; evicted: number };
  stats(): ParseCacheStats;
  /** Removes every entry and path. */
  clear(): void;
  /** Flushes and closes; the cache is disabled afterwards. */
  close(): void;
}

/** After a lock timeout, further lookups and writes give up at once for this long instead of waiting again. */
const BUSY_BACKOFF_MS = 1000;
/** A hit refreshes an entry's last use only when it is older than this, so most hits write nothing. */
const TOUCH_AFTER_MS = 60_000;
const FLUSH_AT_ITEMS = 256;
const FLUSH_AT_BYTES = 8 * 1024 * 1024;
/** A database found damaged again after being rebuilt is not rebuilt in a loop. */
const MAX_RECOVERIES = 2;

function emptyBatch(): WriteBatch {
  return { files: new Map(), statements: new Map(), paths: new Map(), touchedFiles: new Set(), touchedStatements: new Set(), touchedPaths: new Set() };
}

function payloadSize(payload: CachePayload): number {
  return typeof payload === 'string' ? payload.length : payload.byteLength;
}

/**
 * Opens the parse cache at options.path. Never throws: a cache that cannot be
 * opened is returned disabled, with one warning and the reason in stats().
 */
export function openParseCache(options: ParseCacheOptions): ParseCache {
  let resolved: ResolvedCacheOptions | undefined;
  try {
    resolved = resolveCacheOptions(options);
    return new SqliteParseCache(resolved);
  } catch (error) {
    // Only a throwing logger or clock can get here; the cache still must not take the caller down.
    const fallback = resolved ?? { ...resolveCacheOptions({ path: String(options.path) }), log: () => {} };
    return new SqliteParseCache({ ...fallback, enabled: false }, `could not start (${describeFailure(error)})`);
  }
}

class SqliteParseCache implements ParseCache {
  private readonly options: ResolvedCacheOptions;
  private readonly limits: EntryLimits;
  private database: CacheDatabase | undefined;
  private clock: CacheClock;
  private writable = true;
  /** Set when the database was locked at open: another attempt is made after this (performance.now()). */
  private retryOpenAt = 0;
  private readBackoffUntil = 0;
  private writeBackoffUntil = 0;
  private pending: WriteBatch = emptyBatch();
  private pendingItems = 0;
  private pendingBytes = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private recoveries = 0;
  private degraded: string | undefined;
  private readonly warned = new Set<string>();
  private hits = 0;
  private misses = 0;
  private pathHits = 0;
  private pathMisses = 0;
  private evictions = 0;
  private expired = 0;
  private writes = 0;
  private writesSkipped = 0;

  constructor(options: ResolvedCacheOptions, startupFailure?: string) {
    this.options = options;
    this.limits = { maxEntries: options.maxEntries, maxStatementEntries: options.maxStatementEntries };
    this.clock = new CacheClock(options.now);
    if (!options.enabled) {
      this.degraded = startupFailure ?? 'disabled by settings';
      return;
    }
    try {
      prepareCacheFolder(options.path);
    } catch (error) {
      this.disable(`cannot create its folder (${describeFailure(error)})`);
      return;
    }
    this.database = this.openDatabase();
    if (this.database !== undefined) this.cleanup();
  }

  get enabled(): boolean {
    return this.database !== undefined || this.retryOpenAt !== 0;
  }

  getFile(key: string): CachePayload | undefined {
    return this.lookup(key, 'file', true);
  }

  peekFile(key: string): CachePayload | undefined {
    return this.lookup(key, 'file', false);
  }

  getStatement(key: string): CachePayload | undefined {
    return this.lookup(key, 'statement', true);
  }

  hasStatement(key: string): boolean {
    return this.lookup(key, 'statement', true, false) !== undefined;
  }

  putFile(key: string, payload: CachePayload): void {
    this.buffer(this.pending.files, key, payload);
  }

  putStatement(key: string, payload: CachePayload): void {
    this.buffer(this.pending.statements, key, payload);
  }

  getFileByPath(path: string): { key: string } | undefined {
    const buffered = this.pending.paths.get(path);
    if (buffered !== undefined) {
      if (buffered === null) this.pathMisses++;
      else this.pathHits++;
      return buffered === null ? undefined : { key: buffered };
    }
    const database = this.readable();
    if (database === undefined) {
      this.pathMisses++;
      return undefined;
    }
    let row;
    try {
      row = database.lookupPath(path);
    } catch (error) {
      this.fail(error, 'read');
    }
    if (row === undefined) {
      this.pathMisses++;
      return undefined;
    }
    this.pathHits++;
    // A skipped file never calls getFile, so its entry must be kept fresh here.
    this.touchIfStale(row.last_used, this.pending.touchedPaths, path);
    return { key: row.key };
  }

  recordPath(path: string, key: string): void {
    this.buffer(this.pending.paths, path, key);
  }

  forgetPath(path: string): void {
    this.buffer(this.pending.paths, path, null);
  }

  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    const batch = this.pending;
    const items = this.pendingItems;
    if (items === 0 && batch.touchedFiles.size === 0 && batch.touchedStatements.size === 0 && batch.touchedPaths.size === 0) return;
    this.pending = emptyBatch();
    this.pendingItems = 0;
    this.pendingBytes = 0;
    const database = this.writableDatabase();
    if (database === undefined) {
      this.writesSkipped += items;
      return;
    }
    try {
      const evicted = database.write(batch, this.clock.now(), this.limits, this.clock.snapshot());
      this.writes += items;
      this.evictions += evicted.files + evicted.statements;
    } catch (error) {
      this.writesSkipped += items;
      this.fail(error, 'write');
    }
  }

  cleanup(): { expired: number; evicted: number } {
    this.flush();
    const database = this.writableDatabase();
    if (database === undefined) return { expired: 0, evicted: 0 };
    try {
      const now = this.clock.now();
      const { expired, evicted } = database.cleanup(now - this.options.ttlMs, this.limits, this.clock.snapshot());
      const result = { expired: expired.files + expired.statements, evicted: evicted.files + evicted.statements };
      this.expired += result.expired;
      this.evictions += result.evicted;
      return result;
    } catch (error) {
      this.fail(error, 'write');
      return { expired: 0, evicted: 0 };
    }
  }

  stats(): ParseCacheStats {
    this.flush();
    let entries = 0;
    let statementEntries = 0;
    let bytes = 0;
    const database = this.readable();
    if (database !== undefined) {
      try {
        const counts = database.counts();
        entries = counts.files;
        statementEntries = counts.statements;
        bytes = database.byteSize();
      } catch (error) {
        this.fail(error, 'read');
      }
    }
    const lookups = this.hits + this.misses;
    const stats: ParseCacheStats = {
      enabled: this.enabled,
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      pathHits: this.pathHits,
      pathMisses: this.pathMisses,
      entries,
      statementEntries,
      bytes,
      evictions: this.evictions,
      expired: this.expired,
      writes: this.writes,
      writesSkipped: this.writesSkipped,
      path: this.options.path,
    };
    if (this.degraded !== undefined) stats.degraded = this.degraded;
    return stats;
  }

  clear(): void {
    this.dropPending();
    const database = this.writableDatabase();
    if (database === undefined) return;
    try {
      database.clear();
    } catch (error) {
      this.fail(error, 'write');
    }
  }

  close(): void {
    this.flush();
    this.retryOpenAt = 0;
    const database = this.database;
    if (database !== undefined && this.writable && !this.backingOff('write')) {
      try {
        database.saveClock(this.clock.snapshot());
      } catch {
        // Losing the clock only makes the next session start from the wall clock.
      }
    }
    this.closeDatabase();
    this.degraded ??= 'closed';
  }

  /** With `payload` false, a found entry answers '' (a listing only needs to know it is there). */
  private lookup(key: string, level: 'file' | 'statement', count: boolean, payload = true): CachePayload | undefined {
    const buffered = (level === 'file' ? this.pending.files : this.pending.statements).get(key);
    if (buffered !== undefined) {
      if (count) this.hits++;
      return buffered;
    }
    const database = this.readable();
    let row: Omit<EntryRow, 'payload'> & { payload?: EntryRow['payload'] } | undefined;
    if (database !== undefined) {
      try {
        if (!payload && level === 'statement') row = database.statementPresent(key);
        else row = level === 'file' ? database.lookupFile(key) : database.lookupStatement(key);
      } catch (error) {
        this.fail(error, 'read');
      }
    }
    if (row === undefined) {
      if (count) this.misses++;
      return undefined;
    }
    if (count) this.hits++;
    this.touchIfStale(row.last_used, level === 'file' ? this.pending.touchedFiles : this.pending.touchedStatements, row.id);
    return row.payload ?? '';
  }

  private touchIfStale<T>(lastUsed: number, touched: Set<T>, item: T): void {
    if (!this.writable || this.clock.now() - lastUsed < TOUCH_AFTER_MS) return;
    touched.add(item);
    this.scheduleFlush();
  }

  private buffer<V extends CachePayload | null>(target: Map<string, V>, key: string, value: V): void {
    if (!this.enabled) return;
    if (!this.writable) {
      this.writesSkipped++;
      return;
    }
    if (typeof key !== 'string' || (value !== null && typeof value !== 'string' && !(value instanceof Uint8Array))) {
      // One bad value from a caller must not fail the whole batch it would join.
      this.writesSkipped++;
      this.warnOnce('invalid', `Parse cache: ignored a put with a ${typeof key} key and a ${typeof value} payload (expected a string key and a string or bytes payload).`);
      return;
    }
    // Bytes are copied: the caller may reuse its buffer before the flush.
    const stored = (value !== null && typeof value !== 'string' ? new Uint8Array(value) : value) as V;
    if (!target.has(key)) this.pendingItems++;
    target.set(key, stored);
    if (stored !== null) this.pendingBytes += payloadSize(stored);
    if (this.pendingItems >= FLUSH_AT_ITEMS || this.pendingBytes >= FLUSH_AT_BYTES) this.flush();
    else this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer !== undefined) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, this.options.flushDelayMs);
    this.flushTimer.unref();
  }

  private dropPending(): void {
    if (this.flushTimer !== undefined) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    this.pending = emptyBatch();
    this.pendingItems = 0;
    this.pendingBytes = 0;
  }

  private backingOff(access: 'read' | 'write'): boolean {
    const until = access === 'read' ? this.readBackoffUntil : this.writeBackoffUntil;
    if (until === 0) return false;
    if (performance.now() < until) return true;
    if (access === 'read') this.readBackoffUntil = 0;
    else this.writeBackoffUntil = 0;
    return false;
  }

  private readable(): CacheDatabase | undefined {
    return this.backingOff('read') ? undefined : this.connected();
  }

  private writableDatabase(): CacheDatabase | undefined {
    return this.writable && !this.backingOff('write') ? this.connected() : undefined;
  }

  private connected(): CacheDatabase | undefined {
    if (this.database === undefined && this.retryOpenAt !== 0 && performance.now() >= this.retryOpenAt) {
      this.retryOpenAt = 0;
      this.database = this.openDatabase();
    }
    return this.database;
  }

  /** Opens the database, moving a damaged file aside and starting afresh when needed. */
  private openDatabase(): CacheDatabase | undefined {
    for (;;) {
      let database: CacheDatabase | undefined;
      try {
        database = new CacheDatabase(this.options.path, this.options.busyTimeoutMs);
        const saved = database.loadClock();
        if (saved !== undefined) this.clock = new CacheClock(this.options.now, saved);
        this.options.tuneConnection?.(database.db);
        return database;
      } catch (error) {
        try {
          database?.close();
        } catch {
          // Already unusable.
        }
        const kind = classifySqliteFailure(error);
        if (kind === 'corrupt' && this.moveAside(error)) continue;
        if (kind === 'busy') {
          // Locked by another process right now: every call misses at once until the next attempt.
          this.retryOpenAt = performance.now() + BUSY_BACKOFF_MS;
          this.warnOnce('busy', this.busyWarning());
          return undefined;
        }
        this.disable(this.reasonFor(kind, error));
        return undefined;
      }
    }
  }

  /** Decides what a failed call means for the rest of the session. Never throws. */
  private fail(error: unknown, access: 'read' | 'write'): void {
    const kind = classifySqliteFailure(error);
    if (kind === 'busy') {
      const until = performance.now() + BUSY_BACKOFF_MS;
      if (access === 'read') this.readBackoffUntil = until;
      else this.writeBackoffUntil = until;
      this.warnOnce('busy', this.busyWarning());
      return;
    }
    if (kind === 'corrupt') {
      this.closeDatabase();
      // Row ids belong to the damaged file.
      this.pending.touchedFiles.clear();
      this.pending.touchedStatements.clear();
      if (this.moveAside(error)) this.database = this.openDatabase();
      else this.disable(this.reasonFor(kind, error));
      return;
    }
    if ((kind === 'readonly' || kind === 'full') && access === 'write') {
      this.writable = false;
      this.writesSkipped += this.pendingItems;
      this.dropPending();
      this.degraded = `writes disabled: ${this.reasonFor(kind, error)}`;
      this.warnOnce(kind, `Parse cache ${this.options.path}: ${this.degraded}; lookups still work.`);
      return;
    }
    this.disable(this.reasonFor(kind, error));
  }

  /** Returns false when the file cannot be moved or has been rebuilt too often already. */
  private moveAside(error: unknown): boolean {
    if (this.recoveries >= MAX_RECOVERIES) return false;
    this.recoveries++;
    let aside: string;
    try {
      aside = moveCorruptDatabaseAside(this.options.path, Date.now());
    } catch (moveError) {
      this.warnOnce('corrupt', `Parse cache ${this.options.path} is damaged (${describeFailure(error)}) and could not be moved aside (${describeFailure(moveError)}).`);
      return false;
    }
    this.warnOnce('corrupt', `Parse cache ${this.options.path} was damaged (${describeFailure(error)}); moved it to ${aside} and started a new one.`);
    return true;
  }

  private busyWarning(): string {
    return `Parse cache ${this.options.path} is locked by another process; lookups miss and writes are skipped while it is.`;
  }

  private reasonFor(kind: SqliteFailureKind, error: unknown): string {
    const detail = describeFailure(error);
    switch (kind) {
      case 'busy':
        return `locked by another process (${detail})`;
      case 'corrupt':
        return `the database is damaged (${detail})`;
      case 'readonly':
        return `the location is read-only (${detail})`;
      case 'full':
        return `the disk is full (${detail})`;
      case 'cantopen':
        return `cannot open the database (${detail})`;
      default:
        return detail;
    }
  }

  private disable(reason: string): void {
    this.retryOpenAt = 0;
    this.writesSkipped += this.pendingItems;
    this.dropPending();
    this.closeDatabase();
    this.degraded = reason;
    this.warnOnce('disabled', `Parse cache ${this.options.path} disabled: ${reason}. Files will be parsed without it.`);
  }

  private closeDatabase(): void {
    const database = this.database;
    this.database = undefined;
    if (database === undefined) return;
    try {
      database.close();
    } catch {
      // Closing a broken connection may fail; it is dropped either way.
    }
  }

  private warnOnce(kind: string, message: string): void {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    try {
      this.options.log('warn', message);
    } catch {
      // A failing logger must not break the cache.
    }
  }
}
