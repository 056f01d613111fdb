import type { DialectSetting } from '../model/dialect.ts';
import type { RelationInfo } from '../extract/catalog.ts';
import type { StatementListing } from '../extract/parseFile.ts';
import type { BackendId, SharedBackendCode } from '../parse/backends.ts';
import type { FileUpdate } from '../store/types.ts';
import type { CatalogSlice } from './catalogState.ts';

/** What the pipeline sends a parse worker: text in, compact results out. */
export interface ParseTask {
  kind: 'parse';
  /** Display path (relative to the workspace root), as it appears in the graph. */
  path: string;
  bytes: Uint8Array;
  dialect: DialectSetting;
  /** Cache context for statement-level entries (large files only). */
  statementCacheContext?: string;
  /** Also answer with the file's catalog slice (saves the main thread a JSON.parse of the whole file). */
  withSlice?: boolean;
  /**
   * The file's parse-cache key: the worker stores the result in the cache
   * itself (in batches, so not at once) and leaves `json` out of its answer
   * (unless its cache is off), so the main thread neither receives nor
   * writes it. Also the content hash a `resolve` result carries.
   */
  cacheFileKey?: string;
  /**
   * For a file that goes through the statement cache: answer with its
   * statement keys instead of its JSON, so that a one-statement edit of a
   * large file moves one statement's results (see assembleParsedFile).
   */
  listing?: boolean;
  /**
   * Also resolve the file against the catalog the pool shared (see
   * ResolveShared), answering with `resolved`: during a whole-workspace
   * ingest, for files parsed once the catalog is complete.
   */
  resolve?: { defaultSchema?: string };
}

/** One file to resolve in a worker: its parse result comes from `json`, else from the parse cache by `key`. */
export interface ResolveItem {
  path: string;
  key: string;
  json?: string;
}

/** Resolves already-parsed files against the catalog the pool shared (see ResolveShared). */
export interface ResolveTask {
  kind: 'resolve';
  items: ResolveItem[];
  defaultSchema?: string;
}

export type WorkerTask = ParseTask | ResolveTask;

/** What the pipeline shares with every worker for resolve tasks. */
export interface ResolveShared {
  catalogVersion: number;
  /** relationsOf(catalog), rebuilt with catalogFromRelations. */
  relations: ReadonlyMap<string, Readonly<RelationInfo>>;
}

export interface ParseWorkerData {
  backends: readonly BackendId[];
  /** Compiled parser code shared by every worker of the pool. */
  backendCode?: SharedBackendCode;
  /** The workspace's parse cache database, for statement-level entries. */
  cachePath?: string;
  /** Its limits, as the pipeline opened it. */
  cacheLimits?: { maxEntries?: number; maxStatementEntries?: number; ttlDays?: number };
}

/** The ParsedFile as JSON: the cache stores exactly this string. */
export interface ParseTaskResult {
  /** Absent when the worker stored it in the cache under cacheFileKey. */
  json?: string;
  /** With `listing`, when the statement cache was used: `json` is then absent. */
  listing?: StatementListing;
  /** With withSlice: the catalog slice, or null when the file has none. */
  slice?: CatalogSlice | null;
  /** With `resolve` (and a catalog shared): the file resolved, and against which catalog. */
  resolved?: ResolveTaskResult;
}

/** A resolved file: the store's update plus what the ingest summary counts. */
export interface ResolvedFile {
  update: FileUpdate;
  statementCount: number;
}

export interface ResolveTaskResult {
  /** The catalog version the files were resolved against. */
  catalogVersion: number;
  resolved: ResolvedFile[];
  /** Items whose parse result was in neither `json` nor the cache: the pipeline handles them itself. */
  missing: string[];
}

export type WorkerTaskResult = ParseTaskResult | ResolveTaskResult;

/** Files at least this large also cache each statement, so one edit re-parses one statement. */
export const STATEMENT_CACHE_MIN_BYTES = 32 * 1024;
