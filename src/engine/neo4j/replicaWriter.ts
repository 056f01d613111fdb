/**
 * Writes a batch of files' current state into Neo4j.
 *
 * Every row is tagged with its file's contribution generation (a hash of the
 * file's whole stored contribution). Current rows are MERGEd (so replays and
 * a second writer find what is there), then whatever the file gave before
 * and no longer gives (relationships and CONTRIBUTES edges of another gen)
 * is deleted, and the entities that lost support are refreshed from the
 * store's merged view, reduced to a bare key while relationships still end
 * at them, or deleted. Nothing is removed before the current rows are in, so
 * a sync cut short at any point is completed by running it again.
 *
 * Normally the whole batch is one transaction. When Neo4j rejects a row, the
 * batch is redone in steps, each row group split progressively (halves, then
 * tenths, down to single rows) so that only the rows Neo4j refuses are left
 * out; they become dead letters.
 */
import { randomUUID } from 'node:crypto';
import type { GraphStore } from '../store/graphStore.ts';
import { DELETE_FILES, FINISH_FILES, LOCK_FILES, MARK_PARTIAL, STALE_CONTRIBUTIONS, STALE_RELATIONSHIPS, STRIP_UNSUPPORTED, upsertEntitiesQuery, upsertRelationshipsQuery } from './cypher.ts';
import type { DeadLetter, DeadLetterStage } from './deadLetters.ts';
import { classifyError, errorCode, errorMessage } from './errors.ts';
import { batchRows, refreshRows, splitCreatable, type BatchRows, type FileWork } from './fileWork.ts';
import { compareText, entityParams, parseGroupId, relationshipParams, type EntityRow, type RelationshipGroup, type RelationshipRow } from './rows.ts';
import { runWrite, type QueryRunner, type TransactionCounter, type TransactionTarget } from './transactions.ts';

export interface WriterOptions extends TransactionTarget {
  /** Rows per UNWIND (and, for the sync, per transaction). */
  batchSize: number;
}

export interface WriteOutcome {
  /** Files whose rows were written (not skipped as already current). */
  written: number;
  /** Files Neo4j already held at their current generation. */
  current: number;
  entities: number;
  relationships: number;
  deletedNodes: number;
  deletedRelationships: number;
  letters: DeadLetter[];
}

export function emptyOutcome(): WriteOutcome {
  return { written: 0, current: 0, entities: 0, relationships: 0, deletedNodes: 0, deletedRelationships: 0, letters: [] };
}

export function addOutcome(into: WriteOutcome, o: WriteOutcome): void {
  into.written += o.written;
  into.current += o.current;
  into.entities += o.entities;
  into.relationships += o.relationships;
  into.deletedNodes += o.deletedNodes;
  into.deletedRelationships += o.deletedRelationships;
  into.letters.push(...o.letters);
}

interface LockState {
  /** This transaction created the file's node: nothing of the file is in Neo4j yet. */
  fresh: boolean;
  previous: number | null;
  /** A step-by-step write was cut short: rows of the current generation may exist. */
  partial: boolean;
}

/** A data error that splitting cannot isolate (a step without rows). */
export class UnsplittableError extends Error {
  constructor(step: string, cause: unknown) {
    super(`Neo4j refused the ${step} step of a sync batch: ${errorCode(cause) ?? ''} ${errorMessage(cause)}`, { cause });
    this.name = 'UnsplittableError';
  }
}

export class ReplicaWriter implements TransactionCounter {
  transactions = 0;
  private readonly store: GraphStore;
  private readonly options: WriterOptions;

  constructor(store: GraphStore, options: WriterOptions) {
    this.store = store;
    this.options = options;
  }

  /**
   * Writes the files; throws transient, auth and fatal errors for the caller
   * to handle. `prepared`: batchRows of exactly these works, read beforehand
   * (the sync builds the next batch's rows while this one is in Neo4j).
   */
  async writeFiles(works: readonly FileWork[], prepared?: BatchRows): Promise<WriteOutcome> {
    if (works.length === 0) return emptyOutcome();
    const sorted = [...works].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    try {
      return await runWrite(this.options, (q) => this.wholeBatch(q, sorted, prepared), this);
    } catch (error) {
      const kind = classifyError(error);
      if (kind === 'too-large' && sorted.length > 1) {
        const half = Math.ceil(sorted.length / 2);
        const outcome = await this.writeFiles(sorted.slice(0, half));
        addOutcome(outcome, await this.writeFiles(sorted.slice(half)));
        return outcome;
      }
      if (kind === 'data' || kind === 'too-large') return this.inSteps(sorted);
      throw error;
    }
  }

  // ---- one transaction ------------------------------------------------------------------------

  private async wholeBatch(q: QueryRunner, works: readonly FileWork[], prepared: BatchRows | undefined): Promise<WriteOutcome> {
    const outcome = emptyOutcome();
    const locks = await lockFiles(q, works);
    const active = works.filter((w) => !isCurrent(w, locks));
    outcome.current = works.length - active.length;
    // Prepared rows are of all the works: rebuild when some are current already (a replay, another writer).
    const rows = prepared !== undefined && active.length === works.length && samePaths(prepared.paths, works) ? prepared : batchRows(this.store, active);
    const created = new Set(active.filter((w) => locks.get(w.path)?.fresh === true).map((w) => w.path));
    const relationships = splitCreatable(rows, creatable(locks), created);
    // Sent together: the driver pipelines them and Neo4j runs them in order, without waiting for this process between them.
    const upserts: Promise<unknown>[] = [];
    for (const [label, list] of rows.entities) outcome.entities += this.upsertEntities(q, label, list, upserts);
    for (const { group, create, merge } of relationships.values()) {
      outcome.relationships += this.upsertRelationships(q, group, create, 'create', upserts, created);
      outcome.relationships += this.upsertRelationships(q, group, merge, 'merge', upserts);
    }
    await Promise.all(upserts);
    // A file whose node this transaction created left nothing behind to clean up.
    await this.cleanUp(q, active.filter((w) => !created.has(w.path)), outcome);
    await finishFiles(q, active, outcome);
    outcome.written = active.filter((w) => !w.removed).length;
    return outcome;
  }

  /** Starts the queries that upsert the rows (into `runs`, to be awaited together); returns the row count. */
  private upsertEntities(q: QueryRunner, label: string, rows: readonly EntityRow[], runs: Promise<unknown>[]): number {
    const query = upsertEntitiesQuery(label);
    for (const chunk of chunks(rows, this.options.batchSize)) runs.push(q.run(query, entityParams(chunk)));
    return rows.length;
  }

  /** `created`: files whose rows go without a gen (see FileGen.created); CREATE only. */
  private upsertRelationships(q: QueryRunner, group: RelationshipGroup, rows: readonly RelationshipRow[], mode: 'create' | 'merge', runs: Promise<unknown>[], created?: ReadonlySet<string>): number {
    if (rows.length === 0) return 0;
    const query = upsertRelationshipsQuery(group, mode);
    for (const chunk of chunks(rows, this.options.batchSize)) runs.push(q.run(query, relationshipParams(chunk, created)));
    return rows.length;
  }

  /** Deletes what the files gave before and not now; settles the entities that touched it. */
  private async cleanUp(q: QueryRunner, works: readonly FileWork[], outcome: WriteOutcome): Promise<void> {
    if (works.length === 0) return;
    const files = works.map((w) => ({ path: w.path, gen: w.gen }));
    const touched = new Set<string>();
    const [stale] = await q.run(STALE_RELATIONSHIPS, { files });
    outcome.deletedRelationships += Number(stale?.['deleted'] ?? 0);
    for (const key of (stale?.['keys'] as string[] | undefined) ?? []) touched.add(key);
    const [lost] = await q.run(STALE_CONTRIBUTIONS, { files });
    const unsupported = new Set<string>((lost?.['keys'] as string[] | undefined) ?? []);
    // Keys the files still contribute were just written from the merged view; refresh only the others.
    const current = new Set<string>();
    for (const w of works) for (const e of w.contribution?.entities ?? []) current.add(e.key);
    const refreshes: Promise<unknown>[] = [];
    for (const [label, list] of refreshRows(this.store, [...unsupported].filter((k) => !current.has(k)))) this.upsertEntities(q, label, list, refreshes);
    await Promise.all(refreshes);
    for (const key of unsupported) touched.add(key);
    if (touched.size > 0) {
      // One lock order for concurrent writers (see STRIP_UNSUPPORTED).
      const keys = [...touched].sort(compareText);
      for (const chunk of chunks(keys, this.options.batchSize)) {
        const [row] = await q.run(STRIP_UNSUPPORTED, { keys: chunk });
        outcome.deletedNodes += Number(row?.['deleted'] ?? 0);
      }
    }
  }

  /** Writes rows of one group in their own transactions, isolating the ones Neo4j refuses (for replay). */
  async writeRows(stage: 'entity' | 'relationship', group: string, rows: readonly EntityRow[] | readonly RelationshipRow[]): Promise<{ row: unknown; error: unknown }[]> {
    const query = stage === 'entity' ? upsertEntitiesQuery(group) : upsertRelationshipsQuery(parseGroupId(group));
    const params = (part: readonly unknown[]) => (stage === 'entity' ? entityParams(part as EntityRow[]) : relationshipParams(part as RelationshipRow[]));
    const refused: { row: unknown; error: unknown }[] = [];
    await this.splitting<unknown>(rows, (part) => runWrite(this.options, async (q) => void (await q.run(query, params(part))), this), (row, error) => {
      refused.push({ row, error });
    });
    return refused;
  }

  // ---- in steps, isolating refused rows ----------------------------------------------------------

  private async inSteps(works: readonly FileWork[]): Promise<WriteOutcome> {
    const outcome = emptyOutcome();
    const locks = new Map<string, LockState>();
    const refused = new Set<string>();
    await this.splitting(works, async (part) => {
      await runWrite(this.options, async (q) => {
        for (const [path, state] of await lockFiles(q, part)) locks.set(path, state);
        await q.run(MARK_PARTIAL, { paths: part.map((w) => w.path) });
      }, this);
    }, (w, error) => {
      refused.add(w.path);
      outcome.letters.push(letter(error, w.path, w.contentHash, 'file', 'File', { path: w.path }));
    });
    const usable = works.filter((w) => !refused.has(w.path));
    const active = usable.filter((w) => !isCurrent(w, locks));
    outcome.current = usable.length - active.length;
    const hashOf = new Map(works.map((w) => [w.path, w.contentHash]));
    // Each step commits on its own and may be retried: every write finds what an earlier attempt wrote (MERGE).
    const rows = batchRows(this.store, active);

    for (const [label, list] of rows.entities) {
      const query = upsertEntitiesQuery(label);
      await this.splitting(list, (part) => runWrite(this.options, async (q) => void (await q.run(query, entityParams(part))), this), (row, error) => {
        const file = row.files[0]?.path ?? row.file;
        outcome.letters.push(letter(error, file, hashOf.get(file) ?? null, 'entity', label, row));
      });
      outcome.entities += list.length;
    }
    for (const entry of rows.relationships.values()) {
      const { group } = entry;
      // Each part commits on its own, so a retried part must find what an earlier one wrote: MERGE only.
      const list = entry.rows;
      const query = upsertRelationshipsQuery(group, 'merge');
      await this.splitting(list, (part) => runWrite(this.options, async (q) => void (await q.run(query, relationshipParams(part))), this), (row, error) => {
        outcome.letters.push(letter(error, row.file, hashOf.get(row.file) ?? null, 'relationship', `${group.type}:${group.from}:${group.to}`, row));
      });
      outcome.relationships += list.length;
    }
    outcome.entities -= outcome.letters.filter((l) => l.stage === 'entity').length;
    outcome.relationships -= outcome.letters.filter((l) => l.stage === 'relationship').length;
    try {
      await runWrite(this.options, async (q) => {
        await this.cleanUp(q, active.filter((w) => locks.get(w.path)?.fresh !== true), outcome);
        await finishFiles(q, active, outcome);
      }, this);
    } catch (error) {
      if (classifyError(error) === 'data') throw new UnsplittableError('clean-up', error);
      throw error;
    }
    outcome.written = active.filter((w) => !w.removed).length;
    return outcome;
  }

  /** Submits rows, splitting on refusal: halves first, then tenths, down to the single rows that are refused. */
  private async splitting<T>(rows: readonly T[], submit: (rows: readonly T[]) => Promise<void>, refuse: (row: T, error: unknown) => void, depth = 0): Promise<void> {
    if (rows.length === 0) return;
    if (rows.length > this.options.batchSize) {
      for (const chunk of chunks(rows, this.options.batchSize)) await this.splitting(chunk, submit, refuse, depth);
      return;
    }
    try {
      await submit(rows);
    } catch (error) {
      const kind = classifyError(error);
      if (kind !== 'data' && kind !== 'too-large') throw error;
      if (rows.length === 1) {
        refuse(rows[0] as T, error);
        return;
      }
      const parts = depth === 0 ? 2 : 10;
      const size = Math.ceil(rows.length / parts);
      for (const part of chunks(rows, size)) await this.splitting(part, submit, refuse, depth + 1);
    }
  }
}

async function lockFiles(q: QueryRunner, works: readonly FileWork[]): Promise<Map<string, LockState>> {
  const result = new Map<string, LockState>();
  const token = randomUUID();
  const records = await q.run(LOCK_FILES, { files: works.map((w) => ({ path: w.path })), token });
  for (const r of records) {
    const previous = r['previous'];
    result.set(String(r['path']), { fresh: r['fresh'] === true, previous: typeof previous === 'number' ? previous : null, partial: r['partial'] === true });
  }
  return result;
}

function samePaths(paths: readonly string[], works: readonly FileWork[]): boolean {
  const set = new Set(paths);
  return set.size === works.length && works.every((w) => set.has(w.path));
}

/** Files whose rows can be CREATEd in a one-transaction write: none of their current rows can exist yet. */
function creatable(locks: ReadonlyMap<string, LockState>): Set<string> {
  const paths = new Set<string>();
  for (const [path, state] of locks) if (!state.partial) paths.add(path);
  return paths;
}

/** Neo4j already holds exactly this contribution (a replay, or another writer got there first). */
function isCurrent(w: FileWork, locks: ReadonlyMap<string, LockState>): boolean {
  const state = locks.get(w.path);
  return !w.removed && state?.previous === w.gen;
}

async function finishFiles(q: QueryRunner, works: readonly FileWork[], outcome: WriteOutcome): Promise<void> {
  const present = works.filter((w) => !w.removed);
  const removed = works.filter((w) => w.removed).map((w) => w.path);
  if (present.length > 0) await q.run(FINISH_FILES, { files: present.map((w) => ({ path: w.path, gen: w.gen, props: w.props })) });
  if (removed.length > 0) {
    const [row] = await q.run(DELETE_FILES, { paths: removed });
    outcome.deletedNodes += Number(row?.['deleted'] ?? 0);
  }
}

function letter(error: unknown, file: string, contentHash: string | null, stage: DeadLetterStage, group: string, row: unknown): DeadLetter {
  return { at: new Date().toISOString(), code: errorCode(error) ?? 'unknown', message: errorMessage(error), file, contentHash, stage, group, row };
}

export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const n = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += n) out.push(rows.slice(i, i + n));
  return out;
}
