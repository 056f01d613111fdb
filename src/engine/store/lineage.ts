/**
 * Bounded breadth-first lineage walk. Data flows against the arrow for most
 * relationship types (a view READS_FROM a table: the table feeds the view)
 * but along it for WRITES_TO and DEFINES (a procedure WRITES_TO a table: the
 * procedure feeds the table), so upstream follows each type its own way.
 */
import type { Entity, Relationship, RelationshipType } from '../model/graph.ts';
import type { LineageNode, LineageOptions, LineageResult } from './types.ts';

export const DEFAULT_LINEAGE_TYPES: readonly RelationshipType[] = ['READS_FROM', 'WRITES_TO', 'DERIVED_FROM', 'DEPENDS_ON'];
const ALONG_THE_FLOW: ReadonlySet<RelationshipType> = new Set(['WRITES_TO', 'DEFINES']);
const MAX_DEPTH = 100;

export interface LineageSource {
  /** Relationships whose `from` is the key, in a stable order. */
  outgoing(key: string): Relationship[];
  /** Relationships whose `to` is the key, in a stable order. */
  incoming(key: string): Relationship[];
  /** The merged entities of those keys that have one. */
  entities(keys: readonly string[]): Map<string, Entity>;
}

export function walkLineage(source: LineageSource, start: string, options: LineageOptions): LineageResult {
  const types = new Set(options.types ?? DEFAULT_LINEAGE_TYPES);
  const depth = Math.max(0, Math.min(MAX_DEPTH, Math.floor(options.depth)));
  const maxNodes = Math.max(1, options.maxNodes ?? 10_000);
  const upstream = options.direction === 'upstream';
  // Upstream takes the `to` end of dependency-style edges leaving a node and
  // the `from` end of flow-style edges arriving at it; downstream the reverse.
  const takeOutgoing = (r: Relationship): boolean => types.has(r.type) && ALONG_THE_FLOW.has(r.type) !== upstream;
  const takeIncoming = (r: Relationship): boolean => types.has(r.type) && ALONG_THE_FLOW.has(r.type) === upstream;

  const depthOf = new Map<string, number>([[start, 0]]);
  const edges: Relationship[] = [];
  let truncated = false;
  let frontier = [start];
  for (let level = 1; level <= depth && frontier.length > 0 && !truncated; level++) {
    const next: string[] = [];
    for (const key of frontier) {
      const steps: Array<[Relationship, string]> = [];
      for (const r of source.outgoing(key)) if (takeOutgoing(r)) steps.push([r, r.to]);
      for (const r of source.incoming(key)) if (takeIncoming(r)) steps.push([r, r.from]);
      for (const [edge, neighbour] of steps) {
        if (!depthOf.has(neighbour)) {
          if (depthOf.size >= maxNodes) {
            truncated = true;
            continue;
          }
          depthOf.set(neighbour, level);
          next.push(neighbour);
        }
        edges.push(edge);
      }
    }
    frontier = next;
  }
  const entities = source.entities([...depthOf.keys()]);
  const nodes: LineageNode[] = [...depthOf].map(([key, d]) => {
    const entity = entities.get(key);
    return entity ? { key, depth: d, entity } : { key, depth: d };
  });
  nodes.sort((a, b) => a.depth - b.depth || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { nodes, edges, truncated };
}
