/**
 * Combines per-file fragments into one graph: one entity per key and one
 * relationship per (type, from, to, file, range, operation), sorted so the
 * same input always gives byte-identical output.
 */
import type { Entity, GraphFragment, Relationship } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import { sameRange } from './fragmentBuilder.ts';

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

/** Same type, ends, file, range and operation: one edge. */
function sameEdge(a: Relationship, b: Relationship): boolean {
  return a.type === b.type && a.from === b.from && a.to === b.to && a.file === b.file && (a.operation ?? '') === (b.operation ?? '') && sameRange(a.range, b.range);
}

/**
 * Relationships are sorted first and then deduplicated by comparing
 * neighbours: copies of one edge sort next to each other, the parsed ('high')
 * copy before the token-scanned ('low') one, and the sort is stable, so among
 * equals the first occurrence stays first. That picks the same representative as a map keyed by
 * edge id would, without building and hashing an id string per relationship.
 */
export function mergeFragments(fragments: GraphFragment[]): GraphFragment {
  const entities = new Map<string, Entity>();
  const all: Relationship[] = [];
  for (const fragment of fragments) {
    for (const rel of fragment.relationships) all.push(rel);
    for (const entity of fragment.entities) {
      const existing = entities.get(entity.key);
      if (!existing || preferEntity(entity, existing) < 0) entities.set(entity.key, entity);
    }
  }
  const relationships: Relationship[] = [];
  let last: Relationship | undefined;
  all.sort(compareRelationship);
  for (const rel of all) {
    if (last && sameEdge(last, rel)) continue;
    relationships.push(rel);
    last = rel;
  }
  return {
    entities: [...entities.values()].sort((a, b) => compareText(a.key, b.key)),
    relationships,
  };
}
