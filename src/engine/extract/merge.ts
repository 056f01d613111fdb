/**
 * Combines per-file fragments into one graph: one entity per key and one
 * relationship per (type, from, to, file, range, operation), sorted so the
 * same input always gives byte-identical output.
 */
import type { Entity, GraphFragment, Relationship } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import { relationshipId } from './fragmentBuilder.ts';

function compareRange(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when `a` should represent the key rather than `b`. */
function preferEntity(a: Entity, b: Entity): number {
  if (a.defined !== b.defined) return a.defined ? -1 : 1;
  return compareText(a.file, b.file) || compareRange(a.range, b.range) || compareText(a.kind, b.kind) || compareText(a.name, b.name);
}

function compareRelationship(a: Relationship, b: Relationship): number {
  return (
    compareText(a.type, b.type) ||
    compareText(a.from, b.from) ||
    compareText(a.to, b.to) ||
    compareText(a.file, b.file) ||
    compareRange(a.range, b.range) ||
    compareText(a.operation ?? '', b.operation ?? '') ||
    compareText(a.confidence, b.confidence)
  );
}

export function mergeFragments(fragments: GraphFragment[]): GraphFragment {
  const entities = new Map<string, Entity>();
  const relationships = new Map<string, Relationship>();
  for (const fragment of fragments) {
    for (const entity of fragment.entities) {
      const existing = entities.get(entity.key);
      if (!existing || preferEntity(entity, existing) < 0) entities.set(entity.key, entity);
    }
    for (const rel of fragment.relationships) {
      const id = relationshipId(rel.type, rel.from, rel.to, rel.file, rel.range, rel.operation);
      const existing = relationships.get(id);
      // The same edge found by a parser and by the fallback scan: the parsed one counts.
      if (!existing || (existing.confidence === 'low' && rel.confidence === 'high')) relationships.set(id, rel);
    }
  }
  return {
    entities: [...entities.values()].sort((a, b) => compareText(a.key, b.key)),
    relationships: [...relationships.values()].sort(compareRelationship),
  };
}
