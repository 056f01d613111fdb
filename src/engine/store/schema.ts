/**
 * The store's tables. Bump SCHEMA_VERSION on any change: an older store is
 * moved aside and rebuilt by re-ingesting, never migrated, because the whole
 * store is derivable from the workspace.
 *
 * Layout, chosen for write speed (see scripts/bench/storeBench.ts):
 * - every entity key is interned once in `keys`; the big tables hold integers;
 * - a file's entity sources and relationships are inserted together, so each
 *   file owns one contiguous rowid range per table (recorded on its `files`
 *   row): deleting or reading a file's contribution needs no index on file;
 * - kinds, relationship types and confidences are small codes (codes.ts).
 */
export const SCHEMA_VERSION = 3;

/** Tagged in `application_id` so a stranger's SQLite file is never mistaken for a store. */
export const APPLICATION_ID = 0x53514c47; // 'SQLG'

/**
 * Only lineage and reader/writer queries use these, so a first load into an
 * empty store drops them and builds them once, in bulk, when such a query
 * comes (graphStore.ts). Opening a store runs SCHEMA_SQL, so a store closed
 * or crashed without them gets them back.
 */
export const RELATIONSHIP_INDEXES_SQL = `
CREATE INDEX IF NOT EXISTS relationships_by_from ON relationships (from_id);
CREATE INDEX IF NOT EXISTS relationships_by_to ON relationships (to_id, type);`;
export const DROP_RELATIONSHIP_INDEXES_SQL = 'DROP INDEX IF EXISTS relationships_by_from; DROP INDEX IF EXISTS relationships_by_to;';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL,
  dialect TEXT NOT NULL,
  statements INTEGER NOT NULL,
  parsed INTEGER NOT NULL,
  fallback INTEGER NOT NULL,
  diagnostics_json TEXT NOT NULL,
  entity_count INTEGER NOT NULL,
  relationship_count INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  -- First rowid of the file's rows in entity_sources / relationships; the
  -- counts above give the range's length.
  first_source INTEGER NOT NULL,
  first_relationship INTEGER NOT NULL
);

-- One row per (entity, file) contribution; the merged table keeps one per key.
CREATE TABLE IF NOT EXISTS entity_sources (
  id INTEGER PRIMARY KEY,
  key_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  defined INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  schema_name TEXT,
  database_name TEXT,
  parent_id INTEGER,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entity_sources_by_key ON entity_sources (key_id);

-- The merge of entity_sources, maintained incrementally (mergedEntities.ts).
CREATE TABLE IF NOT EXISTS entities (
  key_id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  name TEXT NOT NULL,
  name_folded TEXT NOT NULL,
  schema_name TEXT,
  database_name TEXT,
  parent_id INTEGER,
  file_id INTEGER NOT NULL,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL,
  defined INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (name_folded);
CREATE INDEX IF NOT EXISTS entities_by_kind ON entities (kind);
CREATE INDEX IF NOT EXISTS entities_by_parent ON entities (parent_id);

CREATE TABLE IF NOT EXISTS relationships (
  id INTEGER PRIMARY KEY,
  type INTEGER NOT NULL,
  from_id INTEGER NOT NULL,
  to_id INTEGER NOT NULL,
  file_id INTEGER NOT NULL,
  start_line INTEGER NOT NULL,
  start_char INTEGER NOT NULL,
  end_line INTEGER NOT NULL,
  end_char INTEGER NOT NULL,
  confidence INTEGER NOT NULL,
  operation TEXT
);
${RELATIONSHIP_INDEXES_SQL}

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
