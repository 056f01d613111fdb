/**
 * The embedded graph store: SQL Graph's source of truth. Each file's
 * extraction is stored with provenance, so re-extracting one file replaces
 * exactly its contribution; the merged entity view keeps one row per key,
 * chosen from the contributions (a definition beats a reference; ties go to
 * the smaller file path, then the earlier range). Every change marks the
 * file pending for the Neo4j sync until it is acknowledged.
 *
 * A file's contribution is one packed row (packedContribution.ts); each
 * key's postings say which files mention it and how (postings.ts), so a
 * query decodes only the files that can answer it.
 */
import type Database from 'better-sqlite3';
import type { Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../model/graph.ts';
import { fileKey } from '../extract/keys.ts';
import { codeOf, KIND, nameOf, TYPE } from './codes.ts';
import { ContributionCache } from './contributionCache.ts';
import { exportRelationships } from './exportRelationships.ts';
import { KeyTable } from './keyTable.ts';
import { DEFAULT_LINEAGE_TYPES, walkLineage } from './lineage.ts';
import { MergedEntities, type MergeContext } from './mergedEntities.ts';
import { openDatabase, type OpenOptions } from './openDatabase.ts';
import {
  E_DATABASE, E_DEFINED, E_KEY, E_KIND, E_NAME, E_PARENT, E_RANGE, E_SCHEMA, ENTITY_STRIDE, globalisePacked, packContribution, R_FROM, R_TO, R_TYPE, RELATIONSHIP_STRIDE, renameKey, repackContribution, unpackContribution,
  type DecodedContribution, type KeyInterner, type PackedContribution, type PrepackedContribution,
} from './packedContribution.ts';
import { EMPTY as NO_POSTINGS, filesWithRole, mergePostings, onlyNewFiles, postingsBlob, unpackPostings, type PostingChanges } from './postings.ts';
import { ENTITY_ROLES, ROLE } from './roles.ts';
import { compareCodePoints, compareRanges } from './ordering.ts';
import { entityAt, entityOf, entityRangeAt, relationshipAt, storedFileOf } from './rows.ts';
import type { EntityRow, FileRow } from './rows.ts';
import { DEFERRED_INDEXES, DEFERRED_INDEXES_SQL, DROP_DEFERRED_INDEXES_SQL, RELATIONSHIP_TALLY } from './schema.ts';
import { prepareStatements, type Statements } from './statements.ts';
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
/** Paths whose last written catalog slice object is remembered (see writtenSlices). */
const WRITTEN_SLICE_PATHS = 8;
/** Decoded contributions kept for repeated queries (~10 KB each for a typical file). */
const CACHED_CONTRIBUTIONS = 2048;
/** Keys per entitiesByKey query (a JSON array parameter). */
const ENTITIES_PER_QUERY = 1000;

export function openGraphStore(path: string, options?: OpenOptions): GraphStore {
  const { db, recovery } = openDatabase(path, options);
  return new GraphStore(db, path, recovery);
}

export class GraphStore {
  readonly path: string;
  /** Set when the file on disk was unusable and an empty store replaced it: re-ingest everything. */
  readonly recovery: StoreRecovery | undefined;
  private readonly db: Database.Database;
  private readonly sql: Statements;
  private readonly keys: KeyTable;
  private readonly merged: MergedEntities;
  private readonly cache = new ContributionCache(CACHED_CONTRIBUTIONS);
  /**
   * The slice object last written (or found stored) per path, for a few
   * paths: catalogSliceOf hands back the same object while a large file's
   * catalog part is unchanged, and then there is nothing to read or write.
   */
  private readonly writtenSlices = new Map<string, { signature: string; json: string }>();
  private depth = 0;
  /** The pending-version counter and dropped-row count, kept in memory during a transaction. */
  private version = 0;
  private churn = 0;
  /** True while a first load runs without the deferred indexes. */
  private bulkLoading = false;
  /** Stored files' paths by id, filled on demand and kept current. */
  private paths = new Map<number, string>();
  /** File ids only grow within a session, so an id in the pending changes never names two files. */
  private nextFileId: number | undefined;
  /**
   * Changes not yet written, collected since the last flush (the start of
   * the innermost open transaction): every transaction flushes its own
   * changes before it ends, so a rolled-back one discards exactly its own.
   */
  private readonly postingChanges: PostingChanges = new Map();
  private readonly tallyDeltas = new Map<number, number>();
  /** Paths of files removed since the last flush, which the merge may still compare against. */
  private readonly removedPaths = new Map<number, string>();
  /** Keys with a larger id were interned since the last flush: they have no postings or merged row yet. */
  private newKeysAbove = 0;
  /** Files with a larger id were added since the last flush: no stored postings name them yet. */
  private newFilesAbove = 0;
  private readonly mergeContext: MergeContext;
  /** entitiesByKey's query, prepared on first use. */
  private entitiesOfIds: Database.Statement | undefined;

  constructor(db: Database.Database, path: string, recovery: StoreRecovery | undefined) {
    this.db = db;
    this.path = path;
    this.recovery = recovery;
    this.sql = prepareStatements(db);
    this.keys = new KeyTable(db, () => this.indexed());
    this.bulkLoading = !this.indexesPresent();
    this.merged = new MergedEntities(db);
    this.mergeContext = {
      pathOf: (fileId) => this.pathOf(fileId),
      postings: (keyId) => unpackPostings(this.sql.postings.get(keyId) as Uint8Array | null | undefined),
      contribution: (fileId) => this.contribution(fileId),
      fold: foldName,
      tally: (kind, delta) => this.tally(kind, delta),
    };
  }

  get recovered(): boolean {
    return this.recovery !== undefined;
  }

  /**
   * Runs `fn` in one transaction (nested calls become savepoints). Each call
   * writes the postings, merged entities and tallies its changes touched
   * once, when it ends.
   */
  transaction<T>(fn: () => T): T {
    const outermost = this.depth === 0;
    this.depth++;
    try {
      return this.db.transaction(() => {
        if (outermost) this.begin();
        const result = fn();
        this.flush();
        if (outermost) this.commit();
        return result;
      })();
    } catch (error) {
      this.discard(outermost);
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
      for (const u of updates) this.replaceFile(u.path, u.fragment, u.meta, u.prepacked);
    });
  }

  /**
   * What applying this update computes before it writes (packing, and the
   * diff against the stored contribution), with nothing written and no key
   * interned: an ingest rehearses a large file's first edits with it.
   */
  rehearseApply(update: FileUpdate): void {
    const fileId = this.fileIdOf(update.path);
    if (fileId === undefined) return;
    const old = this.contribution(fileId);
    const packed = packContribution(update.fragment.entities, update.fragment.relationships, new KeyProbe(this.keys));
    if (diffable(old)) diffContributions(old, packed);
  }

  /** Returns false when the store did not know the file. */
  removeFile(path: string): boolean {
    return this.transaction(() => {
      this.sql.deleteSlice.run(path);
      this.writtenSlices.delete(path);
      const fileId = this.fileIdOf(path);
      if (fileId === undefined) return false;
      this.dropFile(fileId, path);
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
    if (from === to) return this.fileIdOf(from) !== undefined;
    return this.transaction(() => {
      const fileId = this.fileIdOf(from);
      if (fileId === undefined) return false;
      const s = this.sql;
      const replaced = this.fileIdOf(to);
      if (replaced !== undefined) this.dropFile(replaced, to);
      s.deleteSlice.run(to);
      s.moveSlice.run(to, from);
      this.writtenSlices.delete(from);
      this.writtenSlices.delete(to);
      const c = this.contribution(fileId);
      // The path is a tie-breaker of the merged view, so every key the file contributes may change winner.
      for (let o = 0; o < c.entities.length; o += ENTITY_STRIDE) this.merged.invalidate(c.entities[o + E_KEY]!);
      const oldActor = this.keys.find(fileKey(from));
      if (oldActor !== undefined && c.keyIds.includes(oldActor)) {
        const newActor = this.keys.idOf(fileKey(to));
        this.merged.invalidate(oldActor);
        this.merged.invalidate(newActor);
        for (let i = 0; i < c.keyIds.length; i++) this.posting(c.keyIds[i]!, fileId, 0);
        renameKey(c, oldActor, newActor);
        const packed = repackContribution(c);
        this.writeContribution(fileId, packed);
      }
      s.moveFile.run(to, Date.now(), fileId);
      this.paths.set(fileId, to);
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
      this.db.exec('DELETE FROM contributions; DELETE FROM entities; DELETE FROM files; DELETE FROM catalog_slices; DELETE FROM keys; DELETE FROM tallies;');
      this.forgetPending();
      this.forgetCaches();
      this.churn = 0;
      this.startEpoch();
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
    const relationships: StoreCounts['relationships'] = {};
    for (const [id, n] of this.sql.tallies.all() as Array<[number, number]>) {
      if (id < RELATIONSHIP_TALLY) entities[nameOf(KIND, id)] = n;
      else relationships[nameOf(TYPE, id - RELATIONSHIP_TALLY)] = n;
    }
    return { entities, relationships, files: this.sql.fileCount.get() as number };
  }

  entity(key: string): Entity | undefined {
    const id = this.keys.find(key);
    const row = id === undefined ? undefined : (this.sql.entity.get(id) as EntityRow | undefined);
    return row && entityOf(row);
  }

  /**
   * The merged entities of many keys (keys without one are left out), a
   * chunk of keys per query: an order of magnitude cheaper per key than
   * entity() for bulk readers such as the Neo4j sync.
   */
  entitiesByKey(keys: Iterable<string>): Map<string, Entity> {
    const ids: number[] = [];
    for (const key of keys) {
      const id = this.keys.find(key);
      if (id !== undefined) ids.push(id);
    }
    this.entitiesOfIds ??= this.db.prepare(`SELECT k.key AS key, e.kind, e.name, e.schema_name, e.database_name, p.key AS parent, f.path AS file,
      e.start_line, e.start_char, e.end_line, e.end_char, e.defined
      FROM json_each(?) j JOIN entities e ON e.key_id = j.value JOIN keys k ON k.id = e.key_id LEFT JOIN keys p ON p.id = e.parent_id JOIN files f ON f.id = e.file_id`);
    const entities = new Map<string, Entity>();
    for (let i = 0; i < ids.length; i += ENTITIES_PER_QUERY) {
      for (const row of this.entitiesOfIds.all(JSON.stringify(ids.slice(i, i + ENTITIES_PER_QUERY))) as EntityRow[]) entities.set(row.key, entityOf(row));
    }
    return entities;
  }

  /** Case-insensitive; exact matches first, then (unless `match: 'exact'`) names with the prefix. */
  findEntities(name: string, options: FindOptions = {}): Entity[] {
    this.indexed();
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
    this.indexed();
    return (this.sql.entitiesOfKind.all(codeOf(KIND, kind, 'entity kind'), limit, offset) as EntityRow[]).map(entityOf);
  }

  /** Entities whose parent is `key` (a relation's columns, indexes, triggers). */
  childrenOf(key: string): Entity[] {
    this.indexed();
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
    const locations: Location[] = [];
    for (const fileId of filesWithRole(this.postingsOf(id), ROLE.DEFINED)) {
      const c = this.contribution(fileId);
      const e = c.entities;
      for (let o = 0; o < e.length; o += ENTITY_STRIDE) {
        if (e[o + E_KEY] === id && e[o + E_DEFINED] === 1) locations.push({ file: this.pathOf(fileId), range: entityRangeAt(c, o) });
      }
    }
    return locations.sort((a, b) => compareCodePoints(a.file, b.file) || compareRanges(a.range, b.range));
  }

  readersOf(key: string): Relationship[] {
    return this.incomingOfType(key, 'READS_FROM');
  }

  writersOf(key: string): Relationship[] {
    return this.incomingOfType(key, 'WRITES_TO');
  }

  lineage(key: string, options: LineageOptions): LineageResult {
    let typeBits = 0;
    for (const type of options.types ?? DEFAULT_LINEAGE_TYPES) typeBits |= 1 << codeOf(TYPE, type, 'relationship type');
    return walkLineage(
      {
        outgoing: (k) => this.edges(k, R_FROM, typeBits * ROLE.FROM, typeBits).sort(compareRelationships),
        incoming: (k) => this.edges(k, R_TO, typeBits * ROLE.TO, typeBits).sort(compareRelationships),
        entities: (k) => this.entitiesOf(k),
      },
      key,
      options,
    );
  }

  /** The file's stored fragment (entities by key, relationships in applied order). */
  fileContribution(path: string): GraphFragment | undefined {
    const fileId = this.fileIdOf(path);
    if (fileId === undefined) return undefined;
    const c = this.contribution(fileId);
    const keyText = (id: number) => this.keys.textOf(id);
    const entities: Entity[] = [];
    for (let o = 0; o < c.entities.length; o += ENTITY_STRIDE) entities.push(entityAt(c, o, path, keyText));
    entities.sort((a, b) => compareCodePoints(a.key, b.key));
    const relationships: Relationship[] = [];
    for (let o = 0; o < c.relationships.length; o += RELATIONSHIP_STRIDE) relationships.push(relationshipAt(c, o, path, keyText));
    return { entities, relationships };
  }

  /**
   * Decodes a stored file's contribution ahead of its next replacement (a
   * large file's save, while a worker parses it): the diff then starts from
   * memory. Returns false when the store does not know the file.
   */
  preloadContribution(path: string): boolean {
    const fileId = this.fileIdOf(path);
    if (fileId === undefined) return false;
    this.contribution(fileId);
    return true;
  }

  /** All merged entities by key and all relationships in a total order. */
  exportAll(): GraphFragment {
    this.indexed();
    const entities = (this.sql.allEntities.all() as EntityRow[]).map(entityOf);
    const relationships = exportRelationships({
      keysInOrder: this.sql.keysInOrder.iterate() as Iterable<[number, string]>,
      paths: this.sql.filePaths.iterate() as Iterable<[number, string]>,
      contributions: this.sql.allContributions.iterate() as Iterable<[number, Uint8Array, string]>,
      total: this.sql.relationshipTotal.get() as number,
    });
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
      if (id !== undefined) for (const fileId of filesWithRole(this.postingsOf(id), ENTITY_ROLES)) files.add(this.pathOf(fileId));
    }
    return [...files].sort();
  }

  catalogSlices(): { path: string; signature: string; json: string }[] {
    return this.sql.allSlices.all() as { path: string; signature: string; json: string }[];
  }

  /** Records a file's catalog slice, or forgets it (undefined) when the file has no DDL. */
  setCatalogSlice(path: string, slice: { signature: string; json: string } | undefined): void {
    if (!slice) {
      this.sql.deleteSlice.run(path);
      this.writtenSlices.delete(path);
      return;
    }
    // An edit outside a large file's DDL leaves its slice as it was: comparing is cheaper than writing it again.
    const written = this.writtenSlices.get(path);
    if (written === slice || (written && written.signature === slice.signature && written.json === slice.json)) return;
    const stored = written ? undefined : (this.sql.slice.get(path) as [string, string] | undefined);
    if (stored?.[0] !== slice.signature || stored[1] !== slice.json) this.sql.upsertSlice.run(path, slice.signature, slice.json);
    this.writtenSlices.delete(path);
    this.writtenSlices.set(path, slice);
    if (this.writtenSlices.size > WRITTEN_SLICE_PATHS) this.writtenSlices.delete(this.writtenSlices.keys().next().value!);
  }

  // ---- internals -----------------------------------------------------------

  private begin(): void {
    if (!this.bulkLoading && this.sql.anyFile.get() === undefined) {
      // Cheaper to build once at the end than to grow entry by entry; the drop commits with the first batch.
      this.db.exec(DROP_DEFERRED_INDEXES_SQL);
      this.bulkLoading = true;
    }
    this.keys.begin();
    this.version = this.sql.version.get() as number;
    this.churn = (this.sql.churn.get() as number | undefined) ?? 0;
    this.startEpoch();
  }

  private startEpoch(): void {
    this.newKeysAbove = this.keys.maxId();
    this.newFilesAbove = this.peekNextFileId() - 1;
    this.merged.begin(this.newKeysAbove);
  }

  /** Writes the changes collected since the last flush: postings first, since the merge reads them. */
  private flush(): void {
    const s = this.sql;
    const fresh = this.keys.takeFresh();
    for (const [keyId, changes] of this.postingChanges) {
      const text = fresh.get(keyId);
      if (text !== undefined) {
        s.insertKey.run(keyId, text, mergePostings(NO_POSTINGS, changes));
        fresh.delete(keyId);
      } else if (keyId > this.newKeysAbove) {
        s.setPostings.run(mergePostings(NO_POSTINGS, changes), keyId);
      } else if (onlyNewFiles(changes, this.newFilesAbove)) {
        // The common case of a bulk load: the stored postings cannot name these files, so the merge is an append, done in SQL.
        s.appendPostings.run(postingsBlob(changes), keyId);
      } else {
        s.setPostings.run(mergePostings(unpackPostings(s.postings.get(keyId) as Uint8Array | null | undefined), changes), keyId);
      }
    }
    for (const [keyId, text] of fresh) s.insertKey.run(keyId, text, null);
    this.merged.flush(this.mergeContext);
    for (const [id, delta] of this.tallyDeltas) if (delta !== 0) s.addTally.run(id, delta);
    this.forgetPending();
    this.startEpoch();
  }

  private commit(): void {
    this.sql.setVersion.run(this.version);
    if (this.churn >= PRUNE_MIN_CHURN && this.churn > (this.sql.liveRows.get() as number)) {
      this.sql.pruneKeys.run();
      this.keys.forget();
      this.churn = 0;
    }
    this.sql.setChurn.run(this.churn);
  }

  /** A transaction rolled back: what it collected is gone, and the caches may describe rows it wrote. */
  private discard(outermost: boolean): void {
    this.forgetPending();
    this.forgetCaches();
    // A dropped or built index may have been rolled back with the rest.
    this.bulkLoading = !this.indexesPresent();
    if (!outermost) this.startEpoch();
  }

  private forgetPending(): void {
    this.postingChanges.clear();
    this.tallyDeltas.clear();
    this.removedPaths.clear();
    this.merged.reset();
  }

  private forgetCaches(): void {
    this.writtenSlices.clear();
    this.keys.forget();
    this.cache.clear();
    this.paths.clear();
    this.nextFileId = undefined;
  }

  private fileIdOf(path: string): number | undefined {
    return this.sql.fileId.get(path) as number | undefined;
  }

  private pathOf(fileId: number): string {
    let path = this.paths.get(fileId) ?? this.removedPaths.get(fileId);
    if (path === undefined) {
      path = this.sql.filePath.get(fileId) as string | undefined;
      if (path === undefined) throw new Error(`Store invariant broken: no file ${fileId}.`);
      this.paths.set(fileId, path);
    }
    return path;
  }

  private postingsOf(keyId: number): Uint32Array {
    return unpackPostings(this.sql.postings.get(keyId) as Uint8Array | null | undefined);
  }

  private contribution(fileId: number): DecodedContribution {
    let c = this.cache.get(fileId);
    if (!c) {
      const row = this.sql.contribution.get(fileId) as [Uint8Array, string] | undefined;
      if (!row) throw new Error(`Store invariant broken: file ${fileId} has no contribution.`);
      c = unpackContribution(row[0], row[1]);
      this.cache.set(fileId, c);
    }
    return c;
  }

  /** Writes the row; `post` false when the caller already recorded the posting changes. */
  private writeContribution(fileId: number, packed: PackedContribution, post = true): void {
    this.sql.putContribution.run(fileId, packed.blob, packed.strings);
    this.cache.delete(fileId);
    if (post) for (let i = 0; i < packed.keyIds.length; i++) this.posting(packed.keyIds[i]!, fileId, packed.roles[i]!);
  }

  private posting(keyId: number, fileId: number, roles: number): void {
    const changes = this.postingChanges.get(keyId);
    if (changes) changes.push(fileId, roles);
    else this.postingChanges.set(keyId, [fileId, roles]);
  }

  private tally(id: number, delta: number): void {
    this.tallyDeltas.set(id, (this.tallyDeltas.get(id) ?? 0) + delta);
  }

  private replaceFile(path: string, fragment: GraphFragment, meta: FileMeta, prepacked?: PrepackedContribution): void {
    const s = this.sql;
    let fileId = this.fileIdOf(path);
    const old = fileId === undefined ? undefined : this.contribution(fileId);
    const packed = prepacked ? globalisePacked(prepacked, this.keys) : packContribution(fragment.entities, fragment.relationships, this.keys);
    const entities = packed.entities!;
    const fileMeta = [meta.contentHash, meta.dialect, meta.statements, meta.parsed, meta.fallback, JSON.stringify(meta.diagnostics),
      entities.length, packed.relationshipCount, Date.now()] as const;
    if (fileId !== undefined && old && diffable(old)) {
      const diff = diffContributions(old, packed);
      if (diff.postings.length === 0 && diff.removedSources.length === 0 && this.sameStoredContribution(fileId, meta, packed)) return;
      s.updateFile.run(...fileMeta, fileId);
      this.replaceContribution(fileId, path, old, packed, diff);
      this.markPending(path);
      return;
    }
    if (fileId !== undefined) {
      this.dropContribution(fileId, path);
      s.updateFile.run(...fileMeta, fileId);
    } else {
      fileId = this.allocateFileId();
      s.insertFile.run(fileId, path, ...fileMeta);
      this.paths.set(fileId, path);
    }
    this.writeContribution(fileId, packed);
    const words = packed.entityWords;
    for (let i = 0; i < entities.length; i++) {
      const parentId = words[i * 3 + 1]!;
      this.merged.added(words[i * 3]!, fileId, path, words[i * 3 + 2]!, parentId < 0 ? null : parentId, entities[i]!);
    }
    packed.typeCounts.forEach((n, type) => n > 0 && this.tally(RELATIONSHIP_TALLY + type, n));
    this.markPending(path);
  }

  /**
   * Replaces a stored contribution by touching only what differs: postings
   * of keys whose roles changed, merged sources of entities that changed,
   * tallies by the difference. The outcome equals dropContribution followed
   * by writing the new one (an unchanged source neither wins nor loses
   * anything), at a cost that follows the size of the edit rather than the
   * size of the file.
   */
  private replaceContribution(fileId: number, path: string, old: DecodedContribution, packed: PackedContribution, diff: ContributionDiff): void {
    for (const [keyId, roles] of diff.postings) this.posting(keyId, fileId, roles);
    // Entities: every changed or vanished source is removed before any is added, as a drop then add would.
    for (const keyId of diff.removedSources) this.merged.removed(keyId, fileId);
    diff.typeDeltas.forEach((n, type) => n !== 0 && this.tally(RELATIONSHIP_TALLY + type, n));
    // Rows dropped, for the orphaned-key pruning: the sources replaced, not the whole file.
    const droppedRelationships = Math.max(0, old.relationships.length / RELATIONSHIP_STRIDE - packed.relationshipCount);
    this.churn += diff.droppedKeys + diff.addedSources.length + diff.vanishedSources + droppedRelationships;
    this.removedPaths.set(fileId, path);

    this.writeContribution(fileId, packed, false);
    const entities = packed.entities!;
    const words = packed.entityWords;
    for (const i of diff.addedSources) {
      const parentId = words[i * 3 + 1]!;
      this.merged.added(words[i * 3]!, fileId, path, words[i * 3 + 2]!, parentId < 0 ? null : parentId, entities[i]!);
    }
  }

  /**
   * Whether the file's stored row already holds exactly this: the same
   * content and the same packed contribution (applying it again, say after
   * a re-resolution that changed nothing, then writes nothing and leaves
   * Neo4j nothing to do). Read back only when the content hash matches.
   */
  private sameStoredContribution(fileId: number, meta: FileMeta, packed: PackedContribution): boolean {
    if (this.sql.contentHash.get(fileId) !== meta.contentHash) return false;
    const row = this.sql.contribution.get(fileId) as [Uint8Array, string] | undefined;
    return row !== undefined && row[1] === packed.strings && Buffer.compare(row[0], packed.blob) === 0;
  }

  /** The id the next new file gets. */
  private peekNextFileId(): number {
    this.nextFileId ??= (this.sql.maxFileId.get() as number) + 1;
    return this.nextFileId;
  }

  private allocateFileId(): number {
    const id = this.peekNextFileId();
    this.nextFileId = id + 1;
    return id;
  }

  /** Takes back everything a file's contribution added (but not its rows). */
  private dropContribution(fileId: number, path: string): void {
    const c = this.contribution(fileId);
    for (let i = 0; i < c.keyIds.length; i++) this.posting(c.keyIds[i]!, fileId, 0);
    for (let o = 0; o < c.entities.length; o += ENTITY_STRIDE) this.merged.removed(c.entities[o + E_KEY]!, fileId);
    for (let o = 0; o < c.relationships.length; o += RELATIONSHIP_STRIDE) this.tally(RELATIONSHIP_TALLY + c.relationships[o + R_TYPE]!, -1);
    this.churn += c.entities.length / ENTITY_STRIDE + c.relationships.length / RELATIONSHIP_STRIDE;
    this.removedPaths.set(fileId, path);
    this.cache.delete(fileId);
  }

  private dropFile(fileId: number, path: string): void {
    this.dropContribution(fileId, path);
    this.sql.deleteContribution.run(fileId);
    this.sql.deleteFile.run(fileId);
    this.paths.delete(fileId);
  }

  /**
   * Builds the indexes a bulk load deferred, before the first query that
   * needs them; inside a transaction, as part of it (a nested transaction
   * would flush its half-made changes).
   */
  private indexed(): void {
    if (!this.bulkLoading) return;
    if (this.depth > 0) this.db.exec(DEFERRED_INDEXES_SQL);
    else this.db.transaction(() => this.db.exec(DEFERRED_INDEXES_SQL))();
    this.bulkLoading = false;
  }

  private indexesPresent(): boolean {
    return (this.sql.indexCount.get(...DEFERRED_INDEXES) as number) === DEFERRED_INDEXES.length;
  }

  /** Relationships of the given types (bit per type code) whose `end` (R_FROM or R_TO) is the key. */
  private edges(key: string, end: number, roleMask: number, typeBits: number): Relationship[] {
    const id = this.keys.find(key);
    if (id === undefined) return [];
    const keyText = (k: number) => this.keys.textOf(k);
    const out: Relationship[] = [];
    for (const fileId of filesWithRole(this.postingsOf(id), roleMask)) {
      const c = this.contribution(fileId);
      const r = c.relationships;
      const path = this.pathOf(fileId);
      for (let o = 0; o < r.length; o += RELATIONSHIP_STRIDE) {
        if (r[o + end] === id && ((typeBits >> r[o + R_TYPE]!) & 1) === 1) out.push(relationshipAt(c, o, path, keyText));
      }
    }
    return out;
  }

  private incomingOfType(key: string, type: RelationshipType): Relationship[] {
    const code = codeOf(TYPE, type, 'relationship type');
    // Stable: within a file, relationships keep their applied order.
    return this.edges(key, R_TO, ROLE.TO << code, 1 << code)
      .sort((a, b) => compareCodePoints(a.file, b.file) || compareRanges(a.range, b.range) || compareCodePoints(a.from, b.from));
  }

  private entitiesOf(keys: readonly string[]): Map<string, Entity> {
    const ids = new Map<number, string>();
    for (const key of keys) {
      const id = this.keys.find(key);
      if (id !== undefined) ids.set(id, key);
    }
    const entities = new Map<string, Entity>();
    type Row = [number, number, string, string | null, string | null, number | null, number, number, number, number, number, number];
    for (const r of this.sql.entitiesOfIds.all(JSON.stringify([...ids.keys()])) as Row[]) {
      const key = ids.get(r[0])!;
      const entity: Entity = {
        key, kind: nameOf(KIND, r[1]), name: r[2], file: this.pathOf(r[6]),
        range: { start: { line: r[7], character: r[8] }, end: { line: r[9], character: r[10] } }, defined: r[11] === 1,
      };
      if (r[3] !== null) entity.schema = r[3];
      if (r[4] !== null) entity.database = r[4];
      if (r[5] !== null) entity.parent = this.keys.textOf(r[5]);
      entities.set(key, entity);
    }
    return entities;
  }

  private markPending(path: string): void {
    this.sql.markPending.run(path, ++this.version);
  }
}

/** The store's total order of relationships: type, ends, file, range, operation (absent first), confidence. */
function compareRelationships(a: Relationship, b: Relationship): number {
  return compareCodePoints(a.type, b.type) || compareCodePoints(a.from, b.from) || compareCodePoints(a.to, b.to) || compareCodePoints(a.file, b.file)
    || compareRanges(a.range, b.range) || compareOptional(a.operation, b.operation) || compareCodePoints(a.confidence, b.confidence);
}

function compareOptional(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareCodePoints(a, b);
}

interface ContributionDiff {
  /** Keys whose role bits changed, with the new bits (0: the file no longer mentions the key). */
  postings: [keyId: number, roles: number][];
  /** Keys whose source from this file changed or vanished: removed from the merge first. */
  removedSources: number[];
  /** Indexes of the new entities that are new or changed sources: added to the merge after. */
  addedSources: number[];
  vanishedSources: number;
  droppedKeys: number;
  /** Per relationship type code: new count minus old. */
  typeDeltas: number[];
}

/**
 * What replacing `old` by `packed` changes, at a cost that follows the size
 * of the file but touches nothing: the caller applies it.
 */
function diffContributions(old: DecodedContribution, packed: PackedContribution): ContributionDiff {
  const oldRoles = new Map<number, number>();
  for (let i = 0; i < old.keyIds.length; i++) oldRoles.set(old.keyIds[i]!, old.roles[i]!);
  const postings: [number, number][] = [];
  for (let i = 0; i < packed.keyIds.length; i++) {
    const keyId = packed.keyIds[i]!;
    const roles = packed.roles[i]!;
    if (oldRoles.get(keyId) !== roles) postings.push([keyId, roles]);
    oldRoles.delete(keyId);
  }
  for (const keyId of oldRoles.keys()) postings.push([keyId, 0]);

  const oldAt = new Map<number, number>();
  const e = old.entities;
  for (let o = 0; o < e.length; o += ENTITY_STRIDE) oldAt.set(e[o + E_KEY]!, o);
  const entities = packed.entities!;
  const words = packed.entityWords;
  const removedSources: number[] = [];
  const addedSources: number[] = [];
  for (let i = 0; i < entities.length; i++) {
    const keyId = words[i * 3]!;
    const o = oldAt.get(keyId);
    if (o !== undefined) {
      oldAt.delete(keyId);
      if (sameSource(old, o, entities[i]!, words[i * 3 + 1]!, words[i * 3 + 2]!)) continue;
      removedSources.push(keyId);
    }
    addedSources.push(i);
  }
  for (const keyId of oldAt.keys()) removedSources.push(keyId);

  const r = old.relationships;
  const typeDeltas = packed.typeCounts.slice();
  for (let o = 0; o < r.length; o += RELATIONSHIP_STRIDE) typeDeltas[r[o + R_TYPE]!]!--;
  return { postings, removedSources, addedSources, vanishedSources: oldAt.size, droppedKeys: oldRoles.size, typeDeltas };
}

/** Interns nothing: a stored key's id, else an id no stored key has. */
class KeyProbe implements KeyInterner {
  private readonly keys: KeyTable;
  private next: number;

  constructor(keys: KeyTable) {
    this.keys = keys;
    this.next = keys.maxId() + 1;
  }

  idOf(key: string): number {
    return this.keys.find(key) ?? this.next++;
  }
}

/** A contribution holding two sources of one key (after a rename merged keys) is replaced whole, not diffed. */
function diffable(c: DecodedContribution): boolean {
  return c.entities.length / ENTITY_STRIDE === new Set(entityKeys(c)).size;
}

function* entityKeys(c: DecodedContribution): Iterable<number> {
  for (let o = 0; o < c.entities.length; o += ENTITY_STRIDE) yield c.entities[o + E_KEY]!;
}

/** Whether the stored source at offset `o` is exactly the entity packed with these parent and kind codes. */
function sameSource(c: DecodedContribution, o: number, e: Entity, parentId: number, kind: number): boolean {
  const w = c.entities;
  const r = e.range;
  const text = (i: number): string | undefined => (i < 0 ? undefined : c.strings[i]);
  return w[o + E_KIND] === kind && w[o + E_DEFINED] === (e.defined ? 1 : 0) && w[o + E_PARENT] === parentId
    && w[o + E_RANGE] === r.start.line && w[o + E_RANGE + 1] === r.start.character && w[o + E_RANGE + 2] === r.end.line && w[o + E_RANGE + 3] === r.end.character
    && c.strings[w[o + E_NAME]!] === e.name && text(w[o + E_SCHEMA]!) === e.schema && text(w[o + E_DATABASE]!) === e.database;
}

/** Case folding for name search; Unicode-aware, unlike SQLite's NOCASE. */
function foldName(name: string): string {
  return name.toLowerCase();
}

