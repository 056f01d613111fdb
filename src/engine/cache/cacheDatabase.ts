import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';

/**
 * Bump when the tables change. A database of any other version (older or
 * newer) is emptied and rebuilt rather than read with the wrong layout.
 */
export const SCHEMA_VERSION = 1;

export type CachePayload = Uint8Array | string;

/*
 * Rowid tables with a UNIQUE key: a lookup is ~5 µs, where WITHOUT ROWID
 * tables with large payloads were ~20× slower. `payload` is last so the LRU
 * index and scans never read the payload's overflow pages, and it has BLOB
 * affinity so a string comes back as a string and bytes as a Buffer.
 * `last_used` is cache time (see CacheClock).
 */
const SCHEMA = `
CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE files (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, last_used INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE INDEX files_by_last_used ON files (last_used);
CREATE TABLE statements (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, last_used INTEGER NOT NULL, payload BLOB NOT NULL);
CREATE INDEX statements_by_last_used ON statements (last_used);
CREATE TABLE paths (path TEXT PRIMARY KEY, key TEXT NOT NULL, last_used INTEGER NOT NULL);
CREATE INDEX paths_by_key ON paths (key);
`;

export interface EntryRow {
  id: number;
  last_used: number;
  payload: Buffer | string;
}

export interface PathRow {
  key: string;
  last_used: number;
}

/** Everything one flush writes, in one transaction. */
export interface WriteBatch {
  files: Map<string, CachePayload>;
  statements: Map<string, CachePayload>;
  /** path → key, or null to forget the path. */
  paths: Map<string, string | null>;
  touchedFiles: Set<number>;
  touchedStatements: Set<number>;
  /** Paths found by getFileByPath: both the path and its file entry are refreshed. */
  touchedPaths: Set<string>;
}

export interface ClockState {
  cacheTime: number;
  lastWall: number;
}

export interface EntryLimits {
  maxEntries: number;
  maxStatementEntries: number;
}

export interface Removed {
  files: number;
  statements: number;
}

function asBindable(payload: CachePayload): Buffer | string {
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload;
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
}

/** Prepared statements for one of the two entry tables. */
class EntryTable {
  readonly lookup: BetterSqlite3.Statement<[string], EntryRow>;
  readonly present: BetterSqlite3.Statement<[string], Omit<EntryRow, 'payload'>>;
  readonly upsert: BetterSqlite3.Statement<[string, number, Buffer | string]>;
  readonly touch: BetterSqlite3.Statement<[number, number]>;
  readonly count: BetterSqlite3.Statement<[], number>;
  readonly evict: BetterSqlite3.Statement<[number]>;
  readonly expire: BetterSqlite3.Statement<[number]>;

  constructor(db: BetterSqlite3.Database, table: 'files' | 'statements') {
    this.lookup = db.prepare<[string], EntryRow>(`SELECT id, last_used, payload FROM ${table} WHERE key = ?`);
    // Without the payload: its overflow pages are not read and no string is made.
    this.present = db.prepare<[string], Omit<EntryRow, 'payload'>>(`SELECT id, last_used FROM ${table} WHERE key = ?`);
    // Same key means same content and context, so a conflict only refreshes the entry.
    this.upsert = db.prepare(
      `INSERT INTO ${table} (key, last_used, payload) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET last_used = excluded.last_used, payload = excluded.payload`,
    );
    this.touch = db.prepare(`UPDATE ${table} SET last_used = ? WHERE id = ?`);
    this.count = db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck();
    this.evict = db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY last_used, id LIMIT ?)`);
    this.expire = db.prepare(`DELETE FROM ${table} WHERE last_used < ?`);
  }
}

/**
 * One open connection to the cache database with its prepared statements.
 * Every method may throw a SqliteError; ParseCache decides what that means.
 */
export class CacheDatabase {
  readonly db: BetterSqlite3.Database;
  private readonly files: EntryTable;
  private readonly statements: EntryTable;
  private readonly lookupPathStatement: BetterSqlite3.Statement<[string], PathRow>;
  private readonly insertPath: BetterSqlite3.Statement<[string, string, number, string]>;
  private readonly touchPath: BetterSqlite3.Statement<[number, string]>;
  private readonly touchFileOfPath: BetterSqlite3.Statement<[number, string]>;
  private readonly deletePath: BetterSqlite3.Statement<[string]>;
  private readonly forgetEvictedPaths: BetterSqlite3.Statement<[number]>;
  private readonly forgetExpiredPaths: BetterSqlite3.Statement<[number]>;
  private readonly saveMeta: BetterSqlite3.Statement<[string, number]>;
  private readonly writeTransaction: (batch: WriteBatch, now: number, limits: EntryLimits, clock: ClockState) => Removed;
  private readonly cleanupTransaction: (cutoff: number, limits: EntryLimits, clock: ClockState) => { expired: Removed; evicted: Removed };

  /** Opens (creating if needed) and brings the schema to SCHEMA_VERSION. */
  constructor(path: string, busyTimeoutMs: number) {
    const db = new Database(path, { timeout: busyTimeoutMs });
    try {
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL never corrupts; a power cut can lose only the last commits.
      db.pragma('synchronous = NORMAL');
      ensureSchema(db);
    } catch (error) {
      db.close();
      throw error;
    }
    this.db = db;
    this.files = new EntryTable(db, 'files');
    this.statements = new EntryTable(db, 'statements');
    // A path row exists only while its file entry does (see insertPath and the
    // evict/expire statements), so a lookup need not read the large files row.
    this.lookupPathStatement = db.prepare<[string], PathRow>('SELECT key, last_used FROM paths WHERE path = ?');
    this.insertPath = db.prepare('INSERT INTO paths (path, key, last_used) SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM files WHERE key = ?)');
    this.touchPath = db.prepare('UPDATE paths SET last_used = ? WHERE path = ?');
    this.touchFileOfPath = db.prepare('UPDATE files SET last_used = ? WHERE key = (SELECT key FROM paths WHERE path = ?)');
    this.deletePath = db.prepare('DELETE FROM paths WHERE path = ?');
    this.forgetEvictedPaths = db.prepare('DELETE FROM paths WHERE key IN (SELECT key FROM files ORDER BY last_used, id LIMIT ?)');
    this.forgetExpiredPaths = db.prepare('DELETE FROM paths WHERE key IN (SELECT key FROM files WHERE last_used < ?)');
    this.saveMeta = db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.writeTransaction = db.transaction((batch: WriteBatch, now: number, limits: EntryLimits, clock: ClockState) => {
      for (const [key, payload] of batch.files) this.files.upsert.run(key, now, asBindable(payload));
      for (const [key, payload] of batch.statements) this.statements.upsert.run(key, now, asBindable(payload));
      for (const [path, key] of batch.paths) {
        this.deletePath.run(path);
        if (key !== null) this.insertPath.run(path, key, now, key);
      }
      for (const id of batch.touchedFiles) this.files.touch.run(now, id);
      for (const id of batch.touchedStatements) this.statements.touch.run(now, id);
      for (const path of batch.touchedPaths) {
        this.touchPath.run(now, path);
        this.touchFileOfPath.run(now, path);
      }
      this.saveClockRows(clock);
      return this.evictOverflow(limits);
    }).immediate;
    this.cleanupTransaction = db.transaction((cutoff: number, limits: EntryLimits, clock: ClockState) => {
      this.saveClockRows(clock);
      this.forgetExpiredPaths.run(cutoff);
      const expired = { files: this.files.expire.run(cutoff).changes, statements: this.statements.expire.run(cutoff).changes };
      return { expired, evicted: this.evictOverflow(limits) };
    }).immediate;
  }

  lookupFile(key: string): EntryRow | undefined {
    return this.files.lookup.get(key);
  }

  lookupStatement(key: string): EntryRow | undefined {
    return this.statements.lookup.get(key);
  }

  /** The statement entry's id and last use, without its payload. */
  statementPresent(key: string): Omit<EntryRow, 'payload'> | undefined {
    return this.statements.present.get(key);
  }

  /** The key last recorded for a path, only while that key's file entry exists. */
  lookupPath(path: string): PathRow | undefined {
    return this.lookupPathStatement.get(path);
  }

  /** Writes a batch and evicts the least recently used entries over the limits; returns how many it evicted. */
  write(batch: WriteBatch, now: number, limits: EntryLimits, clock: ClockState): Removed {
    return this.writeTransaction(batch, now, limits, clock);
  }

  /** Removes entries last used before `cutoff`, then any still over the limits. */
  cleanup(cutoff: number, limits: EntryLimits, clock: ClockState): { expired: Removed; evicted: Removed } {
    return this.cleanupTransaction(cutoff, limits, clock);
  }

  counts(): { files: number; statements: number } {
    return { files: this.files.count.get() ?? 0, statements: this.statements.count.get() ?? 0 };
  }

  /** Size of the database in bytes (its pages, not counting the WAL). */
  byteSize(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    return pages * pageSize;
  }

  clear(): void {
    this.db.exec('BEGIN IMMEDIATE; DELETE FROM paths; DELETE FROM files; DELETE FROM statements; COMMIT;');
  }

  loadClock(): ClockState | undefined {
    const rows = this.db.prepare<[], { name: string; value: number }>("SELECT name, value FROM meta WHERE name IN ('clock', 'wall')").all();
    const cacheTime = rows.find((row) => row.name === 'clock')?.value;
    const lastWall = rows.find((row) => row.name === 'wall')?.value;
    return cacheTime !== undefined && lastWall !== undefined ? { cacheTime, lastWall } : undefined;
  }

  saveClock(clock: ClockState): void {
    this.saveClockRows(clock);
  }

  close(): void {
    this.db.close();
  }

  private saveClockRows(clock: ClockState): void {
    this.saveMeta.run('clock', clock.cacheTime);
    this.saveMeta.run('wall', clock.lastWall);
  }

  private evictOverflow(limits: EntryLimits): Removed {
    const removed = { files: 0, statements: 0 };
    const fileExcess = (this.files.count.get() ?? 0) - limits.maxEntries;
    if (fileExcess > 0) {
      this.forgetEvictedPaths.run(fileExcess);
      removed.files = this.files.evict.run(fileExcess).changes;
    }
    const statementExcess = (this.statements.count.get() ?? 0) - limits.maxStatementEntries;
    if (statementExcess > 0) removed.statements = this.statements.evict.run(statementExcess).changes;
    return removed;
  }
}

function ensureSchema(db: BetterSqlite3.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    const objects = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    for (const { name } of objects) db.exec(`DROP TABLE "${name.replaceAll('"', '""')}"`);
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
