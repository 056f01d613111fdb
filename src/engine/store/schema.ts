/**
 * The store's tables. Bump SCHEMA_VERSION on any change: an older store is
 * moved aside and rebuilt by re-ingesting, never migrated, because the whole
 * store is derivable from the workspace.
 */
export const SCHEMA_VERSION = 2;

/** Tagged in `application_id` so a stranger's SQLite file is never mistaken for a store. */
export const APPLICATION_ID = 0x53514c47; // 'SQLG'

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY,
  content_hash TEXT NOT NULL,
  dialect TEXT NOT NULL,
  statements INTEGER NOT NULL,
  parsed INTEGER NOT NULL,
  fallback INTEGER NOT NULL,
  diagnostics_json TEXT NOT NULL,
  entity_count INTEGER NOT NULL,
  relationship_count INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per (entity, file) contribution; the merged view picks one per key.
CREATE TABLE IF NOT EXISTS entity_sources (
  entity_key TEXT NOT NULL,
  file TEXT NOT NULL,
  defined INTEGER NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  schema_name TEXT,
  database_name TEXT,
  parent TEXT,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL,
  PRIMARY KEY (entity_key, file)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_sources_by_file ON entity_sources (file);

-- Materialised merge of entity_sources, maintained per changed key.
CREATE TABLE IF NOT EXISTS entities (
  key TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  schema_name TEXT,
  database_name TEXT,
  parent TEXT,
  file TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL,
  defined INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (name_folded);
CREATE INDEX IF NOT EXISTS entities_by_kind ON entities (kind);
CREATE INDEX IF NOT EXISTS entities_by_parent ON entities (parent);

CREATE TABLE IF NOT EXISTS relationships (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL,
  from_key TEXT NOT NULL,
  to_key TEXT NOT NULL,
  file TEXT NOT NULL,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL,
  confidence TEXT NOT NULL,
  operation TEXT
);
CREATE INDEX IF NOT EXISTS relationships_by_file ON relationships (file);
CREATE INDEX IF NOT EXISTS relationships_by_from ON relationships (from_key, type);
CREATE INDEX IF NOT EXISTS relationships_by_to ON relationships (to_key, type);

-- Files whose current state Neo4j has not acknowledged; a path missing from
-- files is a tombstone.
CREATE TABLE IF NOT EXISTS pending (
  path TEXT PRIMARY KEY,
  version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pending_by_version ON pending (version);

-- Each file's DDL (its catalog slice), so name resolution across files can be
-- rebuilt at start-up without re-reading every file.
CREATE TABLE IF NOT EXISTS catalog_slices (
  path TEXT PRIMARY KEY,
  signature TEXT NOT NULL,
  json TEXT NOT NULL
) WITHOUT ROWID;
`;
