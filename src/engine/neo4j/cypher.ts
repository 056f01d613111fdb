/**
 * The sync's Cypher. Labels and types come only from labels.ts; every key,
 * path, name and value travels as a parameter.
 */
import { CONTRIBUTES, ENTITY_LABEL, FILE_LABEL, KIND_LABELS, LOCK_LABEL, RELATIONSHIP_TYPE_NAMES, typeOf } from './labels.ts';
import type { EndKind, RelationshipGroup } from './rows.ts';

const ALL_KIND_LABELS = KIND_LABELS.join(':');

/**
 * The bulk queries' plans are index seeks on the unique keys whatever the
 * graph's size, but Neo4j replans a cached query whenever its statistics
 * drift, which they do all the time while a bulk sync fills a graph
 * (replanning cost ~5% of the server's CPU): keep the cached plan.
 */
const KEEP_PLAN = 'CYPHER replan=skip\n';

/**
 * Creates or reuses each file's node and takes its write lock (so two
 * writers replacing the same file serialise, and nothing else writes the
 * file's rows until this transaction ends), returning the contribution
 * generation Neo4j holds for it, whether this transaction created the node
 * (nothing of the file exists yet) and whether a step-by-step write of it
 * was cut short (rows of the current generation may exist already).
 */
export const LOCK_FILES = `${KEEP_PLAN}UNWIND $files AS file
MERGE (f:${FILE_LABEL} {path: file.path})
ON CREATE SET f.createdBy = $token
ON MATCH SET f.path = file.path
RETURN file.path AS path, coalesce(f.createdBy = $token, false) AS fresh, f.gen AS previous, f.partial IS NOT NULL AS partial`;

/** Set while a file is written in several transactions; FINISH_FILES clears it. */
export const MARK_PARTIAL = `UNWIND $paths AS path
MATCH (f:${FILE_LABEL} {path: path})
SET f.partial = true`;

const entityQueries = new Map<string, string>();

/**
 * The entity properties a row sets, as [property, row expression]: rows are
 * lists (see entityParams) and the driver sends numbers as floats, hence
 * toInteger.
 */
const ENTITY_PROPERTIES: readonly (readonly [string, string])[] = [
  ['kind', 'row[1]'], ['name', 'row[2]'], ['schema', 'row[3]'], ['database', 'row[4]'], ['parent', 'row[5]'], ['file', 'row[6]'],
  ['startLine', 'toInteger(row[7])'], ['startCharacter', 'toInteger(row[8])'], ['endLine', 'toInteger(row[9])'], ['endCharacter', 'toInteger(row[10])'],
  ['defined', 'row[11]'],
];

/** True when n already holds every property of the row (absent and null alike). */
const ENTITY_UNCHANGED = ENTITY_PROPERTIES.map(([p, v]) => `coalesce(n.${p} = ${v}, n.${p} IS NULL AND ${v} IS NULL)`).join('\n  AND ');

/**
 * Upserts entities of one kind label: properties from the store's merged
 * view, CONTRIBUTES from this batch's files.
 *
 * A hub entity is in nearly every batch, and setting a label or a property
 * takes the node's exclusive lock (a label, its exclusive degrees lock too)
 * until commit, so concurrent writers would queue behind each other on every
 * hub. So a node is written only when it differs from the row; creating
 * edges to it takes shared locks only. The provenance edge is made before
 * the comparison: its shared degrees lock conflicts with the exclusive one
 * STRIP_UNSUPPORTED takes, so a concurrent strip either sees this edge or
 * has committed before the comparison reads the node (and the row restores
 * it).
 */
export function upsertEntitiesQuery(kindLabel: string): string {
  if (!KIND_LABELS.includes(kindLabel)) throw new TypeError(`Label ${JSON.stringify(kindLabel)} is not in the allow-list`);
  const label = kindLabel;
  let query = entityQueries.get(label);
  if (query === undefined) {
    const others = KIND_LABELS.filter((l) => l !== label).join(':');
    // Row: key, kind, name, schema, database, parent, file, range ×4, defined, file indexes.
    // The other kind labels are removed only from a node that has one (its kind changed).
    // The files' nodes are looked up once per query (fs[i] is $files[i]'s), not once per row and file.
    query = `${KEEP_PLAN}UNWIND $files AS file
MERGE (f:${FILE_LABEL} {path: file.path})
WITH collect(f) AS fs
UNWIND $rows AS row
MERGE (n:${ENTITY_LABEL} {key: row[0]})
FOREACH (i IN [i IN row[12] WHERE $files[toInteger(i)].fresh | toInteger(i)] | FOREACH (f IN [fs[i]] | CREATE (f)-[:${CONTRIBUTES} {gen: toInteger($files[i].gen)}]->(n)))
FOREACH (i IN [i IN row[12] WHERE NOT $files[toInteger(i)].fresh | toInteger(i)] | FOREACH (f IN [fs[i]] | MERGE (f)-[k:${CONTRIBUTES}]->(n) SET k.gen = toInteger($files[i].gen)))
WITH n, row
WHERE NOT n:${label} OR size(labels(n)) > 2 OR NOT (${ENTITY_UNCHANGED})
SET n:${label}
FOREACH (_ IN CASE WHEN size(labels(n)) > 2 THEN [1] ELSE [] END | REMOVE n:${others})
SET ${ENTITY_PROPERTIES.map(([p, v]) => `n.${p} = ${v}`).join(', ')}`;
    entityQueries.set(label, query);
  }
  return query;
}

function endPattern(variable: string, end: EndKind, value: string): string {
  return end === 'file' ? `(${variable}:${FILE_LABEL} {path: ${value}})` : `(${variable}:${ENTITY_LABEL} {key: ${value}})`;
}

const relationshipQueries = new Map<string, string>();

/** A relationship's properties from a member row (see relationshipParams); CREATE sets them with the relationship rather than after it. */
const PROPS = `file: file.path, rid: toInteger(row[2]), startLine: toInteger(row[3]), startCharacter: toInteger(row[4]), endLine: toInteger(row[5]),
  endCharacter: toInteger(row[6]), confidence: row[7], operation: row[8], gen: toInteger(file.gen)`;

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
    // Rows are groups [from, members] (see relationshipParams); a member: to, file index, rid, range ×4, confidence, operation.
    query = `${KEEP_PLAN}UNWIND $rows AS g
MERGE ${endPattern('a', group.from, 'g[0]')}
WITH a, g
UNWIND g[1] AS row
WITH a, row, $files[toInteger(row[1])] AS file
MERGE ${endPattern('b', group.to, 'row[0]')}
${mode === 'create' ? `CREATE (a)-[r:${type} {${PROPS}}]->(b)` : `MERGE (a)-[r:${type} {file: file.path, rid: toInteger(row[2])}]->(b)\nSET r += {${PROPS}}`}`;
    relationshipQueries.set(id, query);
  }
  return query;
}

/**
 * Deletes the files' relationships that are not of their current generation
 * (a file's first write leaves its rows without one, see FileGen.created),
 * every type in one round trip (a realtime save pays per round trip);
 * returns how many and their entity ends.
 */
export const STALE_RELATIONSHIPS = `CALL {
${RELATIONSHIP_TYPE_NAMES.map((type) => `  UNWIND $files AS file
  MATCH (a)-[r:${typeOf(type)} {file: file.path}]->(b)
  WHERE r.gen IS NULL OR r.gen <> toInteger(file.gen)
  DELETE r
  RETURN a.key AS from, b.key AS to`).join('\n  UNION ALL\n')}
}
RETURN count(*) AS deleted, collect(DISTINCT from) + collect(DISTINCT to) AS keys`;

/** Drops provenance the files no longer give (another gen, or none: see FileGen.created); returns the entities that lost it. */
export const STALE_CONTRIBUTIONS = `UNWIND $files AS file
MATCH (:${FILE_LABEL} {path: file.path})-[c:${CONTRIBUTES}]->(n)
WHERE c.gen IS NULL OR c.gen <> toInteger(file.gen)
WITH n, c
DELETE c
RETURN collect(DISTINCT n.key) AS keys`;

/**
 * An entity no file contributes is gone from the store: it keeps only its key
 * while relationships still end at it (a referenced-only key), and is deleted
 * once nothing touches it.
 *
 * Concurrent writers (the sync's lanes, or two syncs) may each remove the
 * last-but-one edge of the same node and each still see the other's, and
 * another writer may be adding an edge to it. A label change takes the
 * node's exclusive lock and its exclusive degrees lock, which wait for every
 * transaction that holds the node's lock or is adding edges to it (those hold
 * the degrees lock shared): so the look below sees what they committed.
 */
export const STRIP_UNSUPPORTED = `UNWIND $keys AS key
MATCH (n:${ENTITY_LABEL} {key: key})
SET n:${LOCK_LABEL}
REMOVE n:${LOCK_LABEL}
WITH n, key
WHERE NOT EXISTS { (:${FILE_LABEL})-[:${CONTRIBUTES}]->(n) }
REMOVE n:${ALL_KIND_LABELS}
SET n = {key: key}
WITH n
WHERE NOT EXISTS { (n)--() }
DELETE n
RETURN count(*) AS deleted`;

/** Marks files as holding their current generation (the last step: a cut-short sync leaves the old gen). */
export const FINISH_FILES = `${KEEP_PLAN}UNWIND $files AS file
MATCH (f:${FILE_LABEL} {path: file.path})
SET f += file.props, f.gen = toInteger(file.gen)
REMOVE f.createdBy, f.partial`;

export const DELETE_FILES = `UNWIND $paths AS path
MATCH (f:${FILE_LABEL} {path: path})
DETACH DELETE f
RETURN count(*) AS deleted`;
