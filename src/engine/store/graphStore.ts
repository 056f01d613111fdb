/**
 * The embedded graph store: SQL Graph's source of truth. Each file's
 * extraction is stored with provenance, so re-extracting one file replaces
 * exactly its contribution; the merged entity view keeps one row per key,
 * chosen from the contributions (a definition beats a reference; ties go to
 * the smaller file path, then the earlier range). Every change marks the
 * file pending for the Neo4j sync until it is acknowledged.
 */
import type Database from 'better-sqlite3';
import type { Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../model/graph.ts';
import { relationshipId } from '../extract/fragmentBuilder.ts';
import { fileKey } from '../extract/keys.ts';
import { walkLineage } from './lineage.ts';
import { openDatabase, type OpenOptions } from './openDatabase.ts';
import { compareContributions, entityOf, rangeOf, relationshipOf, storedFileOf } from './rows.ts';
import type { EntityRow, FileRow, RelationshipRow } from './rows.ts';
import type {
  FileMeta,
  FileUpdate,
  FindOptions,
  LineageOptions,
  LineageResult,
  Location,
  PendingFile,
  StoreCounts,
  StoreRecovery,
  StoredFile,
} from './types.ts';

const RANGE_ORDER = 'start_line, start_char, end_line, end_char';
const RELATIONSHIP_ORDER = `type, from_key, to_key, file, ${RANGE_ORDER}, operation, confidence`;
const ENTITY_COLUMNS = `key, kind, name, schema_name, database_name, parent, file, ${RANGE_ORDER}, defined`;
const RELATIONSHIP_COLUMNS = `type, from_key, to_key, file, ${RANGE_ORDER}, confidence, operation`;
/** Greater than any code point, so `[p, p + PREFIX_END)` holds every string starting with p. */
const PREFIX_END = '\u{10FFFF}';

export function openGraphStore(path: string, options?: OpenOptions): GraphStore {
  const { db, recovery } = openDatabase(path, options);
  return new GraphStore(db, path, recovery);
}

export class GraphStore {
  readonly path: string;
  /** Set when the file on disk was unusable and an empty store replaced it: re-ingest everything. */
  readonly recovery: StoreRecovery | undefined;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly cached = new Map<string, Database.Statement>();
  /** Keys whose merged row must be recomputed before the outermost transaction commits. */
  private readonly dirty = new Set<string>();
  private depth = 0;

  constructor(db: Database.Database, path: string, recovery: StoreRecovery | undefined) {
    this.db = db;
    this.path = path;
    this.recovery = recovery;
    db.function('sqlgraph_fold', { deterministic: true }, (name: unknown) => foldName(String(name)));
    this.sql = prepareStatements(db);
  }

  get recovered(): boolean {
    return this.recovery !== undefined;
  }

  /**
   * Runs `fn` in one transaction (nested calls become savepoints). Merged
   * entities are brought up to date once, when the outermost call ends.
   */
  transaction<T>(fn: () => T): T {
    const outermost = this.depth === 0;
    this.depth++;
    try {
      return this.db.transaction(() => {
        const result = fn();
        if (outermost) this.refreshMerged();
        return result;
      })();
    } catch (error) {
      if (outermost) this.dirty.clear();
      throw error;
    } finally {
      this.depth--;
    }
  }

  // ---- changes ---------------------------------------------------------

  /** Replaces the file's whole contribution atomically. */
  applyFile(path: string, fragment: GraphFragment, meta: FileMeta): void {
    this.transaction(() => this.replaceFile(path, fragment, meta));
  }

  /** Applies many files in one transaction: the pipeline commits per batch. */
  applyFiles(updates: readonly FileUpdate[]): void {
    this.transaction(() => {
      for (const u of updates) this.replaceFile(u.path, u.fragment, u.meta);
    });
  }

  /** Returns false when the store did not know the file. */
  removeFile(path: string): boolean {
    return this.transaction(() => {
      this.sql.deleteSlice.run(path);
      if (!this.sql.fileExists.get(path)) return false;
      this.dropContribution(path);
      this.sql.deleteFile.run(path);
      this.markPending(path);
      return true;
    });
  }

  /**
   * Moves a file's contribution to a new path without re-extraction,
   * rewriting provenance and the `file:` actor key. A contribution already at
   * `to` is replaced. Returns false when `from` is unknown.
   */
  renameFile(from: string, to: string): boolean {
    if (from === to) return this.sql.fileExists.get(from) !== undefined;
    return this.transaction(() => {
      if (!this.sql.fileExists.get(from)) return false;
      if (this.sql.fileExists.get(to)) {
        this.dropContribution(to);
        this.sql.deleteFile.run(to);
      }
      this.sql.deleteSlice.run(to);
      this.sql.moveSlice.run(to, from);
      const oldActor = fileKey(from);
      const newActor = fileKey(to);
      // The file path is a tie-breaker of the merged view, so every key it contributes may change winner.
      for (const key of this.sql.keysOfFile.all(from) as string[]) this.dirty.add(key);
      this.dirty.add(oldActor).add(newActor);
      const s = this.sql;
      s.moveSources.run(to, from);
      s.renameSourceKey.run(newActor, to, oldActor);
      s.renameSourceParent.run(newActor, to, oldActor);
      s.moveRelationships.run(to, from);
      s.renameRelationshipFrom.run(newActor, to, oldActor);
      s.renameRelationshipTo.run(newActor, to, oldActor);
      s.moveFile.run(to, Date.now(), from);
      this.markPending(from);
      this.markPending(to);
      return true;
    });
  }

  /**
   * Empties the store. Every file it held becomes a pending tombstone, so the
   * sync still learns that they are gone.
   */
  clear(): void {
    this.transaction(() => {
      const paths = this.db.prepare('SELECT path FROM files').pluck().all() as string[];
      this.db.exec('DELETE FROM relationships; DELETE FROM entity_sources; DELETE FROM entities; DELETE FROM files; DELETE FROM catalog_slices;');
      this.dirty.clear();
      for (const path of paths) this.markPending(path);
    });
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- the Neo4j sync seam ----------------------------------------------

  /** Oldest changes first. */
  pendingFiles(limit = 1000): PendingFile[] {
    const rows = this.sql.pending.all(limit) as Array<{ path: string; version: number; removed: number }>;
    return rows.map((r) => ({ path: r.path, version: r.version, removed: r.removed === 1 }));
  }

  /** Clears the mark only if nothing changed the file since `version` was read. */
  acknowledge(path: string, version: number): boolean {
    return this.sql.acknowledge.run(path, version).changes > 0;
  }

  pendingCount(): number {
    return this.sql.pendingCount.get() as number;
  }

  // ---- queries -----------------------------------------------------------

  counts(): StoreCounts {
    const entities: StoreCounts['entities'] = {};
    for (const r of this.sql.entityCounts.all() as Array<{ kind: EntityKind; n: number }>) entities[r.kind] = r.n;
    const relationships: StoreCounts['relationships'] = {};
    for (const r of this.sql.relationshipCounts.all() as Array<{ type: RelationshipType; n: number }>) relationships[r.type] = r.n;
    return { entities, relationships, files: this.sql.fileCount.get() as number };
  }

  entity(key: string): Entity | undefined {
    const row = this.sql.entity.get(key) as EntityRow | undefined;
    return row && entityOf(row);
  }

  /** Case-insensitive; exact matches first, then (unless `match: 'exact'`) names with the prefix. */
  findEntities(name: string, options: FindOptions = {}): Entity[] {
    const folded = foldName(name);
    const prefix = (options.match ?? 'prefix') === 'prefix';
    const where = [prefix ? 'name_folded >= @folded AND name_folded < @end' : 'name_folded = @folded'];
    if (options.kind) where.push('kind = @kind');
    const statement = this.statement(
      `SELECT ${ENTITY_COLUMNS} FROM entities WHERE ${where.join(' AND ')} ORDER BY name_folded <> @folded, name_folded, key LIMIT @limit`,
    );
    const rows = statement.all({ folded, end: folded + PREFIX_END, kind: options.kind ?? null, limit: options.limit ?? 50 }) as EntityRow[];
    return rows.map(entityOf);
  }

  /** Entities of one kind, by key; for tree views. */
  entitiesOfKind(kind: EntityKind, limit = 10_000, offset = 0): Entity[] {
    return (this.sql.entitiesOfKind.all(kind, limit, offset) as EntityRow[]).map(entityOf);
  }

  /** Entities whose parent is `key` (a relation's columns, indexes, triggers). */
  childrenOf(key: string): Entity[] {
    return (this.sql.childrenOf.all(key) as EntityRow[]).map(entityOf);
  }

  /** The winning definition, or undefined when no file defines the key. */
  definitionOf(key: string): Location | undefined {
    return this.definitionsOf(key)[0];
  }

  /** Every file that defines the key, in merge order. */
  definitionsOf(key: string): Location[] {
    const rows = this.sql.definitions.all(key) as Array<{ file: string } & EntityRow>;
    return rows.map((r) => ({ file: r.file, range: rangeOf(r) }));
  }

  readersOf(key: string): Relationship[] {
    return (this.sql.incomingOfType.all(key, 'READS_FROM') as RelationshipRow[]).map(relationshipOf);
  }

  writersOf(key: string): Relationship[] {
    return (this.sql.incomingOfType.all(key, 'WRITES_TO') as RelationshipRow[]).map(relationshipOf);
  }

  lineage(key: string, options: LineageOptions): LineageResult {
    return walkLineage(
      {
        outgoing: (k) => (this.sql.outgoing.all(k) as RelationshipRow[]).map(relationshipOf),
        incoming: (k) => (this.sql.incoming.all(k) as RelationshipRow[]).map(relationshipOf),
        entity: (k) => this.entity(k),
      },
      key,
      options,
    );
  }

  /** The file's stored fragment (entities by key, relationships in applied order). */
  fileContribution(path: string): GraphFragment | undefined {
    if (!this.sql.fileExists.get(path)) return undefined;
    const entities = (this.sql.sourcesOfFile.all(path) as EntityRow[]).map(entityOf);
    const relationships = (this.sql.relationshipsOfFile.all(path) as RelationshipRow[]).map(relationshipOf);
    return { entities, relationships };
  }

  /** All merged entities by key and all relationships in a total order. */
  exportAll(): GraphFragment {
    const entities = (this.sql.allEntities.all() as EntityRow[]).map(entityOf);
    const relationships = (this.sql.allRelationships.all() as RelationshipRow[]).map(relationshipOf);
    return { entities, relationships };
  }

  files(): StoredFile[] {
    return (this.sql.allFiles.all() as FileRow[]).map(storedFileOf);
  }

  file(path: string): StoredFile | undefined {
    const row = this.sql.file.get(path) as FileRow | undefined;
    return row && storedFileOf(row);
  }

  // ---- internals -----------------------------------------------------------

  private replaceFile(path: string, fragment: GraphFragment, meta: FileMeta): void {
    const s = this.sql;
    this.dropContribution(path);
    const entities = distinctByKey(fragment.entities);
    for (const e of entities) {
      s.insertSource.run(e.key, path, e.defined ? 1 : 0, e.kind, e.name, e.schema ?? null, e.database ?? null, e.parent ?? null,
        e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
      this.dirty.add(e.key);
    }
    const relationships = distinctRelationships(fragment.relationships);
    for (const r of relationships) {
      s.insertRelationship.run(r.type, r.from, r.to, path, r.range.start.line, r.range.start.character, r.range.end.line,
        r.range.end.character, r.confidence, r.operation ?? null);
    }
    s.upsertFile.run(path, meta.contentHash, meta.dialect, meta.statements, meta.parsed, meta.fallback, JSON.stringify(meta.diagnostics),
      entities.length, relationships.length, Date.now());
    this.markPending(path);
  }

  private dropContribution(path: string): void {
    for (const key of this.sql.deleteSourcesOfFile.all(path) as string[]) this.dirty.add(key);
    this.sql.deleteRelationshipsOfFile.run(path);
  }

  /** Content hash of every stored file: an unchanged file is skipped without reading anything else. */
  fileHashes(): Map<string, string> {
    const rows = this.sql.fileHashes.all() as { path: string; content_hash: string }[];
    return new Map(rows.map((r) => [r.path, r.content_hash]));
  }

  /** Files that contribute any of these entity keys (defining or referencing them). */
  filesContributing(keys: Iterable<string>): string[] {
    const files = new Set<string>();
    for (const key of keys) for (const file of this.sql.filesOfKey.all(key) as string[]) files.add(file);
    return [...files].sort();
  }

  catalogSlices(): { path: string; signature: string; json: string }[] {
    return this.sql.allSlices.all() as { path: string; signature: string; json: string }[];
  }

  /** Records a file's catalog slice, or forgets it (undefined) when the file has no DDL. */
  setCatalogSlice(path: string, slice: { signature: string; json: string } | undefined): void {
    if (slice) this.sql.upsertSlice.run(path, slice.signature, slice.json);
    else this.sql.deleteSlice.run(path);
  }

  private refreshMerged(): void {
    for (const key of this.dirty) {
      if (this.sql.mergeEntity.run(key).changes === 0) this.sql.deleteEntity.run(key);
    }
    this.dirty.clear();
  }

  private markPending(path: string): void {
    const version = this.sql.nextVersion.get() as number;
    this.sql.markPending.run(path, version);
  }

  private statement(source: string): Database.Statement {
    let statement = this.cached.get(source);
    if (!statement) {
      statement = this.db.prepare(source);
      this.cached.set(source, statement);
    }
    return statement;
  }
}

/** Case folding for name search; Unicode-aware, unlike SQLite's NOCASE. */
function foldName(name: string): string {
  return name.toLowerCase();
}

/** One contribution per key, chosen as the merged view would choose among files. */
function distinctByKey(entities: readonly Entity[]): Entity[] {
  const byKey = new Map<string, Entity>();
  for (const e of entities) {
    const seen = byKey.get(e.key);
    if (!seen || compareContributions(e, seen) < 0) byKey.set(e.key, e);
  }
  return [...byKey.values()];
}

/** One relationship per (type, from, to, range, operation); a parsed (high) edge beats a fallback (low) one. */
function distinctRelationships(relationships: readonly Relationship[]): Relationship[] {
  const byId = new Map<string, Relationship>();
  for (const r of relationships) {
    const id = relationshipId(r.type, r.from, r.to, '', r.range, r.operation);
    const seen = byId.get(id);
    if (!seen || (seen.confidence === 'low' && r.confidence === 'high')) byId.set(id, r);
  }
  return byId.size === relationships.length ? [...relationships] : [...byId.values()];
}

function prepareStatements(db: Database.Database) {
  const p = (source: string) => db.prepare(source);
  return {
    fileExists: p('SELECT 1 FROM files WHERE path = ?'),
    fileHashes: p('SELECT path, content_hash FROM files'),
    filesOfKey: p('SELECT file FROM entity_sources WHERE entity_key = ?').pluck(),
    allSlices: p('SELECT path, signature, json FROM catalog_slices ORDER BY path'),
    upsertSlice: p('INSERT INTO catalog_slices (path, signature, json) VALUES (?, ?, ?) ON CONFLICT (path) DO UPDATE SET signature = excluded.signature, json = excluded.json'),
    deleteSlice: p('DELETE FROM catalog_slices WHERE path = ?'),
    moveSlice: p('UPDATE catalog_slices SET path = ? WHERE path = ?'),
    file: p('SELECT * FROM files WHERE path = ?'),
    allFiles: p('SELECT * FROM files ORDER BY path'),
    fileCount: p('SELECT count(*) FROM files').pluck(),
    upsertFile: p(`INSERT INTO files (path, content_hash, dialect, statements, parsed, fallback, diagnostics_json, entity_count, relationship_count, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (path) DO UPDATE SET content_hash = excluded.content_hash, dialect = excluded.dialect, statements = excluded.statements,
        parsed = excluded.parsed, fallback = excluded.fallback, diagnostics_json = excluded.diagnostics_json,
        entity_count = excluded.entity_count, relationship_count = excluded.relationship_count, updated_at = excluded.updated_at`),
    deleteFile: p('DELETE FROM files WHERE path = ?'),
    moveFile: p('UPDATE files SET path = ?, updated_at = ? WHERE path = ?'),

    insertSource: p(`INSERT INTO entity_sources (entity_key, file, defined, kind, name, schema_name, database_name, parent, ${RANGE_ORDER})
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deleteSourcesOfFile: p('DELETE FROM entity_sources WHERE file = ? RETURNING entity_key').pluck(),
    keysOfFile: p('SELECT entity_key FROM entity_sources WHERE file = ?').pluck(),
    sourcesOfFile: p(`SELECT entity_key AS key, kind, name, schema_name, database_name, parent, file, ${RANGE_ORDER}, defined
      FROM entity_sources WHERE file = ? ORDER BY entity_key`),
    moveSources: p('UPDATE entity_sources SET file = ? WHERE file = ?'),
    renameSourceKey: p('UPDATE entity_sources SET entity_key = ? WHERE file = ? AND entity_key = ?'),
    renameSourceParent: p('UPDATE entity_sources SET parent = ? WHERE file = ? AND parent = ?'),
    definitions: p(`SELECT file, ${RANGE_ORDER} FROM entity_sources WHERE entity_key = ? AND defined = 1 ORDER BY file, ${RANGE_ORDER}`),

    // The merge rule lives here, in one ORDER BY.
    mergeEntity: p(`INSERT OR REPLACE INTO entities (key, kind, name, name_folded, schema_name, database_name, parent, file, ${RANGE_ORDER}, defined)
      SELECT entity_key, kind, name, sqlgraph_fold(name), schema_name, database_name, parent, file, ${RANGE_ORDER}, defined
      FROM entity_sources WHERE entity_key = ? ORDER BY defined DESC, file, ${RANGE_ORDER} LIMIT 1`),
    deleteEntity: p('DELETE FROM entities WHERE key = ?'),
    entity: p(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE key = ?`),
    entitiesOfKind: p(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE kind = ? ORDER BY key LIMIT ? OFFSET ?`),
    childrenOf: p(`SELECT ${ENTITY_COLUMNS} FROM entities WHERE parent = ? ORDER BY key`),
    allEntities: p(`SELECT ${ENTITY_COLUMNS} FROM entities ORDER BY key`),
    entityCounts: p('SELECT kind, count(*) AS n FROM entities GROUP BY kind ORDER BY kind'),

    insertRelationship: p(`INSERT INTO relationships (${RELATIONSHIP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    deleteRelationshipsOfFile: p('DELETE FROM relationships WHERE file = ?'),
    relationshipsOfFile: p(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE file = ? ORDER BY id`),
    moveRelationships: p('UPDATE relationships SET file = ? WHERE file = ?'),
    renameRelationshipFrom: p('UPDATE relationships SET from_key = ? WHERE file = ? AND from_key = ?'),
    renameRelationshipTo: p('UPDATE relationships SET to_key = ? WHERE file = ? AND to_key = ?'),
    incomingOfType: p(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE to_key = ? AND type = ? ORDER BY file, ${RANGE_ORDER}, from_key`),
    outgoing: p(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE from_key = ? ORDER BY ${RELATIONSHIP_ORDER}`),
    incoming: p(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships WHERE to_key = ? ORDER BY ${RELATIONSHIP_ORDER}`),
    allRelationships: p(`SELECT ${RELATIONSHIP_COLUMNS} FROM relationships ORDER BY ${RELATIONSHIP_ORDER}`),
    relationshipCounts: p('SELECT type, count(*) AS n FROM relationships GROUP BY type ORDER BY type'),

    nextVersion: p("UPDATE meta SET value = value + 1 WHERE key = 'version' RETURNING value").pluck(),
    markPending: p('INSERT INTO pending (path, version) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET version = excluded.version'),
    acknowledge: p('DELETE FROM pending WHERE path = ? AND version = ?'),
    pending: p(`SELECT p.path, p.version, (f.path IS NULL) AS removed FROM pending p LEFT JOIN files f ON f.path = p.path
      ORDER BY p.version LIMIT ?`),
    pendingCount: p('SELECT count(*) FROM pending').pluck(),
  };
}
