/**
 * Accumulates the entities and relationships of one file, keeping one entity
 * per key (a definition replaces a mere reference) and one relationship per
 * (type, from, to, range, operation).
 */
import type { Confidence, Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import { columnKey } from './keys.ts';
import type { QualifiedName } from './names.ts';

export class FragmentBuilder {
  private readonly entities = new Map<string, Entity>();
  /**
   * from → to → the relationships between them. Looking up the two keys the
   * caller already holds is much cheaper than building and hashing one long
   * id string per call; the inner lists are almost always one or two long.
   */
  private readonly byEnds = new Map<string, Map<string, Relationship[]>>();
  private readonly relationships: Relationship[] = [];
  /** relation key → column → column key: the same few keys are asked for many times. */
  private readonly columnKeys = new Map<string, Map<string, string>>();
  readonly file: string;

  constructor(file: string) {
    this.file = file;
  }

  entity(key: string, kind: EntityKind, name: string, range: Range, defined: boolean, extra?: { qualified?: QualifiedName; parent?: string }): void {
    const existing = this.entities.get(key);
    if (existing && (existing.defined || !defined)) return;
    const entity: Entity = { key, kind, name, file: this.file, range, defined };
    const q = extra?.qualified;
    if (q?.schema) entity.schema = q.schema;
    if (q?.database) entity.database = q.database;
    if (extra?.parent) entity.parent = extra.parent;
    this.entities.set(key, entity);
  }

  columnKey(relKey: string, column: string): string {
    let byColumn = this.columnKeys.get(relKey);
    if (!byColumn) {
      byColumn = new Map();
      this.columnKeys.set(relKey, byColumn);
    }
    let key = byColumn.get(column);
    if (key === undefined) {
      key = columnKey(relKey, column);
      byColumn.set(column, key);
    }
    return key;
  }

  column(relKey: string, column: string, display: string, range: Range, defined: boolean): string {
    const key = this.columnKey(relKey, column);
    // entity() inlined: columns are by far the most frequent call and mostly repeats.
    const existing = this.entities.get(key);
    if (existing && (existing.defined || !defined)) return key;
    const entity: Entity = { key, kind: 'column', name: display, file: this.file, range, defined };
    if (relKey) entity.parent = relKey;
    this.entities.set(key, entity);
    return key;
  }

  has(key: string): boolean {
    return this.entities.has(key);
  }

  relate(type: RelationshipType, from: string, to: string, range: Range, confidence: Confidence, operation?: string): void {
    let byTo = this.byEnds.get(from);
    if (!byTo) {
      byTo = new Map();
      this.byEnds.set(from, byTo);
    }
    const same = byTo.get(to);
    const op = operation ?? '';
    if (same) {
      for (const r of same) if (r.type === type && (r.operation ?? '') === op && sameRange(r.range, range)) return;
    }
    const rel: Relationship = { type, from, to, file: this.file, range, confidence };
    if (operation) rel.operation = operation;
    if (same) same.push(rel);
    else byTo.set(to, [rel]);
    this.relationships.push(rel);
  }

  result(): GraphFragment {
    return { entities: [...this.entities.values()], relationships: this.relationships.slice() };
  }
}

export function sameRange(a: Range, b: Range): boolean {
  return (
    a === b ||
    (a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character)
  );
}

export function rangeId(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

export function relationshipId(type: string, from: string, to: string, file: string, range: Range, operation: string | undefined): string {
  return `${type}\u0000${from}\u0000${to}\u0000${file}\u0000${rangeId(range)}\u0000${operation ?? ''}`;
}
