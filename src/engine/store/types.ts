/**
 * The graph store's public shapes. The store is the source of truth that the
 * Neo4j sync and the editor read, so these types are its contract.
 */
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../model/graph.ts';
import type { Range } from '../model/range.ts';
import type { PrepackedContribution } from './packedContribution.ts';

/** What the pipeline knows about a file besides its graph fragment. */
export interface FileMeta {
  contentHash: string;
  dialect: string;
  statements: number;
  parsed: number;
  fallback: number;
  diagnostics: Diagnostic[];
}

export interface FileUpdate {
  path: string;
  /** Empty when `prepacked` carries it. */
  fragment: GraphFragment;
  meta: FileMeta;
  /** The fragment already packed (by a parse worker): the store only renumbers its keys. */
  prepacked?: PrepackedContribution;
}

export interface StoredFile extends FileMeta {
  path: string;
  /** Rows this file contributes (after de-duplicating entity keys). */
  entityCount: number;
  relationshipCount: number;
  /** Milliseconds since the epoch of the last apply or rename. */
  updatedAt: number;
}

export interface PendingFile {
  path: string;
  version: number;
  /** True when the file is gone: a tombstone Neo4j must delete. */
  removed: boolean;
}

export interface StoreCounts {
  entities: Partial<Record<EntityKind, number>>;
  relationships: Partial<Record<RelationshipType, number>>;
  files: number;
}

export interface Location {
  file: string;
  range: Range;
}

export interface FindOptions {
  kind?: EntityKind;
  /** Default 50. */
  limit?: number;
  /** `prefix` (default) returns exact matches first, then names starting with the query. */
  match?: 'exact' | 'prefix';
}

export interface LineageOptions {
  direction: 'upstream' | 'downstream';
  depth: number;
  /** Default: READS_FROM, WRITES_TO, DERIVED_FROM, DEPENDS_ON. */
  types?: readonly RelationshipType[];
  /** Stop expanding once this many nodes are reached; default 10,000. */
  maxNodes?: number;
}

export interface LineageNode {
  key: string;
  /** Hops from the start node (0 for the start). */
  depth: number;
  /** Absent for keys no file contributes as an entity (e.g. `file:` actors). */
  entity?: Entity;
}

export interface LineageResult {
  nodes: LineageNode[];
  edges: Relationship[];
  /** True when maxNodes cut the walk short. */
  truncated: boolean;
}

export interface StoreRecovery {
  reason: 'corrupt' | 'schema-mismatch';
  /** Where the unusable file was moved (absent when it was dropped in place). */
  movedTo?: string;
  message: string;
}
