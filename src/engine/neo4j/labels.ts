/**
 * The only names that ever appear in Cypher text. Labels and relationship
 * types cannot be query parameters, so every one is looked up here from a
 * fixed table; nothing read from SQL or from the store is spliced into a query.
 */
import type { EntityKind, RelationshipType } from '../model/graph.ts';

/** One node label per entity kind. */
export const KIND_LABEL: Readonly<Record<EntityKind, string>> = {
  database: 'Database',
  schema: 'Schema',
  table: 'Table',
  view: 'View',
  materialized_view: 'MaterializedView',
  column: 'Column',
  procedure: 'Procedure',
  function: 'Function',
  trigger: 'Trigger',
  index: 'Index',
  sequence: 'Sequence',
  dbt_model: 'DbtModel',
};

export const KIND_LABELS: readonly string[] = Object.values(KIND_LABEL);

/** The label every entity node carries; its `key` is unique. */
export const ENTITY_LABEL = 'Entity';
/** Workspace files, keyed by `path`. */
export const FILE_LABEL = 'File';
/** The node holding the graph's schema version. */
export const SCHEMA_LABEL = 'SqlGraphSchema';
/** Added and removed in one statement to take a node's exclusive locks (see STRIP_UNSUPPORTED); no node keeps it. */
export const LOCK_LABEL = 'SqlGraphLock';
/** (File)-[:CONTRIBUTES]->(Entity): which files support an entity (the store's provenance). */
export const CONTRIBUTES = 'CONTRIBUTES';

const TYPES: Readonly<Record<RelationshipType, string>> = {
  DEFINES: 'DEFINES',
  HAS_COLUMN: 'HAS_COLUMN',
  READS_FROM: 'READS_FROM',
  WRITES_TO: 'WRITES_TO',
  REFERENCES: 'REFERENCES',
  DEPENDS_ON: 'DEPENDS_ON',
  DERIVED_FROM: 'DERIVED_FROM',
};

export const RELATIONSHIP_TYPE_NAMES: readonly RelationshipType[] = Object.keys(TYPES) as RelationshipType[];

/** The label for a kind; throws for anything outside the allow-list. */
export function labelOf(kind: string): string {
  const label = (KIND_LABEL as Record<string, string | undefined>)[kind];
  if (label === undefined) throw new TypeError(`Entity kind ${JSON.stringify(kind)} is not in the Neo4j label allow-list`);
  return label;
}

export function kindOfLabel(label: string): EntityKind | undefined {
  for (const [kind, l] of Object.entries(KIND_LABEL)) if (l === label) return kind as EntityKind;
  return undefined;
}

/** The relationship type for a store type; throws for anything outside the allow-list. */
export function typeOf(type: string): RelationshipType {
  const t = (TYPES as Record<string, string | undefined>)[type];
  if (t === undefined) throw new TypeError(`Relationship type ${JSON.stringify(type)} is not in the Neo4j allow-list`);
  return t as RelationshipType;
}

/** Keys of file actors (`file:<path>`) map to File nodes, not entities. */
export const FILE_KEY_PREFIX = 'file:';
