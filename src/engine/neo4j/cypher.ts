/**
 * The sync's Cypher. Labels and types come only from labels.ts; every key,
 * path, name and value travels as a parameter.
 */
import { CONTRIBUTES, ENTITY_LABEL, FILE_LABEL, KIND_LABELS, typeOf } from './labels.ts';
import type { EndKind, RelationshipGroup } from './rows.ts';
import type { RelationshipType } from '../model/graph.ts';

const ALL_KIND_LABELS = KIND_LABELS.join(':');

/**
 * Creates or reuses each file's node and takes its write lock (so two
 * writers replacing the same file serialise, and nothing else writes the
 * file's rows until this transaction ends), returning the contribution
 * generation Neo4j holds for it, whether this transaction created the node
 * (nothing of the file exists yet) and whether a step-by-step write of it
 * was cut short (rows of the current generation may exist already).
 */
export const LOCK_FILES = `UNWIND $files AS file
MERGE (f:${FILE_LABEL} {path: file.path})
ON CREATE SET f.createdBy = $token
ON MATCH SET f.path = file.path
RETURN file.path AS path, coalesce(f.createdBy = $token, false) AS fresh, f.gen AS previous, f.partial IS NOT NULL AS partial`;

/** Set while a file is written in several transactions; FINISH_FILES clears it. */
export const MARK_PARTIAL = `UNWIND $paths AS path
MATCH (f:${FILE_LABEL} {path: path})
SET f.partial = true`;

const entityQueries = new Map<string, string>();

/** Upserts entities of one kind label: properties from the store's merged view, CONTRIBUTES from this batch's files. */
export function upsertEntitiesQuery(kindLabel: string): string {
  if (!KIND_LABELS.includes(kindLabel)) throw new TypeError(`Label ${JSON.stringify(kindLabel)} is not in the allow-list`);
  const label = kindLabel;
  let query = entityQueries.get(label);
  if (query === undefined) {
    const others = KIND_LABELS.filter((l) => l !== label).join(':');
    query = `UNWIND $rows AS row
MERGE (n:${ENTITY_LABEL} {key: row.key})
SET n:${label}
REMOVE n:${others}
SET n.kind = row.kind, n.name = row.name, n.schema = row.schema, n.database = row.database, n.parent = row.parent, n.file = row.file,
  n.startLine = toInteger(row.sl), n.startCharacter = toInteger(row.sc), n.endLine = toInteger(row.el), n.endCharacter = toInteger(row.ec),
  n.defined = row.defined
FOREACH (c IN [c IN row.files WHERE c.fresh] | MERGE (f:${FILE_LABEL} {path: c.path}) CREATE (f)-[:${CONTRIBUTES} {gen: c.gen}]->(n))
FOREACH (c IN [c IN row.files WHERE NOT c.fresh] | MERGE (f:${FILE_LABEL} {path: c.path}) MERGE (f)-[k:${CONTRIBUTES}]->(n) SET k.gen = c.gen)`;
    entityQueries.set(label, query);
  }
  return query;
}

function endPattern(variable: string, end: EndKind, field: string): string {
  return end === 'file' ? `(${variable}:${FILE_LABEL} {path: row.${field}})` : `(${variable}:${ENTITY_LABEL} {key: row.${field}})`;
}

const relationshipQueries = new Map<string, string>();

/**
 * MERGE on (from)-[:TYPE {file, rid}]->(to): replaying a row finds the same
 * relationship. `create` is for a file written whole in one transaction under
 * its lock: no row of its new generation can exist yet (any older one is
 * deleted by the clean-up that follows), so there is nothing to find and
 * CREATE spares MERGE's scan of hub nodes.
 */
export function upsertRelationshipsQuery(group: RelationshipGroup, mode: 'merge' | 'create' = 'merge'): string {
  const type = typeOf(group.type);
  const id = `${type}:${group.from}:${group.to}:${mode}`;
  let query = relationshipQueries.get(id);
  if (query === undefined) {
    query = `UNWIND $rows AS row
MERGE ${endPattern('a', group.from, 'from')}
MERGE ${endPattern('b', group.to, 'to')}
${mode === 'create' ? 'CREATE' : 'MERGE'} (a)-[r:${type} {file: row.file, rid: row.rid}]->(b)
SET r.startLine = toInteger(row.sl), r.startCharacter = toInteger(row.sc), r.endLine = toInteger(row.el), r.endCharacter = toInteger(row.ec),
  r.confidence = row.confidence, r.operation = row.operation, r.gen = row.gen`;
    relationshipQueries.set(id, query);
  }
  return query;
}

/** Deletes a file's relationships of one type that are not of its current generation; returns their entity ends. */
export function staleRelationshipsQuery(type: RelationshipType): string {
  return `UNWIND $files AS file
MATCH (a)-[r:${typeOf(type)} {file: file.path}]->(b)
WHERE r.gen IS NULL OR r.gen <> file.gen
WITH a, b, r
DELETE r
RETURN count(*) AS deleted, collect(DISTINCT a.key) + collect(DISTINCT b.key) AS keys`;
}

/** Drops provenance the files no longer give; returns the entities that lost it. */
export const STALE_CONTRIBUTIONS = `UNWIND $files AS file
MATCH (:${FILE_LABEL} {path: file.path})-[c:${CONTRIBUTES}]->(n)
WHERE c.gen IS NULL OR c.gen <> file.gen
WITH n, c
DELETE c
RETURN collect(DISTINCT n.key) AS keys`;

/**
 * An entity no file contributes is gone from the store: it keeps only its key
 * while relationships still end at it (a referenced-only key), and is deleted
 * once nothing touches it.
 */
export const STRIP_UNSUPPORTED = `UNWIND $keys AS key
MATCH (n:${ENTITY_LABEL} {key: key})
WHERE NOT EXISTS { (:${FILE_LABEL})-[:${CONTRIBUTES}]->(n) }
REMOVE n:${ALL_KIND_LABELS}
SET n = {key: key}
WITH n
WHERE NOT EXISTS { (n)--() }
DELETE n
RETURN count(*) AS deleted`;

/** Marks files as holding their current generation (the last step: a cut-short sync leaves the old gen). */
export const FINISH_FILES = `UNWIND $files AS file
MATCH (f:${FILE_LABEL} {path: file.path})
SET f += file.props, f.gen = file.gen
REMOVE f.createdBy, f.partial`;

export const DELETE_FILES = `UNWIND $paths AS path
MATCH (f:${FILE_LABEL} {path: path})
DETACH DELETE f
RETURN count(*) AS deleted`;
