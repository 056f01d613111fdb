/**
 * The store's tables. Bump SCHEMA_VERSION on any change: an older store is
 * moved aside and rebuilt by re-ingesting, never migrated, because the whole
 * store is derivable from the workspace.
 *
 * Layout, chosen for write speed (see scripts/bench/storeBench.ts):
 * - each file's whole contribution (entity sources and relationships) is one
 *   packed row in `contributions` (packedContribution.ts), not ~250 rows;
 * - every entity key is interned once in `keys`, whose row also holds the
 *   key's postings: which files mention it, and how (postings.ts, roles.ts).
 *   Queries follow the postings to the few files worth decoding;
 * - `entities` keeps the merged entity per key, maintained incrementally,
 *   for name search and tree views; `tallies` keeps the counts per kind and
 *   per relationship type, so counting needs no scan;
 * - kinds, relationship types and confidences are small codes (codes.ts).
 */
export const SCHEMA_VERSION = 4;

/** Tagged in `application_id` so a stranger's SQLite file is never mistaken for a store. */
export const APPLICATION_ID = 0x53514c47; // 'SQLG'

/** Tally ids: an entity kind's code, or this plus a relationship type's code. */
export const RELATIONSHIP_TALLY = 100;

/**
 * Indexes a first load into an empty store can do without: name search, tree
 * views and children use the entity indexes, and key lookups by text the key
 * index, but while the store holds only keys this session interned, the key
 * cache answers those. So a first load drops them and builds them once, in
 * bulk, when a query or a cache miss needs them (graphStore.ts). Opening a
 * store runs SCHEMA_SQL, so a store closed or crashed without them gets them
 * back.
 */
export const DEFERRED_INDEXES = ['keys_by_text', 'entities_by_name', 'entities_by_kind', 'entities_by_parent'];
export const DEFERRED_INDEXES_SQL = `
CREATE UNIQUE INDEX IF NOT EXISTS keys_by_text ON keys (key);
CREATE INDEX IF NOT EXISTS entities_by_name ON entities (name_folded);
CREATE INDEX IF NOT EXISTS entities_by_kind ON entities (kind);
CREATE INDEX IF NOT EXISTS entities_by_parent ON entities (parent_id);`;
export const DROP_DEFERRED_INDEXES_SQL = DEFERRED_INDEXES.map((name) => `DROP INDEX IF EXISTS ${name};`).join(' ');

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;

-- postings: (file id, role bits) pairs as little-endian 32-bit words; NULL when no file mentions the key.
-- Unique by key text through keys_by_text (deferred on a first load, see above).
CREATE TABLE IF NOT EXISTS keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  postings BLOB
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
  updated_at INTEGER NOT NULL
);

-- One row per file: its entity sources and relationships, packed (packedContribution.ts).
CREATE TABLE IF NOT EXISTS contributions (
  file_id INTEGER PRIMARY KEY,
  packed BLOB NOT NULL,
  strings TEXT NOT NULL
);

-- The merge of every file's entity sources, maintained incrementally (mergedEntities.ts).
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
${DEFERRED_INDEXES_SQL}

-- Merged entities per kind (id = kind code) and relationships per type (id = ${RELATIONSHIP_TALLY} + type code).
CREATE TABLE IF NOT EXISTS tallies (
  id INTEGER PRIMARY KEY,
  n INTEGER NOT NULL
);

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
