/** Conversions between the store's rows and the graph model. */
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Entity, Relationship } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import { CONFIDENCE, KIND, nameOf, TYPE } from './codes.ts';
import type { StoredFile } from './types.ts';

export interface RangeColumns {
  start_line: number;
  start_char: number;
  end_line: number;
  end_char: number;
}

/** A merged entity or a source, with its keys and file joined back to text. */
export interface EntityRow extends RangeColumns {
  key: string;
  kind: number;
  name: string;
  schema_name: string | null;
  database_name: string | null;
  parent: string | null;
  file: string;
  defined: number;
}

export interface RelationshipRow extends RangeColumns {
  type: number;
  from_key: string;
  to_key: string;
  file: string;
  confidence: number;
  operation: string | null;
}

export interface FileRow {
  path: string;
  content_hash: string;
  dialect: string;
  statements: number;
  parsed: number;
  fallback: number;
  diagnostics_json: string;
  entity_count: number;
  relationship_count: number;
  updated_at: number;
}

export function rangeOf(row: RangeColumns): Range {
  return { start: { line: row.start_line, character: row.start_char }, end: { line: row.end_line, character: row.end_char } };
}

export function entityOf(row: EntityRow): Entity {
  const entity: Entity = { key: row.key, kind: nameOf(KIND, row.kind), name: row.name, file: row.file, range: rangeOf(row), defined: row.defined === 1 };
  if (row.schema_name !== null) entity.schema = row.schema_name;
  if (row.database_name !== null) entity.database = row.database_name;
  if (row.parent !== null) entity.parent = row.parent;
  return entity;
}

export function relationshipOf(row: RelationshipRow): Relationship {
  const rel: Relationship = {
    type: nameOf(TYPE, row.type),
    from: row.from_key,
    to: row.to_key,
    file: row.file,
    range: rangeOf(row),
    confidence: nameOf(CONFIDENCE, row.confidence),
  };
  if (row.operation !== null) rel.operation = row.operation;
  return rel;
}

export function storedFileOf(row: FileRow): StoredFile {
  return {
    path: row.path,
    contentHash: row.content_hash,
    dialect: row.dialect,
    statements: row.statements,
    parsed: row.parsed,
    fallback: row.fallback,
    diagnostics: JSON.parse(row.diagnostics_json) as Diagnostic[],
    entityCount: row.entity_count,
    relationshipCount: row.relationship_count,
    updatedAt: row.updated_at,
  };
}

/**
 * Which of one file's contributions for a key is kept: a definition beats a
 * reference, then the earlier range (the extractor's merge uses the same rule).
 */
export function compareContributions(a: Entity, b: Entity): number {
  if (a.defined !== b.defined) return a.defined ? -1 : 1;
  return compareRanges(a.range, b.range) || compareText(a.kind, b.kind) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Code point order, which is SQLite's BINARY order of the UTF-8 text. JS's
 * `<` compares UTF-16 units instead and disagrees once a surrogate pair meets
 * a character from U+E000 up, so merge decisions made in JS use this.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return lift(x) - lift(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Puts surrogates (code points from U+10000) above U+E000–U+FFFF. */
function lift(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}
