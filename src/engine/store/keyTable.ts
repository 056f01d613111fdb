/**
 * Interns entity keys: each distinct key text is stored once in `keys` and
 * the big tables refer to it by integer id. A bounded in-memory map spares
 * the SQL lookup for keys seen recently; it must be forgotten whenever a
 * rollback may have undone an insert, or the keys table was pruned.
 */
import type Database from 'better-sqlite3';

/** Enough for the keys of a large workspace (~25 per file) without unbounded growth. */
const CACHE_LIMIT = 500_000;

export class KeyTable {
  private readonly cache = new Map<string, number>();
  private readonly select: Database.Statement;
  private readonly insert: Database.Statement;

  constructor(db: Database.Database) {
    this.select = db.prepare('SELECT id FROM keys WHERE key = ?').pluck();
    this.insert = db.prepare('INSERT INTO keys (key) VALUES (?)');
  }

  /** The key's id, interning it first if it is new. */
  idOf(key: string): number {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const id = (this.select.get(key) as number | undefined) ?? Number(this.insert.run(key).lastInsertRowid);
    this.remember(key, id);
    return id;
  }

  /** The key's id, or undefined when no row has ever referred to it. */
  find(key: string): number | undefined {
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const id = this.select.get(key) as number | undefined;
    if (id !== undefined) this.remember(key, id);
    return id;
  }

  forget(): void {
    this.cache.clear();
  }

  private remember(key: string, id: number): void {
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(key, id);
  }
}
