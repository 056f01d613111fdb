/**
 * What is sent to Neo4j: flat parameter rows (Neo4j cannot store nested
 * maps, so a range becomes four integers), grouped so each group is one
 * `UNWIND $rows` query with a label or type from the allow-list.
 */
import { hash } from 'node:crypto';
import type { Entity, GraphFragment, Relationship, RelationshipType } from '../model/graph.ts';
import { FILE_KEY_PREFIX, labelOf, typeOf } from './labels.ts';
import { compareCodePoints } from '../store/ordering.ts';

/** A file's contribution generation: equal gens mean equal contributions. */
export interface FileGen {
  path: string;
  gen: number;
  /** The file is written whole in this transaction (see LOCK_FILES): its edges are CREATEd, not MERGEd. */
  fresh: boolean;
  /**
   * This transaction created the file's node: nothing of the file is in
   * Neo4j, so its edges are created without a gen. A gen only tells the
   * clean-up which rows an earlier write left, and it deletes rows with no
   * gen as well; a later write of the file sets the gen on what it keeps.
   * That spares a property on nearly every edge of a bulk load.
   */
  created?: boolean;
}

/** A FileGen as a query parameter: gen null for a `created` file. */
export interface SentFileGen {
  path: string;
  gen: number | null;
  fresh: boolean;
}

export interface EntityRow {
  key: string;
  kind: string;
  name: string;
  schema: string | null;
  database: string | null;
  parent: string | null;
  file: string;
  sl: number;
  sc: number;
  el: number;
  ec: number;
  defined: boolean;
  /** Files of this batch that contribute the entity (CONTRIBUTES edges to create). */
  files: FileGen[];
}

export interface RelationshipRow {
  /** An entity key, or a file path when the group's end is a File. */
  from: string;
  to: string;
  file: string;
  /** Deterministic id of the relationship within its file. */
  rid: number;
  sl: number;
  sc: number;
  el: number;
  ec: number;
  confidence: string;
  operation: string | null;
  gen: number;
}

export type EndKind = 'entity' | 'file';

export interface RelationshipGroup {
  type: RelationshipType;
  from: EndKind;
  to: EndKind;
}

/** The gen of a removed file: no hash is negative. */
export const REMOVED_GEN = -1;

/**
 * 53 bits of a SHA-1 as a number: stored inline as an integer property,
 * where a 27-character string took Neo4j a dynamic string record per
 * relationship (a third of the write cost of its properties).
 */
export function hashNumber(text: string): number {
  // The one-shot hash: a third cheaper than a Hash object, and it runs for every relationship.
  const digest = hash('sha1', text, 'buffer');
  return (digest.readUInt32BE(0) & 0x1f_ffff) * 0x1_0000_0000 + digest.readUInt32BE(4);
}

/** Identifies a relationship within its file: what the store de-duplicates on. */
export function relationshipId(r: Relationship): number {
  const g = r.range;
  return hashNumber(`${r.type}\u0000${r.from}\u0000${r.to}\u0000${g.start.line}:${g.start.character}:${g.end.line}:${g.end.character}\u0000${r.operation ?? ''}`);
}

/** Changes whenever anything the file contributes changes (entities, ranges, relationships, the path). */
export function contributionGen(path: string, fragment: GraphFragment): number {
  return hashNumber(`${path}\u0000${JSON.stringify(fragment)}`);
}

export function entityRow(e: Entity, files: FileGen[]): EntityRow {
  return {
    key: e.key,
    kind: e.kind,
    name: e.name,
    schema: e.schema ?? null,
    database: e.database ?? null,
    parent: e.parent ?? null,
    file: e.file,
    sl: e.range.start.line,
    sc: e.range.start.character,
    el: e.range.end.line,
    ec: e.range.end.character,
    defined: e.defined,
    files,
  };
}

function endOf(key: string): { kind: EndKind; value: string } {
  return key.startsWith(FILE_KEY_PREFIX) ? { kind: 'file', value: key.slice(FILE_KEY_PREFIX.length) } : { kind: 'entity', value: key };
}

export function relationshipRow(r: Relationship, gen: number): { group: RelationshipGroup; row: RelationshipRow } {
  const from = endOf(r.from);
  const to = endOf(r.to);
  return {
    group: { type: typeOf(r.type), from: from.kind, to: to.kind },
    row: {
      from: from.value,
      to: to.value,
      file: r.file,
      rid: relationshipId(r),
      sl: r.range.start.line,
      sc: r.range.start.character,
      el: r.range.end.line,
      ec: r.range.end.character,
      confidence: r.confidence,
      operation: r.operation ?? null,
      gen,
    },
  };
}

export function groupId(g: RelationshipGroup): string {
  return `${g.type}:${g.from}:${g.to}`;
}

export function parseGroupId(id: string): RelationshipGroup {
  const [type, from, to] = id.split(':');
  if ((from !== 'entity' && from !== 'file') || (to !== 'entity' && to !== 'file')) throw new TypeError(`Bad relationship group ${JSON.stringify(id)}`);
  return { type: typeOf(type ?? ''), from, to };
}

/** Code point order (the store's SQLite BINARY order), not UTF-16 unit order: the store's own comparison. */
export const compareText = compareCodePoints;

/** Rows of one label, sorted by key (a stable lock order between concurrent writers). */
export function groupEntityRows(rows: Iterable<EntityRow>): Map<string, EntityRow[]> {
  const byLabel = new Map<string, EntityRow[]>();
  for (const row of rows) {
    const label = labelOf(row.kind);
    let list = byLabel.get(label);
    if (!list) byLabel.set(label, (list = []));
    list.push(row);
  }
  for (const list of byLabel.values()) list.sort((a, b) => compareText(a.key, b.key));
  return new Map([...byLabel].sort(([a], [b]) => compareText(a, b)));
}

export function sortRelationshipRows(rows: RelationshipRow[]): RelationshipRow[] {
  return rows.sort((a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.file, b.file) || a.rid - b.rid);
}

/**
 * Query parameters of entity rows: each row a list (no key names repeated
 * per row) whose last item indexes the files in `$files`, so a file's path
 * and gen travel once per query rather than once per row. Half the bytes of
 * maps, and the driver writes 1,400-byte chunks: fewer bytes, fewer writes.
 */
export function entityParams(rows: readonly EntityRow[]): { rows: unknown[][]; files: SentFileGen[] } {
  const files: SentFileGen[] = [];
  const index = new Map<FileGen, number>();
  const indexOf = (f: FileGen): number => {
    let i = index.get(f);
    if (i === undefined) {
      index.set(f, (i = files.length));
      files.push({ path: f.path, gen: f.created === true ? null : f.gen, fresh: f.fresh });
    }
    return i;
  };
  const list = rows.map((r) => [r.key, r.kind, r.name, r.schema, r.database, r.parent, r.file, r.sl, r.sc, r.el, r.ec, r.defined, r.files.map(indexOf)]);
  return { rows: list, files };
}

/**
 * Query parameters of relationship rows, as lists like entityParams; `$files`
 * holds each file's path and gen once (no gen for the `created` files, see
 * FileGen). Consecutive rows with the same start (rows are sorted by it) form
 * one group `[from, [row, …]]`, so the query looks the start node up once per
 * group rather than once per row.
 */
export function relationshipParams(rows: readonly RelationshipRow[], created?: ReadonlySet<string>): { rows: unknown[][]; files: { path: string; gen: number | null }[] } {
  const files: { path: string; gen: number | null }[] = [];
  const index = new Map<string, number>();
  const groups: unknown[][] = [];
  let from: string | undefined;
  let members: unknown[][] = [];
  for (const r of rows) {
    const id = `${r.file}\u0000${r.gen}`;
    let i = index.get(id);
    if (i === undefined) {
      index.set(id, (i = files.length));
      files.push({ path: r.file, gen: created?.has(r.file) === true ? null : r.gen });
    }
    if (r.from !== from) {
      from = r.from;
      members = [];
      groups.push([from, members]);
    }
    members.push([r.to, i, r.rid, r.sl, r.sc, r.el, r.ec, r.confidence, r.operation]);
  }
  return { rows: groups, files };
}
