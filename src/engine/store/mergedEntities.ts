/**
 * Keeps the merged `entities` table equal to "for each key, its best source"
 * (a definition beats a reference, then the smaller file path, then the
 * earlier range) without recomputing every touched key from all its sources.
 *
 * Every stored source loses to the stored winner. So sources added in a
 * transaction only compete with the winner, and when the winner's file
 * loses its source, a new source still wins outright if it is at least as
 * defined and its path is no greater. Only the rest (and keys whose paths
 * changed in a rename) are recomputed: the postings name the files that
 * define or reference the key, the smallest path among the best group wins,
 * and only that one file is decoded.
 */
import type Database from 'better-sqlite3';
import type { Entity } from '../model/graph.ts';
import { E_DATABASE, E_DEFINED, E_KEY, E_KIND, E_NAME, E_PARENT, E_RANGE, E_SCHEMA, ENTITY_STRIDE, type DecodedContribution } from './packedContribution.ts';
import { ROLE } from './roles.ts';
import { compareCodePoints } from './ordering.ts';

/** A source added in the current transaction, with what its row needs. */
export interface Contribution {
  fileId: number;
  path: string;
  kind: number;
  parentId: number | null;
  entity: Entity;
}

/** What the merge reads besides the entities table; all reflect the transaction's writes so far. */
export interface MergeContext {
  pathOf(fileId: number): string;
  /** The key's postings, already updated for this transaction. */
  postings(keyId: number): Uint32Array;
  contribution(fileId: number): DecodedContribution;
  fold(name: string): string;
  /** Adds `delta` to the merged entity count of a kind. */
  tally(kind: number, delta: number): void;
}

type Winner = [fileId: number, kind: number, defined: number, startLine: number, startChar: number, endLine: number, endChar: number];

export class MergedEntities {
  private readonly recompute = new Set<number>();
  private readonly best = new Map<number, Contribution>();
  /** Files that lost their source for a key in this transaction. */
  private readonly lost = new Map<number, number[]>();
  /** Keys with a larger id were interned in this transaction and have no merged row yet. */
  private newKeysAbove = Number.MAX_SAFE_INTEGER;
  private readonly sql: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.sql = prepare(db);
  }

  /** Starts collecting changes; `lastKeyId` is the largest key id that may have a merged row. */
  begin(lastKeyId: number): void {
    this.newKeysAbove = lastKeyId;
  }

  added(keyId: number, fileId: number, path: string, kind: number, parentId: number | null, entity: Entity): void {
    if (this.recompute.size > 0 && this.recompute.has(keyId)) return;
    const seen = this.best.get(keyId);
    if (!seen || beats(entity, path, seen)) this.best.set(keyId, { fileId, path, kind, parentId, entity });
  }

  /** The file's source for the key was deleted. */
  removed(keyId: number, fileId: number): void {
    if (this.recompute.has(keyId)) return;
    // A pending best that is gone may have hidden other new sources: recompute from the postings.
    if (this.best.get(keyId)?.fileId === fileId) {
      this.invalidate(keyId);
      return;
    }
    const files = this.lost.get(keyId);
    if (files) files.push(fileId);
    else this.lost.set(keyId, [fileId]);
  }

  invalidate(keyId: number): void {
    this.recompute.add(keyId);
    this.best.delete(keyId);
    this.lost.delete(keyId);
  }

  /** Forgets everything collected (the transaction rolled back, or it was flushed). */
  reset(): void {
    this.recompute.clear();
    this.best.clear();
    this.lost.clear();
    this.newKeysAbove = Number.MAX_SAFE_INTEGER;
  }

  /** Writes the merged rows of every key touched since begin(). */
  flush(ctx: MergeContext): void {
    for (const keyId of this.recompute) this.recomputeKey(keyId, ctx, this.winnerOf(keyId));
    for (const [keyId, files] of this.lost) {
      if (this.best.has(keyId)) continue;
      const winner = this.winnerOf(keyId);
      if (winner && files.includes(winner[0])) this.recomputeKey(keyId, ctx, winner);
    }
    for (const [keyId, c] of this.best) {
      const winner = keyId <= this.newKeysAbove ? this.winnerOf(keyId) : undefined;
      if (winner) {
        if (this.lost.get(keyId)?.includes(winner[0])) {
          if (!survives(c, winner, ctx.pathOf(winner[0]))) {
            this.recomputeKey(keyId, ctx, winner);
            continue;
          }
        } else if (!beatsStored(c, winner, ctx.pathOf(winner[0]))) {
          continue;
        }
        ctx.tally(winner[1], -1);
      }
      const e = c.entity;
      this.sql.upsert.run(keyId, c.kind, e.name, ctx.fold(e.name), e.schema ?? null, e.database ?? null, c.parentId, c.fileId,
        e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character, e.defined ? 1 : 0);
      ctx.tally(c.kind, 1);
    }
    this.reset();
  }

  private winnerOf(keyId: number): Winner | undefined {
    return this.sql.winner.get(keyId) as Winner | undefined;
  }

  /** The merge rule over every current source of the key. */
  private recomputeKey(keyId: number, ctx: MergeContext, old: Winner | undefined): void {
    const postings = ctx.postings(keyId);
    let file = -1;
    let path = '';
    for (const role of [ROLE.DEFINED, ROLE.REFERENCED]) {
      for (let i = 0; i < postings.length; i += 2) {
        if ((postings[i + 1]! & role) === 0) continue;
        const candidate = ctx.pathOf(postings[i]!);
        if (file < 0 || compareCodePoints(candidate, path) < 0) {
          file = postings[i]!;
          path = candidate;
        }
      }
      if (file >= 0) break;
    }
    if (old) ctx.tally(old[1], -1);
    if (file < 0) {
      if (old) this.sql.deleteEntity.run(keyId);
      return;
    }
    const c = ctx.contribution(file);
    const e = c.entities;
    let at = -1;
    for (let o = 0; o < e.length; o += ENTITY_STRIDE) {
      if (e[o + E_KEY] !== keyId) continue;
      // One source per key and file, unless a rename merged two keys: then the defined, earlier one.
      if (at < 0 || e[o + E_DEFINED]! > e[at + E_DEFINED]! || (e[o + E_DEFINED] === e[at + E_DEFINED] && compareRangeAt(e, o, at) < 0)) at = o;
    }
    if (at < 0) throw new Error(`Store invariant broken: the postings of key ${keyId} name a file without its source.`);
    const name = c.strings[e[at + E_NAME]!]!;
    const text = (i: number): string | null => (i < 0 ? null : c.strings[i]!);
    this.sql.upsert.run(keyId, e[at + E_KIND], name, ctx.fold(name), text(e[at + E_SCHEMA]!), text(e[at + E_DATABASE]!),
      e[at + E_PARENT]! < 0 ? null : e[at + E_PARENT], file, e[at + E_RANGE], e[at + E_RANGE + 1], e[at + E_RANGE + 2], e[at + E_RANGE + 3], e[at + E_DEFINED]);
    ctx.tally(e[at + E_KIND]!, 1);
  }
}

function compareRangeAt(e: Int32Array, a: number, b: number): number {
  for (let i = 0; i < 4; i++) {
    const d = e[a + E_RANGE + i]! - e[b + E_RANGE + i]!;
    if (d !== 0) return d;
  }
  return 0;
}

function beats(a: Entity, path: string, b: Contribution): boolean {
  if (a.defined !== b.entity.defined) return a.defined;
  const byPath = compareCodePoints(path, b.path);
  if (byPath !== 0) return byPath < 0;
  const ra = a.range;
  const rb = b.entity.range;
  return (ra.start.line - rb.start.line || ra.start.character - rb.start.character || ra.end.line - rb.end.line || ra.end.character - rb.end.character) < 0;
}

function beatsStored(a: Contribution, w: Winner, path: string): boolean {
  const defined = a.entity.defined ? 1 : 0;
  if (defined !== w[2]) return defined > w[2];
  const byPath = compareCodePoints(a.path, path);
  if (byPath !== 0) return byPath < 0;
  const r = a.entity.range;
  return (r.start.line - w[3] || r.start.character - w[4] || r.end.line - w[5] || r.end.character - w[6]) < 0;
}

/**
 * The stored winner's source is gone; every other stored source lost to it.
 * A new source beats all of those if it is more defined, or as defined with
 * a path no greater (equal means the same file).
 */
function survives(a: Contribution, w: Winner, path: string): boolean {
  const defined = a.entity.defined ? 1 : 0;
  if (defined !== w[2]) return defined > w[2];
  return compareCodePoints(a.path, path) <= 0;
}

function prepare(db: Database.Database) {
  const columns = 'key_id, kind, name, name_folded, schema_name, database_name, parent_id, file_id, start_line, start_char, end_line, end_char, defined';
  const update = 'kind = excluded.kind, name = excluded.name, name_folded = excluded.name_folded, schema_name = excluded.schema_name, '
    + 'database_name = excluded.database_name, parent_id = excluded.parent_id, file_id = excluded.file_id, start_line = excluded.start_line, '
    + 'start_char = excluded.start_char, end_line = excluded.end_line, end_char = excluded.end_char, defined = excluded.defined';
  return {
    winner: db.prepare('SELECT file_id, kind, defined, start_line, start_char, end_line, end_char FROM entities WHERE key_id = ?').raw(),
    upsert: db.prepare(`INSERT INTO entities (${columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (key_id) DO UPDATE SET ${update}`),
    deleteEntity: db.prepare('DELETE FROM entities WHERE key_id = ?'),
  };
}
