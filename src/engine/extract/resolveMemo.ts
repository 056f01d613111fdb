/**
 * Re-resolving a large file after a small edit: each parsed statement's
 * share of the resolution (the entities and relationships it yields, as its
 * own builder keeps them) is remembered, and a statement unchanged since the
 * file's last resolution reuses its share instead of being analysed again.
 *
 * The file's result is assembled from the shares in file order the way one
 * builder would have collected them: a key's entity is its first definition,
 * else its first reference, at the position of its first appearance; and
 * relationships are the shares' lists concatenated, since every relationship
 * of a statement carries the statement's range and no two statements share
 * a range (checked; a file where that does not hold is resolved afresh). So
 * the result equals resolveFile's, provided a statement's share depends
 * only on what is checked before reuse:
 * - its parsed content (statements, fallback, owner, backend; compared
 *   structurally, since the parsed file usually arrives as fresh JSON),
 * - the name defaults in force before it (a USE changes them),
 * - what it looked up in the catalog (recorded per statement, and compared
 *   key by key when the catalog is another instance),
 * - its range (a share is moved to the statement's new range),
 * - the file's path (one memo per path) and dbt model (dbt files are never
 *   memoised: their model query is found by identity).
 */
import type { Entity, Relationship } from '../model/graph.ts';
import type { ParsedFile, ParsedStatement } from '../model/parsed.ts';
import type { Range } from '../model/range.ts';
import type { Statement } from '../model/statements.ts';
import type { Catalog } from './catalog.ts';
import { FragmentBuilder } from './fragmentBuilder.ts';
import { applyUse, type NameOptions } from './names.ts';
import { FileResolver, type FileResolution } from './resolve.ts';

/** Files with fewer parsed statements are cheaper to resolve again than to compare. */
export const MEMO_MIN_STATEMENTS = 64;

/** One parsed statement's share of a resolution. */
interface Unit {
  parsed: ParsedStatement;
  optionsIn: NameOptions;
  optionsOut: NameOptions;
  /** One entity per key, as the statement's own builder kept them; all at the statement's range. */
  entities: Entity[];
  relationships: Relationship[];
  unresolved: number;
  /** Relation keys the statement asked the catalog about. */
  lookups: Set<string>;
}

/** Delegates to a catalog and notes which relation keys were asked about. */
class RecordingCatalog implements Catalog {
  readonly inner: Catalog;
  lookups: Set<string> = new Set();

  constructor(inner: Catalog) {
    this.inner = inner;
  }

  columnsOf(relKey: string): string[] | undefined {
    this.lookups.add(relKey);
    return this.inner.columnsOf(relKey);
  }

  kindOf(relKey: string): ReturnType<Catalog['kindOf']> {
    this.lookups.add(relKey);
    return this.inner.kindOf(relKey);
  }

  primaryKeyOf(relKey: string): string[] | undefined {
    this.lookups.add(relKey);
    return this.inner.primaryKeyOf(relKey);
  }
}

/**
 * The last resolution of one file, by statement. `resolve` returns exactly
 * what resolveFile would, re-analysing only statements that changed (or
 * whose name defaults or catalog lookups changed).
 */
export class ResolveMemo {
  private path: string | undefined;
  private catalog: Catalog | undefined;
  private units: Unit[] = [];
  /** Statements reused and analysed by the last resolve (for tests and measurements). */
  lastReused = 0;
  lastResolved = 0;

  resolve(file: ParsedFile, catalog: Catalog, options: NameOptions): FileResolution {
    this.lastReused = 0;
    this.lastResolved = 0;
    if (file.dbtModel || !distinctRanges(file.statements)) return this.fresh(file, catalog, options);
    const old = this.path === file.path ? this.units : [];
    const stmts = file.statements;
    // Candidates by position: the unchanged head and tail of the statement list.
    let head = 0;
    const limit = Math.min(old.length, stmts.length);
    while (head < limit && sameParsed(old[head]!.parsed, stmts[head]!)) head++;
    let tail = 0;
    while (tail < limit - head && sameParsed(old[old.length - 1 - tail]!.parsed, stmts[stmts.length - 1 - tail]!)) tail++;

    // The same catalog instance answers every lookup as before: no need to go through each statement's lookups.
    const sameCatalog = this.catalog === catalog ? undefined : catalogComparer(this.catalog, catalog);
    const recorder = new RecordingCatalog(catalog);
    const units: Unit[] = [];
    let current = options;
    for (let i = 0; i < stmts.length; i++) {
      const parsed = stmts[i]!;
      const candidate = i < head ? old[i] : i >= stmts.length - tail ? old[i - stmts.length + old.length] : undefined;
      let unit: Unit | undefined;
      if (candidate && sameOptions(candidate.optionsIn, current) && (!sameCatalog || allSame(candidate.lookups, sameCatalog))) {
        unit = moved(candidate, parsed);
        this.lastReused++;
      } else {
        unit = this.resolveUnit(file, parsed, current, recorder);
        this.lastResolved++;
        if (!unit) return this.fresh(file, catalog, options);
      }
      units.push(unit);
      current = unit.optionsOut;
    }
    this.path = file.path;
    this.catalog = catalog;
    this.units = units;
    return assemble(units);
  }

  forget(): void {
    this.path = undefined;
    this.catalog = undefined;
    this.units = [];
  }

  /** One statement on its own builder; undefined when its share holds a range other than its own (then it cannot move). */
  private resolveUnit(file: ParsedFile, parsed: ParsedStatement, optionsIn: NameOptions, recorder: RecordingCatalog): Unit | undefined {
    recorder.lookups = new Set();
    const resolver = new FileResolver(file, recorder, optionsIn, new FragmentBuilder(file.path));
    resolver.resolveStatements([parsed], optionsIn);
    const { entities, relationships } = resolver.b.result();
    for (const e of entities) if (e.range !== parsed.range) return undefined;
    for (const r of relationships) if (r.range !== parsed.range) return undefined;
    return { parsed, optionsIn, optionsOut: optionsAfter(parsed, optionsIn), entities, relationships, unresolved: resolver.unresolvedColumns, lookups: recorder.lookups };
  }

  private fresh(file: ParsedFile, catalog: Catalog, options: NameOptions): FileResolution {
    this.forget();
    return new FileResolver(file, catalog, options).run();
  }
}

/** A reused share at its statement's current range (the same objects when the range did not move). */
function moved(unit: Unit, parsed: ParsedStatement): Unit {
  const range = parsed.range;
  if (sameRange(unit.parsed.range, range)) return { ...unit, parsed };
  return {
    ...unit,
    parsed,
    entities: unit.entities.map((e) => ({ ...e, range })),
    relationships: unit.relationships.map((r) => ({ ...r, range })),
  };
}

/** The shares collected as one builder would have: see the module comment. */
function assemble(units: readonly Unit[]): FileResolution {
  const entities = new Map<string, Entity>();
  const relationships: Relationship[] = [];
  let unresolved = 0;
  for (const unit of units) {
    for (const e of unit.entities) {
      const existing = entities.get(e.key);
      if (!existing || (!existing.defined && e.defined)) entities.set(e.key, e);
    }
    for (const r of unit.relationships) relationships.push(r);
    unresolved += unit.unresolved;
  }
  return { entities: [...entities.values()], relationships, unresolvedColumns: unresolved };
}

function distinctRanges(statements: readonly ParsedStatement[]): boolean {
  const seen = new Set<string>();
  for (const { range: r } of statements) {
    const id = `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

/** The name defaults after a parsed statement, as walkFile advances them (a USE, also inside a routine body). */
function optionsAfter(parsed: ParsedStatement, options: NameOptions): NameOptions {
  let current = options;
  const visit = (s: Statement): void => {
    if (s.kind === 'use') current = applyUse(current, s);
    else if (s.kind === 'createRoutine' || s.kind === 'createTrigger') for (const inner of s.body ?? []) visit(inner);
  };
  for (const s of parsed.statements) visit(s);
  return current;
}

function sameOptions(a: NameOptions, b: NameOptions): boolean {
  return a === b || (a.dialect === b.dialect && a.defaultSchema === b.defaultSchema && a.defaultDatabase === b.defaultDatabase);
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** Equal for resolution: everything but the range (which a replay substitutes). */
function sameParsed(a: ParsedStatement, b: ParsedStatement): boolean {
  return a.backend === b.backend && sameValue(a.statements, b.statements) && sameValue(a.fallback, b.fallback) && sameValue(a.owner, b.owner);
}

/** Structural equality of JSON-like values (absent and undefined properties count as equal). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let count = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    count++;
    if (!sameValue(v, y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) count--;
  return count === 0;
}

/** Whether a relation key reads the same in both catalogs (memoised per key). */
function catalogComparer(before: Catalog | undefined, after: Catalog): (key: string) => boolean {
  if (before === after) return () => true;
  if (!before) return () => false;
  const known = new Map<string, boolean>();
  return (key) => {
    let same = known.get(key);
    if (same === undefined) {
      same = before.kindOf(key) === after.kindOf(key) && sameStrings(before.columnsOf(key), after.columnsOf(key)) && sameStrings(before.primaryKeyOf(key), after.primaryKeyOf(key));
      known.set(key, same);
    }
    return same;
  };
}

function allSame(keys: Set<string>, same: (key: string) => boolean): boolean {
  for (const key of keys) if (!same(key)) return false;
  return true;
}

function sameStrings(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Memos of the most recently resolved large files: one save at a time edits one file, rarely more. */
const MEMO_PATHS = 4;
const memos = new Map<string, ResolveMemo>();

/** The memo resolveFile uses for a path (least recently used paths are forgotten). */
export function resolveMemoFor(path: string): ResolveMemo {
  let memo = memos.get(path);
  if (memo) memos.delete(path);
  else memo = new ResolveMemo();
  memos.set(path, memo);
  if (memos.size > MEMO_PATHS) memos.delete(memos.keys().next().value!);
  return memo;
}

/** Drops every memo (memory, or tests). */
export function forgetResolveMemos(): void {
  memos.clear();
}
