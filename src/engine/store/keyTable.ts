/**
 * Interns entity keys: each distinct key text is stored once in `keys` and
 * everything else refers to it by integer id. Bounded in-memory maps spare
 * the SQL lookups for keys seen recently; they must be forgotten whenever a
 * rollback may have undone an insert, or the keys table was pruned.
 *
 * A new key gets its id at once but its row only when the transaction
 * flushes, together with its postings (one write instead of two).
 */
import type Database from 'better-sqlite3';

/** Enough for the keys of a large workspace (~25 per file) without unbounded growth. */
const CACHE_LIMIT = 500_000;

export class KeyTable {
  private readonly ids = new Map<string, number>();
  /**
   * The inverse of `ids`, built on the first textOf (queries, the Neo4j sync)
   * and kept up from then on: an ingest only ever looks up by text, and the
   * second map was ~10 MB of its heap at 10,000 files.
   */
  private texts: Map<number, string> | undefined;
  /** Keys given an id but not yet written, by id. */
  private fresh = new Map<number, string>();
  /** True while `ids` holds every key of the table, so a miss is a new key without asking SQL. */
  private complete = false;
  private lastId: number | undefined;
  private readonly select: Database.Statement;
  private readonly selectText: Database.Statement;
  private readonly max: Database.Statement;
  private readonly any: Database.Statement;

  /** Called before a lookup by text, which needs the key index. */
  private readonly beforeLookup: () => void;

  constructor(db: Database.Database, beforeLookup: () => void) {
    this.beforeLookup = beforeLookup;
    this.select = db.prepare('SELECT id FROM keys WHERE key = ?').pluck();
    this.selectText = db.prepare('SELECT key FROM keys WHERE id = ?').pluck();
    this.max = db.prepare('SELECT max(id) FROM keys').pluck();
    this.any = db.prepare('SELECT 1 FROM keys LIMIT 1').pluck();
  }

  /** Called as a transaction starts: an empty table makes the cache complete. */
  begin(): void {
    if (!this.complete && this.ids.size === 0 && this.any.get() === undefined) this.complete = true;
  }

  /** The key's id, giving it a new one if it has none. */
  idOf(key: string): number {
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    let id = this.complete ? undefined : this.lookup(key);
    if (id === undefined) {
      id = this.maxId() + 1;
      this.lastId = id;
      this.fresh.set(id, key);
    }
    this.remember(key, id);
    return id;
  }

  /** The key's id, or undefined when it is not interned. */
  find(key: string): number | undefined {
    const cached = this.ids.get(key);
    if (cached !== undefined || this.complete) return cached;
    const id = this.lookup(key);
    if (id !== undefined) this.remember(key, id);
    return id;
  }

  /** The text of an interned key. */
  textOf(id: number): string {
    this.texts ??= invert(this.ids);
    const cached = this.texts.get(id);
    if (cached !== undefined) return cached;
    const key = this.selectText.get(id) as string | undefined;
    if (key === undefined) throw new Error(`Store invariant broken: key ${id} is not interned.`);
    this.remember(key, id);
    return key;
  }

  /** Keys that got an id since the last flush; the caller writes their rows. */
  takeFresh(): Map<number, string> {
    const taken = this.fresh;
    this.fresh = new Map();
    return taken;
  }

  /** The largest id given so far (0 when there is none). */
  maxId(): number {
    this.lastId ??= (this.max.get() as number | null) ?? 0;
    return this.lastId;
  }

  forget(): void {
    this.ids.clear();
    this.texts = undefined;
    this.fresh.clear();
    this.complete = false;
    this.lastId = undefined;
  }

  private lookup(key: string): number | undefined {
    this.beforeLookup();
    return this.select.get(key) as number | undefined;
  }

  private remember(key: string, id: number): void {
    if (this.ids.size >= CACHE_LIMIT) {
      this.ids.clear();
      this.texts = undefined;
      this.complete = false;
      // Unwritten keys are only known here: keep them.
      for (const [freshId, text] of this.fresh) this.ids.set(text, freshId);
    }
    this.ids.set(key, id);
    this.texts?.set(id, key);
  }
}

function invert(ids: Map<string, number>): Map<number, string> {
  const texts = new Map<number, string>();
  for (const [text, id] of ids) texts.set(id, text);
  return texts;
}
