import type { DialectSetting } from '../model/dialect.ts';
import type { BackendId } from '../parse/backends.ts';

/** What the pipeline sends a parse worker: text in, compact results out. */
export interface ParseTask {
  /** Display path (relative to the workspace root), as it appears in the graph. */
  path: string;
  bytes: Uint8Array;
  dialect: DialectSetting;
  /** Cache context for statement-level entries (large files only). */
  statementCacheContext?: string;
}

export interface ParseWorkerData {
  backends: readonly BackendId[];
  /** The workspace's parse cache database, for statement-level entries. */
  cachePath?: string;
}

/** The ParsedFile as JSON: the cache stores exactly this string. */
export interface ParseTaskResult {
  json: string;
}

/** Files at least this large also cache each statement, so one edit re-parses one statement. */
export const STATEMENT_CACHE_MIN_BYTES = 32 * 1024;
