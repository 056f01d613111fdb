/** Conversions between the store's rows and the graph model. */
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Entity, Relationship } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import { CONFIDENCE, KIND, nameOf, TYPE } from './codes.ts';
import {
  E_DATABASE, E_DEFINED, E_KEY, E_KIND, E_NAME, E_PARENT, E_RANGE, E_SCHEMA,
  R_CONFIDENCE, R_FROM, R_OPERATION, R_RANGE, R_TO, R_TYPE, type DecodedContribution,
} from './packedContribution.ts';
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

function rangeAt(words: Int32Array, o: number): Range {
  return { start: { line: words[o]!, character: words[o + 1]! }, end: { line: words[o + 2]!, character: words[o + 3]! } };
}

/** The relationship at offset `o` of a decoded contribution. */
export function relationshipAt(c: DecodedContribution, o: number, file: string, keyText: (id: number) => string): Relationship {
  const r = c.relationships;
  const rel: Relationship = {
    type: nameOf(TYPE, r[o + R_TYPE]!),
    from: keyText(r[o + R_FROM]!),
    to: keyText(r[o + R_TO]!),
    file,
    range: rangeAt(r, o + R_RANGE),
    confidence: nameOf(CONFIDENCE, r[o + R_CONFIDENCE]!),
  };
  const operation = r[o + R_OPERATION]!;
  if (operation >= 0) rel.operation = c.strings[operation]!;
  return rel;
}

/** The entity source at offset `o` of a decoded contribution. */
export function entityAt(c: DecodedContribution, o: number, file: string, keyText: (id: number) => string): Entity {
  const e = c.entities;
  const entity: Entity = {
    key: keyText(e[o + E_KEY]!), kind: nameOf(KIND, e[o + E_KIND]!), name: c.strings[e[o + E_NAME]!]!, file, range: rangeAt(e, o + E_RANGE), defined: e[o + E_DEFINED] === 1,
  };
  if (e[o + E_SCHEMA]! >= 0) entity.schema = c.strings[e[o + E_SCHEMA]!]!;
  if (e[o + E_DATABASE]! >= 0) entity.database = c.strings[e[o + E_DATABASE]!]!;
  if (e[o + E_PARENT]! >= 0) entity.parent = keyText(e[o + E_PARENT]!);
  return entity;
}

/** The range at offset `o` of a decoded contribution's entities. */
export function entityRangeAt(c: DecodedContribution, o: number): Range {
  return rangeAt(c.entities, o + E_RANGE);
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
