/**
 * Reads Neo4j back into the store's shapes, in the order of the store's
 * exportAll(), so the replica can be compared with its source exactly.
 */
import type { Entity, EntityKind, GraphFragment, Relationship } from '../model/graph.ts';
import { CONTRIBUTES, ENTITY_LABEL, FILE_KEY_PREFIX, FILE_LABEL, RELATIONSHIP_TYPE_NAMES } from './labels.ts';
import { compareText } from './rows.ts';
import { runRead, type Row, type TransactionTarget } from './transactions.ts';

const ENTITIES = `MATCH (n:${ENTITY_LABEL}) WHERE EXISTS { (:${FILE_LABEL})-[:${CONTRIBUTES}]->(n) }
RETURN n.key AS key, n.kind AS kind, n.name AS name, n.schema AS schema, n.database AS database, n.parent AS parent, n.file AS file,
  n.startLine AS sl, n.startCharacter AS sc, n.endLine AS el, n.endCharacter AS ec, n.defined AS defined`;

function relationshipsOf(type: string): string {
  return `MATCH (a)-[r:${type}]->(b)
RETURN CASE WHEN a:${FILE_LABEL} THEN $prefix + a.path ELSE a.key END AS from,
  CASE WHEN b:${FILE_LABEL} THEN $prefix + b.path ELSE b.key END AS to,
  r.file AS file, r.startLine AS sl, r.startCharacter AS sc, r.endLine AS el, r.endCharacter AS ec, r.confidence AS confidence, r.operation AS operation`;
}

export async function exportNeo4j(target: TransactionTarget): Promise<GraphFragment> {
  return runRead(target, async (q) => {
    const entities = (await q.run(ENTITIES, {})).map(entityOf).sort((a, b) => compareText(a.key, b.key));
    const relationships: Relationship[] = [];
    for (const type of RELATIONSHIP_TYPE_NAMES) {
      for (const row of await q.run(relationshipsOf(type), { prefix: FILE_KEY_PREFIX })) relationships.push(relationshipOf(type, row));
    }
    relationships.sort(compareRelationships);
    return { entities, relationships };
  });
}

function range(row: Row): Entity['range'] {
  return { start: { line: Number(row['sl']), character: Number(row['sc']) }, end: { line: Number(row['el']), character: Number(row['ec']) } };
}

function entityOf(row: Row): Entity {
  const e: Entity = { key: String(row['key']), kind: String(row['kind']) as EntityKind, name: String(row['name']), file: String(row['file']), range: range(row), defined: row['defined'] === true };
  if (typeof row['schema'] === 'string') e.schema = row['schema'];
  if (typeof row['database'] === 'string') e.database = row['database'];
  if (typeof row['parent'] === 'string') e.parent = row['parent'];
  return e;
}

function relationshipOf(type: Relationship['type'], row: Row): Relationship {
  const r: Relationship = { type, from: String(row['from']), to: String(row['to']), file: String(row['file']), range: range(row), confidence: row['confidence'] === 'low' ? 'low' : 'high' };
  if (typeof row['operation'] === 'string') r.operation = row['operation'];
  return r;
}

/** The store's relationship order: type, from, to, file, range, operation (none first), confidence. */
export function compareRelationships(a: Relationship, b: Relationship): number {
  return (
    compareText(a.type, b.type) ||
    compareText(a.from, b.from) ||
    compareText(a.to, b.to) ||
    compareText(a.file, b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    a.range.end.line - b.range.end.line ||
    a.range.end.character - b.range.end.character ||
    compareOptional(a.operation, b.operation) ||
    compareText(a.confidence, b.confidence)
  );
}

function compareOptional(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return compareText(a, b);
}
