/** Conversions between the store's rows and the graph model. */
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Confidence, Entity, EntityKind, Relationship, RelationshipType } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import type { StoredFile } from './types.ts';

export interface RangeColumns {
  start_line: number;
  start_char: number;
  end_line: number;
  end_char: number;
}

export interface EntityRow extends RangeColumns {
  key: string;
  kind: string;
  name: string;
  schema_name: string | null;
  database_name: string | null;
  parent: string | null;
  file: string;
  defined: number;
}

export interface RelationshipRow extends RangeColumns {
  type: string;
  from_key: string;
  to_key: string;
  file: string;
  confidence: string;
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
  const entity: Entity = { key: row.key, kind: row.kind as EntityKind, name: row.name, file: row.file, range: rangeOf(row), defined: row.defined === 1 };
  if (row.schema_name !== null) entity.schema = row.schema_name;
  if (row.database_name !== null) entity.database = row.database_name;
  if (row.parent !== null) entity.parent = row.parent;
  return entity;
}

export function relationshipOf(row: RelationshipRow): Relationship {
  const rel: Relationship = {
    type: row.type as RelationshipType,
    from: row.from_key,
    to: row.to_key,
    file: row.file,
    range: rangeOf(row),
    confidence: row.confidence as Confidence,
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

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}
