import { join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

export type CacheLog = (level: 'warn' | 'info', message: string) => void;

export interface ParseCacheOptions {
  /** The database file. */
  path: string;
  /** False gives a cache that stores nothing and opens no file. Default true. */
  enabled?: boolean;
  /** Most file entries kept; the least recently used go first. Default 10,000. */
  maxEntries?: number;
  /** Most statement entries kept. Default 10 × maxEntries. */
  maxStatementEntries?: number;
  /** Entries unused for this long are removed by cleanup(). Default 30. */
  ttlDays?: number;
  /** How long a query waits for another process's lock. Default 100, capped at 200. */
  busyTimeoutMs?: number;
  /** Where warnings go. Default: process.emitWarning for 'warn', nothing for 'info'. */
  log?: CacheLog;
  /** Wall clock in ms, used only to age entries for the TTL. Default Date.now. */
  now?: () => number;
  /** Buffered writes are flushed this long after the first one (or sooner when the buffer is full). Default 25. */
  flushDelayMs?: number;
  /** For tests and tuning: runs on every new connection once its schema is in place. */
  tuneConnection?: (db: BetterSqlite3.Database) => void;
}

export const DEFAULT_MAX_ENTRIES = 10_000;
export const STATEMENT_ENTRIES_PER_FILE_ENTRY = 10;
export const DEFAULT_TTL_DAYS = 30;
export const DEFAULT_BUSY_TIMEOUT_MS = 100;
/** A lookup must never stall the pipeline longer than this, whatever the caller asks. */
export const MAX_BUSY_TIMEOUT_MS = 200;
export const DEFAULT_FLUSH_DELAY_MS = 25;

const MAX_ENTRIES_LIMIT = 10_000_000;
const MAX_TTL_DAYS = 36_500;

/** The cache lives beside the workspace's other SQL Graph state. */
export function defaultCachePath(workspaceRoot: string): string {
  return join(resolve(workspaceRoot), '.sqlgraph', 'cache.db');
}

/** Options with every default filled in and every number inside its bounds. */
export interface ResolvedCacheOptions {
  path: string;
  enabled: boolean;
  maxEntries: number;
  maxStatementEntries: number;
  ttlMs: number;
  busyTimeoutMs: number;
  flushDelayMs: number;
  log: CacheLog;
  now: () => number;
  tuneConnection: ((db: BetterSqlite3.Database) => void) | undefined;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function defaultLog(level: 'warn' | 'info', message: string): void {
  if (level === 'warn') process.emitWarning(message, 'SqlGraphParseCache');
}

function isPositiveInteger(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= limit;
}

function isPositiveNumber(value: unknown, limit: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= limit;
}

/** Bad numbers from a caller fall back to the default with a warning, never an exception. */
export function resolveCacheOptions(options: ParseCacheOptions): ResolvedCacheOptions {
  const log = options.log ?? defaultLog;
  const pick = <T>(name: string, value: T | undefined, valid: (v: unknown) => boolean, fallback: T): T => {
    if (value === undefined) return fallback;
    if (valid(value)) return value;
    log('warn', `Parse cache: ignoring invalid ${name} ${String(value)}; using ${String(fallback)}.`);
    return fallback;
  };
  const maxEntries = pick('maxEntries', options.maxEntries, (v) => isPositiveInteger(v, MAX_ENTRIES_LIMIT), DEFAULT_MAX_ENTRIES);
  const maxStatementEntries = pick(
    'maxStatementEntries',
    options.maxStatementEntries,
    (v) => isPositiveInteger(v, MAX_ENTRIES_LIMIT * STATEMENT_ENTRIES_PER_FILE_ENTRY),
    maxEntries * STATEMENT_ENTRIES_PER_FILE_ENTRY,
  );
  const ttlDays = pick('ttlDays', options.ttlDays, (v) => isPositiveNumber(v, MAX_TTL_DAYS), DEFAULT_TTL_DAYS);
  const busy = pick('busyTimeoutMs', options.busyTimeoutMs, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, DEFAULT_BUSY_TIMEOUT_MS);
  const flushDelayMs = pick('flushDelayMs', options.flushDelayMs, (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0, DEFAULT_FLUSH_DELAY_MS);
  return {
    path: resolve(options.path),
    enabled: options.enabled ?? true,
    maxEntries,
    maxStatementEntries,
    ttlMs: ttlDays * DAY_MS,
    busyTimeoutMs: Math.round(Math.min(busy, MAX_BUSY_TIMEOUT_MS)),
    flushDelayMs,
    log,
    now: options.now ?? Date.now,
    tuneConnection: options.tuneConnection,
  };
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/**
 * Merges the SQLGRAPH_*PARSE_CACHE* environment variables over the given
 * options. An invalid value is reported through `defaults.log` and ignored.
 */
export function cacheOptionsFromEnv(env: Readonly<Record<string, string | undefined>>, defaults: ParseCacheOptions): ParseCacheOptions {
  const log = defaults.log ?? defaultLog;
  const merged: ParseCacheOptions = { ...defaults };
  const read = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };
  const reject = (name: string, raw: string, expected: string): void => {
    log('warn', `Ignoring ${name}=${JSON.stringify(raw)}: expected ${expected}.`);
  };

  const enabled = read('SQLGRAPH_ENABLE_PARSE_CACHE');
  if (enabled !== undefined) {
    const word = enabled.toLowerCase();
    if (TRUE_WORDS.has(word)) merged.enabled = true;
    else if (FALSE_WORDS.has(word)) merged.enabled = false;
    else reject('SQLGRAPH_ENABLE_PARSE_CACHE', enabled, '1/true/yes/on or 0/false/no/off');
  }

  const path = read('SQLGRAPH_PARSE_CACHE_PATH');
  if (path !== undefined) merged.path = resolve(path);

  const maxEntries = read('SQLGRAPH_PARSE_CACHE_MAX_ENTRIES');
  if (maxEntries !== undefined) {
    const value = /^\d+$/.test(maxEntries) ? Number(maxEntries) : Number.NaN;
    if (isPositiveInteger(value, MAX_ENTRIES_LIMIT)) merged.maxEntries = value;
    else reject('SQLGRAPH_PARSE_CACHE_MAX_ENTRIES', maxEntries, `a whole number from 1 to ${MAX_ENTRIES_LIMIT}`);
  }

  const ttlDays = read('SQLGRAPH_PARSE_CACHE_TTL_DAYS');
  if (ttlDays !== undefined) {
    const value = /^\d+(\.\d+)?$/.test(ttlDays) ? Number(ttlDays) : Number.NaN;
    if (isPositiveNumber(value, MAX_TTL_DAYS)) merged.ttlDays = value;
    else reject('SQLGRAPH_PARSE_CACHE_TTL_DAYS', ttlDays, `a number of days above 0 and at most ${MAX_TTL_DAYS}`);
  }
  return merged;
}
