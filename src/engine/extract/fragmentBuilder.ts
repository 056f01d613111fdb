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
  private readonly relationships = new Map<string, Relationship>();
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

  column(relKey: string, column: string, display: string, range: Range, defined: boolean): string {
    const key = columnKey(relKey, column);
    this.entity(key, 'column', display, range, defined, { parent: relKey });
    return key;
  }

  has(key: string): boolean {
    return this.entities.has(key);
  }

  relate(type: RelationshipType, from: string, to: string, range: Range, confidence: Confidence, operation?: string): void {
    const id = relationshipId(type, from, to, this.file, range, operation);
    if (this.relationships.has(id)) return;
    const rel: Relationship = { type, from, to, file: this.file, range, confidence };
    if (operation) rel.operation = operation;
    this.relationships.set(id, rel);
  }

  result(): GraphFragment {
    return { entities: [...this.entities.values()], relationships: [...this.relationships.values()] };
  }
}

export function rangeId(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

export function relationshipId(type: string, from: string, to: string, file: string, range: Range, operation: string | undefined): string {
  return [type, from, to, file, rangeId(range), operation ?? ''].join('\u0000');
}
