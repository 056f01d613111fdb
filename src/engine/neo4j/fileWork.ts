/** What one pending file asks of Neo4j, read from the store at the moment its batch is written. */
import type { GraphFragment } from '../model/graph.ts';
import type { GraphStore } from '../store/graphStore.ts';
import type { PendingFile } from '../store/types.ts';
import { contributionGen, entityRow, groupEntityRows, groupId, relationshipRow, REMOVED_GEN, sortRelationshipRows } from './rows.ts';
import type { EntityRow, FileGen, RelationshipGroup, RelationshipRow } from './rows.ts';

export interface FileWork {
  path: string;
  /** The pending version to acknowledge once written. */
  version: number;
  removed: boolean;
  gen: number;
  contentHash: string | null;
  /** Properties of the File node. */
  props: Record<string, string | number>;
  contribution: GraphFragment | undefined;
}

export function fileWork(store: GraphStore, pending: Pick<PendingFile, 'path' | 'version' | 'removed'>): FileWork {
  const contribution = pending.removed ? undefined : store.fileContribution(pending.path);
  const stored = contribution && store.file(pending.path);
  if (!contribution || !stored) {
    return { path: pending.path, version: pending.version, removed: true, gen: REMOVED_GEN, contentHash: null, props: {}, contribution: undefined };
  }
  return {
    path: pending.path,
    version: pending.version,
    removed: false,
    gen: contributionGen(pending.path, contribution),
    contentHash: stored.contentHash,
    props: {
      contentHash: stored.contentHash,
      dialect: stored.dialect,
      statements: stored.statements,
      parsed: stored.parsed,
      fallback: stored.fallback,
      entityCount: contribution.entities.length,
      relationshipCount: contribution.relationships.length,
    },
    contribution,
  };
}

/** Rows the file adds: for the batch-size estimate before its contribution is read. */
export function estimatedRows(store: GraphStore, pending: PendingFile): number {
  if (pending.removed) return 1;
  const f = store.file(pending.path);
  return 1 + (f ? f.entityCount + f.relationshipCount : 0);
}

export interface BatchRows {
  /** Kind label → rows sorted by key. */
  entities: Map<string, EntityRow[]>;
  /** Per group, rows sorted (a stable lock order between concurrent writers). */
  relationships: Map<string, { group: RelationshipGroup; rows: RelationshipRow[] }>;
  /** Each file's gen, shared by its entity rows: `fresh` is set once the file's lock says (see splitCreatable). */
  gens: Map<string, FileGen>;
  /** The files the rows are of, in order. */
  paths: string[];
}

/** Relationship rows of one group split into those of files written whole in one transaction (CREATE) and the others (MERGE). */
export type SplitRelationships = Map<string, { group: RelationshipGroup; create: RelationshipRow[]; merge: RelationshipRow[] }>;

/** Entity rows carry the merged view's properties (store.entity), relationship rows the file's own. */
export function batchRows(store: GraphStore, works: readonly FileWork[]): BatchRows {
  const build = buildRows(store, works);
  for (let step = build.next(); ; step = build.next()) if (step.done === true) return step.value;
}

/**
 * batchRows that gives the event loop a turn every few hundred rows: the sync
 * prepares the next batch while the current one is in Neo4j, whose queries
 * must not wait behind a whole batch of store reads.
 */
export async function batchRowsInTurns(store: GraphStore, works: readonly FileWork[]): Promise<BatchRows> {
  const build = buildRows(store, works);
  for (let step = build.next(); ; step = build.next()) {
    if (step.done === true) return step.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const ROWS_PER_TURN = 400;
/** Merged entities read per turn (one bulk query each). */
const ENTITIES_PER_TURN = 1000;

function* buildRows(store: GraphStore, works: readonly FileWork[]): Generator<void, BatchRows> {
  const contributors = new Map<string, FileGen[]>();
  const relationships = new Map<string, { group: RelationshipGroup; rows: RelationshipRow[] }>();
  const gens = new Map<string, FileGen>();
  let sinceTurn = 0;
  for (const w of works) {
    if (!w.contribution) continue;
    const gen: FileGen = { path: w.path, gen: w.gen, fresh: false };
    gens.set(w.path, gen);
    for (const e of w.contribution.entities) {
      const list = contributors.get(e.key);
      if (list) list.push(gen);
      else contributors.set(e.key, [gen]);
    }
    for (const r of w.contribution.relationships) {
      const { group, row } = relationshipRow(r, w.gen);
      const id = groupId(group);
      let entry = relationships.get(id);
      if (!entry) relationships.set(id, (entry = { group, rows: [] }));
      entry.rows.push(row);
    }
    sinceTurn += w.contribution.entities.length + w.contribution.relationships.length;
    if (sinceTurn >= ROWS_PER_TURN) {
      sinceTurn = 0;
      yield;
    }
  }
  const rows: EntityRow[] = [];
  const keys = [...contributors.keys()];
  for (let i = 0; i < keys.length; i += ENTITIES_PER_TURN) {
    const merged = store.entitiesByKey(keys.slice(i, i + ENTITIES_PER_TURN));
    for (const [key, entity] of merged) rows.push(entityRow(entity, contributors.get(key) ?? []));
    // A key without a merged entity is gone since the contribution was read: the file is pending again and the cleanup handles the key.
    yield;
  }
  for (const entry of relationships.values()) sortRelationshipRows(entry.rows);
  return {
    entities: groupEntityRows(rows),
    relationships: new Map([...relationships].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    gens,
    paths: works.map((w) => w.path),
  };
}

/**
 * Marks the files whose rows can be CREATEd (see LOCK_FILES) and those whose
 * node this transaction created (see FileGen.created), and splits the
 * relationship rows accordingly, keeping their order.
 */
export function splitCreatable(rows: BatchRows, creatable: ReadonlySet<string>, created: ReadonlySet<string> = new Set()): SplitRelationships {
  for (const [path, gen] of rows.gens) {
    gen.fresh = creatable.has(path);
    gen.created = created.has(path);
  }
  const split: SplitRelationships = new Map();
  for (const [id, { group, rows: list }] of rows.relationships) {
    const entry = { group, create: [] as RelationshipRow[], merge: [] as RelationshipRow[] };
    for (const row of list) (creatable.has(row.file) ? entry.create : entry.merge).push(row);
    split.set(id, entry);
  }
  return split;
}

/** Property refreshes for keys a batch touched without contributing them (no CONTRIBUTES edges). */
export function refreshRows(store: GraphStore, keys: Iterable<string>): Map<string, EntityRow[]> {
  const rows: EntityRow[] = [];
  for (const entity of store.entitiesByKey(keys).values()) rows.push(entityRow(entity, []));
  return groupEntityRows(rows);
}
