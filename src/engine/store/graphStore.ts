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
import type { Range } from '../model/range.ts';
import { fileKey } from '../extract/keys.ts';
import { CONFIDENCE, codeOf, KIND, nameOf, TYPE } from './codes.ts';
import { KeyTable } from './keyTable.ts';
import { walkLineage } from './lineage.ts';
import { MergedEntities } from './mergedEntities.ts';
import { openDatabase, type OpenOptions } from './openDatabase.ts';
import { compareContributions, entityOf, rangeOf, relationshipOf, storedFileOf } from './rows.ts';
import type { EntityRow, FileRow, RelationshipRow } from './rows.ts';
import { DROP_RELATIONSHIP_INDEXES_SQL, RELATIONSHIP_INDEXES_SQL } from './schema.ts';
import { prepareStatements } from './statements.ts';
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

/** Greater than any code point, so `[p, p + PREFIX_END)` holds every string starting with p. */
const PREFIX_END = '\u{10FFFF}';
/** Orphaned keys are pruned once this many rows were dropped and the drops outnumber the live rows. */
const PRUNE_MIN_CHURN = 100_000;

/** Where a stored file's rows are: one contiguous rowid range per table. */
interface FileSlot {
  id: number;
  first_source: number;
  entity_count: number;
  first_relationship: number;
  relationship_count: number;
}

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
  private readonly keys: KeyTable;
  private readonly merged: MergedEntities;
  private depth = 0;
  /** The pending-version counter and dropped-row count, kept in memory during a transaction. */
  private version = 0;
  private churn = 0;
  /** True while a first load runs without the relationship indexes. */
  private bulkLoading = false;

  constructor(db: Database.Database, path: string, recovery: StoreRecovery | undefined) {
    this.db = db;
    this.path = path;
    this.recovery = recovery;
    db.function('sqlgraph_fold', { deterministic: true }, (name: unknown) => foldName(String(name)));
    this.sql = prepareStatements(db);
    this.keys = new KeyTable(db);
    this.merged = new MergedEntities(db);
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
        if (outermost) this.begin();
        const result = fn();
        if (outermost) this.commit();
        return result;
      })();
    } catch (error) {
      // A rolled-back insert may have interned keys or added sources that are gone now.
      this.keys.forget();
      if (outermost) this.merged.reset();
      else this.merged.abandon();
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
      const slot = this.slotOf(path);
      if (!slot) return false;
      this.dropRows(slot);
      this.sql.deleteFile.run(slot.id);
      this.markPending(path);
      return true;
    });
  }

  /**
   * Moves a file's contribution to a new path without re-extraction,
   * rewriting the `file:` actor key. A contribution already at `to` is
   * replaced. Returns false when `from` is unknown.
   */
  renameFile(from: string, to: string): boolean {
    if (from === to) return this.slotOf(from) !== undefined;
    return this.transaction(() => {
      const slot = this.slotOf(from);
      if (!slot) return false;
      const s = this.sql;
      const replaced = this.slotOf(to);
      if (replaced) {
        this.dropRows(replaced);
        s.deleteFile.run(replaced.id);
      }
      s.deleteSlice.run(to);
      s.moveSlice.run(to, from);
      const sources: [number, number] = [slot.first_source, slot.first_source + slot.entity_count];
      const relationships: [number, number] = [slot.first_relationship, slot.first_relationship + slot.relationship_count];
      // The path is a tie-breaker of the merged view, so every key the file contributes may change winner.
      for (const key of s.keysInRange.all(...sources) as number[]) this.merged.invalidate(key);
      const oldActor = this.keys.find(fileKey(from));
      if (oldActor !== undefined) {
        const newActor = this.keys.idOf(fileKey(to));
        this.merged.invalidate(oldActor);
        this.merged.invalidate(newActor);
        s.renameSourceKey.run(newActor, ...sources, oldActor);
        s.renameSourceParent.run(newActor, ...sources, oldActor);
        s.renameRelationshipFrom.run(newActor, ...relationships, oldActor);
        s.renameRelationshipTo.run(newActor, ...relationships, oldActor);
      }
      s.moveFile.run(to, Date.now(), slot.id);
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
      const paths = this.sql.allPaths.all() as string[];
      this.db.exec('DELETE FROM relationships; DELETE FROM entity_sources; DELETE FROM entities; DELETE FROM files; DELETE FROM catalog_slices; DELETE FROM keys;');
      this.keys.forget();
      this.merged.reset();
      this.churn = 0;
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
    for (const r of this.sql.entityCounts.all() as Array<{ kind: number; n: number }>) entities[nameOf(KIND, r.kind)] = r.n;
    const relationships: StoreCounts['relationships'] = {};
    for (const r of this.sql.relationshipCounts.all() as Array<{ type: number; n: number }>) relationships[nameOf(TYPE, r.type)] = r.n;
    return { entities, relationships, files: this.sql.fileCount.get() as number };
  }

  entity(key: string): Entity | undefined {
    const id = this.keys.find(key);
    const row = id === undefined ? undefined : (this.sql.entity.get(id) as EntityRow | undefined);
    return row && entityOf(row);
  }

  /** Case-insensitive; exact matches first, then (unless `match: 'exact'`) names with the prefix. */
  findEntities(name: string, options: FindOptions = {}): Entity[] {
    const folded = foldName(name);
    const kind = options.kind === undefined ? null : codeOf(KIND, options.kind, 'entity kind');
    const limit = options.limit ?? 50;
    const rows = (options.match ?? 'prefix') === 'prefix'
      ? this.sql.findPrefix.all({ folded, end: folded + PREFIX_END, kind, limit })
      : this.sql.findExact.all({ folded, kind, limit });
    return (rows as EntityRow[]).map(entityOf);
  }

  /** Entities of one kind, by key; for tree views. */
  entitiesOfKind(kind: EntityKind, limit = 10_000, offset = 0): Entity[] {
    return (this.sql.entitiesOfKind.all(codeOf(KIND, kind, 'entity kind'), limit, offset) as EntityRow[]).map(entityOf);
  }

  /** Entities whose parent is `key` (a relation's columns, indexes, triggers). */
  childrenOf(key: string): Entity[] {
    const id = this.keys.find(key);
    return id === undefined ? [] : (this.sql.childrenOf.all(id) as EntityRow[]).map(entityOf);
  }

  /** The winning definition, or undefined when no file defines the key. */
  definitionOf(key: string): Location | undefined {
    return this.definitionsOf(key)[0];
  }

  /** Every file that defines the key, in merge order. */
  definitionsOf(key: string): Location[] {
    const id = this.keys.find(key);
    if (id === undefined) return [];
    const rows = this.sql.definitions.all(id) as Array<{ file: string } & EntityRow>;
    return rows.map((r) => ({ file: r.file, range: rangeOf(r) }));
  }

  readersOf(key: string): Relationship[] {
    return this.incomingOfType(key, 'READS_FROM');
  }

  writersOf(key: string): Relationship[] {
    return this.incomingOfType(key, 'WRITES_TO');
  }

  lineage(key: string, options: LineageOptions): LineageResult {
    this.indexed();
    const edges = (statement: Database.Statement, k: string): Relationship[] => {
      const id = this.keys.find(k);
      return id === undefined ? [] : (statement.all(id) as RelationshipRow[]).map(relationshipOf);
    };
    return walkLineage(
      {
        outgoing: (k) => edges(this.sql.outgoing, k),
        incoming: (k) => edges(this.sql.incoming, k),
        entity: (k) => this.entity(k),
      },
      key,
      options,
    );
  }

  /** The file's stored fragment (entities by key, relationships in applied order). */
  fileContribution(path: string): GraphFragment | undefined {
    const slot = this.slotOf(path);
    if (!slot) return undefined;
    const sources = this.sql.sourcesInRange.all(path, slot.first_source, slot.first_source + slot.entity_count) as EntityRow[];
    const relationships = this.sql.relationshipsInRange.all(slot.first_relationship, slot.first_relationship + slot.relationship_count) as RelationshipRow[];
    return { entities: sources.map(entityOf), relationships: relationships.map(relationshipOf) };
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

  /** Content hash of every stored file: an unchanged file is skipped without reading anything else. */
  fileHashes(): Map<string, string> {
    const rows = this.sql.fileHashes.all() as { path: string; content_hash: string }[];
    return new Map(rows.map((r) => [r.path, r.content_hash]));
  }

  /** Files that contribute any of these entity keys (defining or referencing them). */
  filesContributing(keys: Iterable<string>): string[] {
    const files = new Set<string>();
    for (const key of keys) {
      const id = this.keys.find(key);
      if (id !== undefined) for (const file of this.sql.filesOfKey.all(id) as string[]) files.add(file);
    }
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

  // ---- internals -----------------------------------------------------------

  private begin(): void {
    if (!this.bulkLoading && this.sql.anyRelationship.get() === undefined) {
      // Cheaper to build once at the end than to grow entry by entry; the drop commits with the first batch.
      this.db.exec(DROP_RELATIONSHIP_INDEXES_SQL);
      this.bulkLoading = true;
    }
    this.version = this.sql.version.get() as number;
    this.churn = (this.sql.churn.get() as number | undefined) ?? 0;
    this.merged.begin();
  }

  private commit(): void {
    this.merged.flush(foldName);
    this.sql.setVersion.run(this.version);
    if (this.churn >= PRUNE_MIN_CHURN && this.churn > (this.sql.liveRows.get() as number)) {
      this.sql.pruneKeys.run();
      this.keys.forget();
      this.churn = 0;
    }
    this.sql.setChurn.run(this.churn);
  }

  private slotOf(path: string): FileSlot | undefined {
    return this.sql.fileSlot.get(path) as FileSlot | undefined;
  }

  private replaceFile(path: string, fragment: GraphFragment, meta: FileMeta): void {
    const s = this.sql;
    const keys = this.keys;
    const slot = this.slotOf(path);
    if (slot) this.dropRows(slot);
    const entities = distinctByKey(fragment.entities);
    const relationships = distinctRelationships(fragment.relationships);
    const fileMeta = [meta.contentHash, meta.dialect, meta.statements, meta.parsed, meta.fallback, JSON.stringify(meta.diagnostics),
      entities.length, relationships.length, Date.now()] as const;
    let fileId: number;
    if (slot) {
      fileId = slot.id;
      s.updateFile.run(...fileMeta, fileId);
    } else {
      fileId = Number(s.insertFile.run(path, ...fileMeta).lastInsertRowid);
    }

    let firstSource = 0;
    let lastSource = -1;
    for (const e of entities) {
      const keyId = keys.idOf(e.key);
      const parentId = e.parent === undefined ? null : keys.idOf(e.parent);
      const kind = codeOf(KIND, e.kind, 'entity kind');
      const r = e.range;
      lastSource = Number(s.insertSource.run(keyId, fileId, e.defined ? 1 : 0, kind, e.name, e.schema ?? null, e.database ?? null, parentId,
        r.start.line, r.start.character, r.end.line, r.end.character).lastInsertRowid);
      if (firstSource === 0) firstSource = lastSource;
      this.merged.added(keyId, { fileId, path, kind, parentId, entity: e });
    }
    let firstRelationship = 0;
    let lastRelationship = -1;
    for (const rel of relationships) {
      const r = rel.range;
      lastRelationship = Number(s.insertRelationship.run(codeOf(TYPE, rel.type, 'relationship type'), keys.idOf(rel.from), keys.idOf(rel.to), fileId,
        r.start.line, r.start.character, r.end.line, r.end.character, codeOf(CONFIDENCE, rel.confidence, 'confidence'), rel.operation ?? null).lastInsertRowid);
      if (firstRelationship === 0) firstRelationship = lastRelationship;
    }
    // Rowids are allocated as max + 1, so a file's rows are one range; check rather than assume.
    if (lastSource - firstSource !== entities.length - 1 || lastRelationship - firstRelationship !== relationships.length - 1) {
      throw new Error(`Store invariant broken: the rows of ${path} are not contiguous.`);
    }
    s.setRanges.run(firstSource, firstRelationship, fileId);
    this.markPending(path);
  }

  /** Deletes a file's entity sources and relationships (not its files row). */
  private dropRows(slot: FileSlot): void {
    if (slot.entity_count > 0) {
      const end = slot.first_source + slot.entity_count;
      for (const keyId of this.sql.deleteSources.all(slot.first_source, end) as number[]) this.merged.removed(keyId, slot.id);
    }
    if (slot.relationship_count > 0) this.sql.deleteRelationships.run(slot.first_relationship, slot.first_relationship + slot.relationship_count);
    this.churn += slot.entity_count + slot.relationship_count;
  }

  /** Builds the relationship indexes a bulk load deferred, before the first query that needs them. */
  private indexed(): void {
    if (!this.bulkLoading) return;
    this.transaction(() => this.db.exec(RELATIONSHIP_INDEXES_SQL));
    this.bulkLoading = false;
  }

  private incomingOfType(key: string, type: RelationshipType): Relationship[] {
    this.indexed();
    const id = this.keys.find(key);
    if (id === undefined) return [];
    return (this.sql.incomingOfType.all(id, codeOf(TYPE, type, 'relationship type')) as RelationshipRow[]).map(relationshipOf);
  }

  private markPending(path: string): void {
    this.sql.markPending.run(path, ++this.version);
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
  return byKey.size === entities.length ? (entities as Entity[]) : [...byKey.values()];
}

/** One relationship per (type, from, to, range, operation); a parsed (high) edge beats a fallback (low) one. */
function distinctRelationships(relationships: readonly Relationship[]): readonly Relationship[] {
  const byId = new Map<string, Relationship>();
  for (const r of relationships) {
    const id = `${r.type}\u0000${r.from}\u0000${r.to}\u0000${rangeId(r.range)}\u0000${r.operation ?? ''}`;
    const seen = byId.get(id);
    if (!seen || (seen.confidence === 'low' && r.confidence === 'high')) byId.set(id, r);
  }
  return byId.size === relationships.length ? relationships : [...byId.values()];
}

function rangeId(r: Range): string {
  return `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
}
