/** What the cache does about a failed SQLite call depends only on this. */
export type SqliteFailureKind =
  /** Another connection holds a lock: transient, back off. */
  | 'busy'
  /** The file is damaged or not a database: move it aside and start again. */
  | 'corrupt'
  /** Writing is impossible here (read-only file, folder or connection). */
  | 'readonly'
  /** The disk (or the connection's page limit) is full. */
  | 'full'
  /** The file cannot be opened at all. */
  | 'cantopen'
  /** Anything else: I/O errors, a missing native module, a bug. */
  | 'other';

export function sqliteErrorCode(error: unknown): string | undefined {
  if (error !== null && typeof error === 'object' && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

export function classifySqliteFailure(error: unknown): SqliteFailureKind {
  const code = sqliteErrorCode(error) ?? '';
  // Extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_CORRUPT_INDEX, ...) share their primary code's prefix.
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'busy';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'corrupt';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code === 'SQLITE_AUTH') return 'readonly';
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cantopen';
  return 'other';
}

export function describeFailure(error: unknown): string {
  const code = sqliteErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}
