/** The graph store's prepared SQL, joined back to key and path text where results leave the store. */
import type Database from 'better-sqlite3';

const range = (t: string) => `${t}.start_line, ${t}.start_char, ${t}.end_line, ${t}.end_char`;

/** Merged entity columns as an EntityRow: `e` entities, `k` its key, `p` its parent key, `f` its file. */
const ENTITY = `k.key AS key, e.kind, e.name, e.schema_name, e.database_name, p.key AS parent, f.path AS file, ${range('e')}, e.defined`;
const ENTITY_FROM = 'entities e JOIN keys k ON k.id = e.key_id LEFT JOIN keys p ON p.id = e.parent_id JOIN files f ON f.id = e.file_id';
const FILE = 'path, content_hash, dialect, statements, parsed, fallback, diagnostics_json, entity_count, relationship_count, updated_at';

export function prepareStatements(db: Database.Database) {
  const p = (source: string) => db.prepare(source);
  return {
    fileId: p('SELECT id FROM files WHERE path = ?').pluck(),
    contentHash: p('SELECT content_hash FROM files WHERE id = ?').pluck(),
    filePaths: p('SELECT id, path FROM files').raw(),
    fileHashes: p('SELECT path, content_hash FROM files'),
    allSlices: p('SELECT path, signature, json FROM catalog_slices ORDER BY path'),
    slice: p('SELECT signature, json FROM catalog_slices WHERE path = ?').raw(),
    upsertSlice: p('INSERT INTO catalog_slices (path, signature, json) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET signature = excluded.signature, json = excluded.json'),
    deleteSlice: p('DELETE FROM catalog_slices WHERE path = ?'),
    moveSlice: p('UPDATE catalog_slices SET path = ? WHERE path = ?'),
    file: p(`SELECT ${FILE} FROM files WHERE path = ?`),
    allFiles: p(`SELECT ${FILE} FROM files ORDER BY path`),
    allPaths: p('SELECT path FROM files').pluck(),
    indexCount: p("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN (?, ?, ?, ?)").pluck(),
    anyFile: p('SELECT 1 FROM files LIMIT 1').pluck(),
    fileCount: p('SELECT count(*) FROM files').pluck(),
    liveRows: p('SELECT coalesce(sum(entity_count + relationship_count), 0) FROM files').pluck(),
    insertFile: p(`INSERT INTO files (id, ${FILE}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    maxFileId: p('SELECT coalesce(max(id), 0) FROM files').pluck(),
    relationshipTotal: p('SELECT coalesce(sum(relationship_count), 0) FROM files').pluck(),
    updateFile: p(`UPDATE files SET content_hash = ?, dialect = ?, statements = ?, parsed = ?, fallback = ?, diagnostics_json = ?,
      entity_count = ?, relationship_count = ?, updated_at = ? WHERE id = ?`),
    deleteFile: p('DELETE FROM files WHERE id = ?'),
    moveFile: p('UPDATE files SET path = ?, updated_at = ? WHERE id = ?'),

    contribution: p('SELECT packed, strings FROM contributions WHERE file_id = ?').raw(),
    allContributions: p('SELECT file_id, packed, strings FROM contributions').raw(),
    putContribution: p('INSERT OR REPLACE INTO contributions (file_id, packed, strings) VALUES (?, ?, ?)'),
    deleteContribution: p('DELETE FROM contributions WHERE file_id = ?'),

    postings: p('SELECT postings FROM keys WHERE id = ?').pluck(),
    insertKey: p('INSERT INTO keys (id, key, postings) VALUES (?, ?, ?)'),
    setPostings: p('UPDATE keys SET postings = ? WHERE id = ?'),
    // || makes text of two blobs, byte for byte; the cast makes it a blob again.
    appendPostings: p("UPDATE keys SET postings = CAST(coalesce(postings, X'') || ? AS BLOB) WHERE id = ?"),
    keyText: p('SELECT key FROM keys WHERE id = ?').pluck(),
    keysInOrder: p('SELECT id, key FROM keys ORDER BY key').raw(),

    entity: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.key_id = ?`),
    // Merged entities of many keys at once (a JSON array of ids), with ids for the caller to resolve.
    entitiesOfIds: p(`SELECT e.key_id, e.kind, e.name, e.schema_name, e.database_name, e.parent_id, e.file_id, ${range('e')}, e.defined
      FROM json_each(?) j JOIN entities e ON e.key_id = j.value`).raw(),
    filePath: p('SELECT path FROM files WHERE id = ?').pluck(),
    entitiesOfKind: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.kind = ? ORDER BY k.key LIMIT ? OFFSET ?`),
    childrenOf: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.parent_id = ? ORDER BY k.key`),
    allEntities: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} ORDER BY k.key`),
    findExact: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.name_folded = @folded AND (@kind IS NULL OR e.kind = @kind)
      ORDER BY k.key LIMIT @limit`),
    // Exact matches are the smallest names in the range, so ordering by name puts them first (and lets the index order the scan).
    findPrefix: p(`SELECT ${ENTITY} FROM ${ENTITY_FROM} WHERE e.name_folded >= @folded AND e.name_folded < @end AND (@kind IS NULL OR e.kind = @kind)
      ORDER BY e.name_folded, k.key LIMIT @limit`),

    tallies: p('SELECT id, n FROM tallies WHERE n > 0 ORDER BY id').raw(),
    addTally: p('INSERT INTO tallies (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = n + excluded.n'),

    // Keys no file mentions any more (kept until enough churn makes pruning worth a scan).
    pruneKeys: p('DELETE FROM keys WHERE postings IS NULL'),
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

export type Statements = ReturnType<typeof prepareStatements>;
