import type { Range } from './range.ts';

export const ENTITY_KINDS = [
  'database',
  'schema',
  'table',
  'view',
  'materialized_view',
  'column',
  'procedure',
  'function',
  'trigger',
  'index',
  'sequence',
  'dbt_model',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const RELATIONSHIP_TYPES = [
  'DEFINES',
  'HAS_COLUMN',
  'READS_FROM',
  'WRITES_TO',
  'REFERENCES',
  'DEPENDS_ON',
  'DERIVED_FROM',
] as const;
export type RelationshipType = (typeof RELATIONSHIP_TYPES)[number];

export type Confidence = 'high' | 'low';

export interface Entity {
  /** Stable across files and runs; see keys.ts. */
  key: string;
  kind: EntityKind;
  /** As first written (display form). */
  name: string;
  schema?: string;
  database?: string;
  /** The owning relation's key, for columns (and indexes, triggers). */
  parent?: string;
  /** Where it is defined, or first referenced when no input defines it. */
  file: string;
  range: Range;
  /** False when only referenced: no statement in the input defines it. */
  defined: boolean;
}

export interface Relationship {
  type: RelationshipType;
  from: string;
  to: string;
  file: string;
  range: Range;
  confidence: Confidence;
  /** For WRITES_TO: INSERT, UPDATE, DELETE, MERGE, CTAS, SELECT INTO, COPY. */
  operation?: string;
}

export interface GraphFragment {
  entities: Entity[];
  relationships: Relationship[];
}
