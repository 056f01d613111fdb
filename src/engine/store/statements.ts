/** The graph store's prepared SQL, joined back to key and path text where results leave the store. */
import type Database from 'better-sqlite3';

const RANGE = 'start_line, start_char, end_line, end_char';
const range = (t: string) => `${t}.start_line, ${t}.start_char, ${t}.end_line, ${t}.end_char`;

/** Merged entity columns as an EntityRow: `e` entities, `k` its key, `p` its parent key, `f` its file. */
const ENTITY = `k.key AS key, e.kind, e.name, e.schema_name, e.database_name, p.key AS parent, f.path AS file, ${range('e')}, e.defined`;
const ENTITY_FROM = 'entities e JOIN keys k ON k.id = e.key_id LEFT JOIN keys p ON p.id = e.parent_id JOIN files f ON f.id = e.file_id';
/** Relationship columns as a RelationshipRow: `r` relationships, `a`/`b` its ends, `f` its file. */
const RELATIONSHIP = `r.type, a.key AS from_key, b.key AS to_key, f.path AS file, ${range('r')}, r.confidence, r.operation`;
const RELATIONSHIP_FROM = 'relationships r JOIN keys a ON a.id = r.from_id JOIN keys b ON b.id = r.to_id JOIN files f ON f.id = r.file_id';
const RELATIONSHIP_ORDER = `r.type, a.key, b.key, f.path, ${range('r')}, r.operation, r.confidence`;
const FILE = 'path, content_hash, dialect, statements, parsed, fallback, diagnostics_json, entity_count, relationship_count, updated_at';

export function prepareStatements(db: Database.Database) {
  const p = (source: string) => db.prepare(source);
  return {
    fileSlot: p('SELECT id, first_source, entity_count, first_relationship, relationship_count FROM files WHERE path = ?'),
    fileHashes: p('SELECT path, content_hash FROM files'),
    filesOfKey: p('SELECT f.path FROM entity_sources s JOIN files f ON f.id = s.file_id WHERE s.key_id = ?').pluck(),
    allSlices: p('SELECT path, signature, json FROM catalog_slices ORDER BY path'),
    upsertSlice: p('INSERT INTO catalog_slices (path, signature, json) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET signature = excluded.signature, json = excluded.json'),
    deleteSlice: p('DELETE FROM catalog_slices WHERE path = ?'),
    moveSlice: p('UPDATE catalog_slices SET path = ? WHERE path = ?'),
    file: p(`SELECT ${FILE} FROM files WHERE path = ?`),
    allFiles: p(`SELECT ${FILE} FROM files ORDER BY path`),
    allPaths: p('SELECT path FROM files').pluck(),
    fileCount: p('SELECT count(*) FROM files').pluck(),
    liveRows: p('SELECT coalesce(sum(entity_count + relationship_count), 0) FROM files').pluck(),
    insertFile: p(`INSERT INTO files (${FILE}, first_source, first_relationship) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)`),
    updateFile: p(`UPDATE files SET content_hash = ?, dialect = ?, statements = ?, parsed = ?, fallback = ?, diagnostics_json = ?,
      entity_count = ?, relationship_count = ?, updated_at = ? WHERE id = ?`),
    setRanges: p('UPDATE files SET first_source = ?, first_relationship = ? WHERE id = ?'),
    deleteFile: p('DELETE FROM files WHERE id = ?'),
    moveFile: p('UPDATE files SET path = ?, updated_at = ? WHERE id = ?'),

    insertSource: p(`INSERT INTO entity_sources (key_id, file_id, defined, kind, name, schema_name, database_name, parent_id, ${RANGE})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deleteSources: p('DELETE FROM entity_sources WHERE id >= ? AND id < ? RETURNING key_id').pluck(),
    keysInRange: p('SELECT key_id FROM entity_sources WHERE id >= ? AND id < ?').pluck(),
    sourcesInRange: p(`SELECT k.key AS key, s.kind, s.name, s.schema_name, s.database_name, p.key AS parent, ? AS file, ${range('s')}, s.defined
      FROM entity_sources s JOIN keys k ON k.id = s.key_id LEFT JOIN keys p ON p.id = s.parent_id
      WHERE s.id >= ? AND s.id < ? ORDER BY k.key`),
    renameSourceKey: p('UPDATE entity_sources SET key_id = ? WHERE id >= ? AND id < ? AND key_id = ?'),
    renameSourceParent: p('UPDATE entity_sources SET parent_id = ? WHERE id >= ? AND id < ? AND parent_id = ?'),
    definitions: p(`SELECT f.path AS file, ${range('s')} FROM entity_sources s JOIN files f ON f.id = s.file_id
      WHERE s.key_id = ? AND s.defined = 1 ORDER BY f.path, ${range('s')}`),

    entity: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.key_id = ?`),
    entitiesOfKind: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.kind = ? ORDER BY k.key LIMIT ? OFFSET ?`),
    childrenOf: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.parent_id = ? ORDER BY k.key`),
    allEntities: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} ORDER BY k.key`),
    entityCounts: p('SELECT kind, count(*) AS n FROM entities GROUP BY kind ORDER BY kind'),
    findExact: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.name_folded = @folded AND (@kind IS NULL OR e.kind = @kind)
      ORDER BY k.key LIMIT @limit`),
    findPrefix: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.name_folded >= @folded AND e.name_folded < @end AND (@kind IS NULL OR e.kind = @kind)
      ORDER BY e.name_folded <> @folded, e.name_folded, k.key LIMIT @limit`),

    insertRelationship: p(`INSERT INTO relationships (type, from_id, to_id, file_id, ${RANGE}, confidence, operation)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    anyRelationship: p('SELECT 1 FROM relationships LIMIT 1'),
    deleteRelationships: p('DELETE FROM relationships WHERE id >= ? AND id < ?'),
    relationshipsInRange: p(`SELECT ${RELATIONSHIP} FROM ${RELATIONSHIP_FROM} WHERE r.id >= ? AND r.id < ? ORDER BY r.id`),
    renameRelationshipFrom: p('UPDATE relationships SET from_id = ? WHERE id >= ? AND id < ? AND from_id = ?'),
    renameRelationshipTo: p('UPDATE relationships SET to_id = ? WHERE id >= ? AND id < ? AND to_id = ?'),
    incomingOfType: p(`SELECT ${RELATIONSHIP} FROM ${RELATIONSHIP_FROM} WHERE r.to_id = ? AND r.type = ? ORDER BY f.path, ${range('r')}, a.key`),
    outgoing: p(`SELECT ${RELATIONSHIP} FROM ${RELATIONSHIP_FROM} WHERE r.from_id = ? ORDER BY ${RELATIONSHIP_ORDER}`),
    incoming: p(`SELECT ${RELATIONSHIP} FROM ${RELATIONSHIP_FROM} WHERE r.to_id = ? ORDER BY ${RELATIONSHIP_ORDER}`),
    allRelationships: p(`SELECT ${RELATIONSHIP} FROM ${RELATIONSHIP_FROM} ORDER BY ${RELATIONSHIP_ORDER}`),
    relationshipCounts: p('SELECT type, count(*) AS n FROM relationships GROUP BY type ORDER BY type'),

    // Keys nothing refers to any more (kept until enough churn makes pruning worth a scan).
    pruneKeys: p(`DELETE FROM keys WHERE id NOT IN (
      SELECT key_id FROM entity_sources UNION ALL SELECT parent_id FROM entity_sources WHERE parent_id IS NOT NULL
      UNION ALL SELECT from_id FROM relationships UNION ALL SELECT to_id FROM relationships)`),
    churn: p("SELECT value FROM meta WHERE key = 'churn'").pluck(),
    setChurn: p("INSERT INTO meta (key, value) VALUES ('churn', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"),

    version: p("SELECT value FROM meta WHERE key = 'version'").pluck(),
    setVersion: p("UPDATE meta SET value = ? WHERE key = 'version'"),
    markPending: p('INSERT INTO pending (path, version) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET version = excluded.version'),
    acknowledge: p('DELETE FROM pending WHERE path = ? AND version = ?'),
    pending: p(`SELECT p.path, p.version, (f.path IS NULL) AS removed FROM pending p LEFT JOIN files f ON f.path = p.path
      ORDER BY p.version LIMIT ?`),
    pendingCount: p('SELECT count(*) FROM pending').pluck(),
  };
}
