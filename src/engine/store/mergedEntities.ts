/**
 * Keeps the merged `entities` table equal to "for each key, its best source"
 * (a definition beats a reference, then the smaller file path, then the
 * earlier range) without recomputing every touched key from all its sources.
 *
 * Within a transaction, added sources only compete with the current winner,
 * so the best new source per key is tracked here in memory and compared with
 * the stored winner once, at commit. Only a key that lost its winning source
 * (or whose sources' paths changed) is recomputed from entity_sources.
 */
import type Database from 'better-sqlite3';
import type { Entity } from '../model/graph.ts';
import { compareCodePoints } from './rows.ts';

/** A source added in the current transaction, with what its row needs. */
export interface Contribution {
  fileId: number;
  path: string;
  kind: number;
  parentId: number | null;
  entity: Entity;
}

interface Winner {
  defined: number;
  path: string;
  start_line: number;
  start_char: number;
  end_line: number;
  end_char: number;
}

const RANGE = 'start_line, start_char, end_line, end_char';

export class MergedEntities {
  private readonly recompute = new Set<number>();
  private readonly best = new Map<number, Contribution>();
  /** Keys with a larger id were interned in this transaction and have no merged row yet. */
  private newKeysAbove = Number.MAX_SAFE_INTEGER;
  private readonly sql: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.sql = prepare(db);
  }

  /** Called when the outermost transaction starts. */
  begin(): void {
    this.newKeysAbove = (this.sql.maxKey.get() as number | null) ?? 0;
  }

  added(keyId: number, c: Contribution): void {
    if (this.recompute.has(keyId)) return;
    const seen = this.best.get(keyId);
    if (!seen || beats(c, seen)) this.best.set(keyId, c);
  }

  /** The file's source for the key was deleted. */
  removed(keyId: number, fileId: number): void {
    if (this.recompute.has(keyId)) return;
    const pending = this.best.get(keyId);
    const winner = this.sql.winnerFile.get(keyId) as number | undefined;
    // Losing a source that is not the winner changes nothing.
    if (pending?.fileId === fileId || winner === fileId || (winner === undefined && !pending)) this.invalidate(keyId);
  }

  invalidate(keyId: number): void {
    this.recompute.add(keyId);
    this.best.delete(keyId);
  }

  /** A savepoint rolled back: what was tracked since may be gone, so recompute those keys. */
  abandon(): void {
    for (const keyId of this.best.keys()) this.recompute.add(keyId);
    this.best.clear();
    this.newKeysAbove = Number.MAX_SAFE_INTEGER;
  }

  /** The whole transaction rolled back. */
  reset(): void {
    this.recompute.clear();
    this.best.clear();
    this.newKeysAbove = Number.MAX_SAFE_INTEGER;
  }

  /** Writes the merged rows of every key touched since begin(). */
  flush(fold: (name: string) => string): void {
    const s = this.sql;
    for (const keyId of this.recompute) {
      if (s.mergeFromSources.run(keyId).changes === 0) s.deleteEntity.run(keyId);
    }
    for (const [keyId, c] of this.best) {
      if (keyId <= this.newKeysAbove) {
        const winner = s.winner.get(keyId) as Winner | undefined;
        if (winner && !beatsStored(c, winner)) continue;
      }
      const e = c.entity;
      s.upsert.run(keyId, c.kind, e.name, fold(e.name), e.schema ?? null, e.database ?? null, c.parentId, c.fileId,
        e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.defined ? 1 : 0);
    }
    this.reset();
  }
}

function beats(a: Contribution, b: Contribution): boolean {
  if (a.entity.defined !== b.entity.defined) return a.entity.defined;
  const byPath = compareCodePoints(a.path, b.path);
  if (byPath !== 0) return byPath < 0;
  const ra = a.entity.range;
  const rb = b.entity.range;
  return (ra.start.line - rb.start.line || ra.start.character - rb.start.character || ra.end.line - rb.end.line || ra.end.character - rb.end.character) < 0;
}

function beatsStored(a: Contribution, w: Winner): boolean {
  const defined = a.entity.defined ? 1 : 0;
  if (defined !== w.defined) return defined > w.defined;
  const byPath = compareCodePoints(a.path, w.path);
  if (byPath !== 0) return byPath < 0;
  const r = a.entity.range;
  return (r.start.line - w.start_line || r.start.character - w.start_char || r.end.line - w.end_line || r.end.character - w.end_char) < 0;
}

function prepare(db: Database.Database) {
  const columns = `key_id, kind, name, name_folded, schema_name, database_name, parent_id, file_id, ${RANGE}, defined`;
  const update = 'kind = excluded.kind, name = excluded.name, name_folded = excluded.name_folded, schema_name = excluded.schema_name, '
    + 'database_name = excluded.database_name, parent_id = excluded.parent_id, file_id = excluded.file_id, start_line = excluded.start_line, '
    + 'start_char = excluded.start_char, end_line = excluded.end_line, end_char = excluded.end_char, defined = excluded.defined';
  return {
    maxKey: db.prepare('SELECT max(id) FROM keys').pluck(),
    winnerFile: db.prepare('SELECT file_id FROM entities WHERE key_id = ?').pluck(),
    winner: db.prepare(`SELECT e.defined, f.path, e.start_line, e.start_char, e.end_line, e.end_char
      FROM entities e JOIN files f ON f.id = e.file_id WHERE e.key_id = ?`),
    // The merge rule, for a key recomputed from all its sources.
    mergeFromSources: db.prepare(`INSERT INTO entities (${columns})
      SELECT s.key_id, s.kind, s.name, sqlgraph_fold(s.name), s.schema_name, s.database_name, s.parent_id, s.file_id,
        s.start_line, s.start_char, s.end_line, s.end_char, s.defined
      FROM entity_sources s JOIN files f ON f.id = s.file_id
      WHERE s.key_id = ? ORDER BY s.defined DESC, f.path, s.start_line, s.start_char, s.end_line, s.end_char LIMIT 1
      ON CONFLICT (key_id) DO UPDATE SET ${update}`),
    upsert: db.prepare(`INSERT INTO entities (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key_id) DO UPDATE SET ${update}`),
    deleteEntity: db.prepare('DELETE FROM entities WHERE key_id = ?'),
  };
}
