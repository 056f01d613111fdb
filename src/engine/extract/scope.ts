/**
 * Query scoping: which relation every column reference belongs to.
 *
 * A query is analysed bottom-up into a QueryShape (its output columns and the
 * base columns each one comes from). CTEs, derived tables and table aliases
 * only ever exist inside a Scope; what leaves this module is base relations
 * and base columns, recorded in a ReadCollector.
 */
import type { ColumnRef, Cte, ExprRefs, ObjectName, Query, SelectQuery, TableRef } from '../model/statements.ts';
import type { Catalog } from './catalog.ts';
import { relationKey } from './keys.ts';
import { displayName, foldPart, qualify, sameQualifiedName } from './names.ts';
import type { NameOptions, QualifiedName } from './names.ts';

/** A base column: the relation's key and the folded column name. */
export interface Origin {
  rel: string;
  column: string;
  /** The spelling first seen, for display. */
  display: string;
}

export interface OutputColumn {
  /** Folded output name; undefined for anonymous expressions. */
  name?: string;
  display?: string;
  origins: Origin[];
  /** Came from expanding `*`: an EXISTS (SELECT * ...) must not count as reading them. */
  fromStar?: boolean;
}

export interface QueryShape {
  outputs: OutputColumn[];
  /** Sources whose columns a `*` passed through without our knowing them. */
  openStars: Source[];
  /** Outputs before this index keep their position (an open star comes after them). */
  positionalLimit: number;
}

export interface ReadRelation {
  key: string;
  name: QualifiedName;
  display: string;
}

/** What a statement reads, deduplicated, in first-seen order. */
export class ReadCollector {
  readonly relations = new Map<string, ReadRelation>();
  /** Base columns read, one per (relation, column), in first-seen order. */
  readonly columns: Origin[] = [];
  /** relation key → columns already in `columns`: no key string is built per lookup. */
  private readonly seen = new Map<string, Set<string>>();
  unresolved = 0;

  addRelation(rel: ReadRelation): void {
    if (!this.relations.has(rel.key)) this.relations.set(rel.key, rel);
  }

  addColumn(origin: Origin): void {
    let columns = this.seen.get(origin.rel);
    if (!columns) {
      columns = new Set();
      this.seen.set(origin.rel, columns);
    } else if (columns.has(origin.column)) return;
    columns.add(origin.column);
    this.columns.push(origin);
  }

  addColumns(origins: readonly Origin[]): void {
    for (let i = 0; i < origins.length; i++) this.addColumn(origins[i] as Origin);
  }
}

/** Something a FROM clause makes visible. */
export interface Source {
  /** Folded name it is visible under (alias, CTE name or table name). */
  visibleName: string | undefined;
  /** Set for base relations. */
  base?: ReadRelation & { aliased: boolean };
  /** True when the full column list is known. */
  complete: boolean;
  /** Known columns, in order (for `*`). */
  outputs(): OutputColumn[];
  /** Origins of a column; undefined when the source certainly lacks it. */
  lookup(column: string, display: string): Origin[] | undefined;
  openStars: Source[];
}

export interface AnalysisContext {
  catalog: Catalog;
  options: NameOptions;
  collector: ReadCollector;
}

export class Scope {
  readonly sources: Source[] = [];
  readonly usingColumns = new Set<string>();
  readonly parent: Scope | undefined;
  constructor(parent: Scope | undefined) {
    this.parent = parent;
  }
}

/** CTE names visible at a point, innermost first. */
export class CteEnv {
  private readonly shapes = new Map<string, QueryShape>();
  readonly parent: CteEnv | undefined;
  constructor(parent: CteEnv | undefined) {
    this.parent = parent;
  }
  set(name: string, shape: QueryShape): void {
    this.shapes.set(name, shape);
  }
  get(name: string): QueryShape | undefined {
    return this.shapes.get(name) ?? this.parent?.get(name);
  }
}

export function baseSource(rel: ReadRelation, alias: string | undefined, catalog: Catalog): Source {
  const columns = catalog.columnsOf(rel.key);
  return {
    visibleName: alias ?? rel.name.name,
    base: { ...rel, aliased: alias !== undefined },
    complete: columns !== undefined,
    openStars: [],
    outputs: () => (columns ?? []).map((c) => ({ name: c, display: c, origins: [{ rel: rel.key, column: c, display: c }] })),
    lookup: (column, display) => {
      if (columns && !columns.includes(column)) return undefined;
      return [{ rel: rel.key, column, display }];
    },
  };
}

export function shapeSource(shape: QueryShape, visibleName: string | undefined): Source {
  return {
    visibleName,
    complete: shape.openStars.length === 0,
    openStars: shape.openStars,
    outputs: () => shape.outputs,
    lookup: (column, display) => {
      const hit = shape.outputs.find((o) => o.name === column);
      if (hit) return hit.origins;
      const open = shape.openStars;
      if (open.length === 1) return open[0]?.lookup(column, display);
      const having = open.filter((s) => s.complete && s.lookup(column, display) !== undefined);
      if (having.length === 1) return having[0]?.lookup(column, display);
      return undefined;
    },
  };
}

/** A table function or an unknown recursive CTE: has columns, none of them base columns. */
function opaqueSource(visibleName: string | undefined): Source {
  return { visibleName, complete: false, openStars: [], outputs: () => [], lookup: () => [] };
}

function renameShape(shape: QueryShape, names: { value: string; quoted: boolean }[] | undefined, options: NameOptions): QueryShape {
  if (!names || names.length === 0) return shape;
  const outputs = names.map((n, i) => ({
    name: foldPart(n, options.dialect),
    display: n.value,
    origins: (i < shape.positionalLimit ? shape.outputs[i]?.origins : undefined) ?? [],
  }));
  // Beyond the renamed columns nothing is addressable by name any more.
  return { outputs, openStars: [], positionalLimit: outputs.length };
}

export function relationRead(name: ObjectName, options: NameOptions): ReadRelation {
  const q = qualify(name, options);
  return { key: relationKey(q), name: q, display: displayName(name) };
}

/** Registers a WITH list: each CTE sees the ones before it (and itself when recursive). */
export function withCtes(ctes: Cte[] | undefined, recursive: boolean, env: CteEnv, outer: Scope | undefined, ctx: AnalysisContext): CteEnv {
  if (!ctes || ctes.length === 0) return env;
  const next = new CteEnv(env);
  for (const cte of ctes) {
    const name = foldPart(cte.name, ctx.options.dialect);
    const selfReferencing = recursive || (ctx.options.dialect === 'transactsql' && cte.query.kind === 'setop');
    if (selfReferencing) next.set(name, recursivePlaceholder(cte, next, name, outer, ctx));
    const shape = analyzeQuery(cte.query, outer, next, ctx);
    next.set(name, renameShape(shape, cte.columns, ctx.options));
  }
  return next;
}

/**
 * While a recursive CTE's body is analysed, its own name stands for the
 * anchor's columns with no base origins: the recursive step adds no new
 * sources beyond what its other FROM items contribute.
 */
function recursivePlaceholder(cte: Cte, env: CteEnv, name: string, outer: Scope | undefined, ctx: AnalysisContext): QueryShape {
  const opaque: QueryShape = { outputs: [], openStars: [opaqueSource(name)], positionalLimit: 0 };
  let names = cte.columns?.map((c) => foldPart(c, ctx.options.dialect));
  if (!names && cte.query.kind === 'setop') {
    env.set(name, opaque);
    const scratch: AnalysisContext = { ...ctx, collector: new ReadCollector() };
    const anchor = analyzeQuery(cte.query.left, outer, env, scratch);
    if (anchor.openStars.length === 0 && anchor.outputs.every((o) => o.name !== undefined)) names = anchor.outputs.map((o) => o.name ?? '');
  }
  if (!names) return opaque;
  return { outputs: names.map((n) => ({ name: n, display: n, origins: [] })), openStars: [], positionalLimit: names.length };
}

export function analyzeQuery(query: Query, outer: Scope | undefined, env: CteEnv, ctx: AnalysisContext): QueryShape {
  switch (query.kind) {
    case 'select':
      return analyzeSelect(query, outer, env, ctx);
    case 'setop': {
      const inner = withCtes(query.with, query.recursive ?? false, env, outer, ctx);
      const left = analyzeQuery(query.left, outer, inner, ctx);
      const right = analyzeQuery(query.right, outer, inner, ctx);
      const outputs = left.outputs.map((o, i) => ({
        ...o,
        origins: i < right.positionalLimit && i < left.positionalLimit ? [...o.origins, ...(right.outputs[i]?.origins ?? [])] : o.origins,
      }));
      const shape: QueryShape = {
        outputs,
        openStars: [...left.openStars, ...right.openStars],
        positionalLimit: Math.min(left.positionalLimit, right.positionalLimit),
      };
      if (query.orderBy) {
        const scope = new Scope(outer);
        scope.sources.push(shapeSource(shape, undefined));
        resolveExpr(query.orderBy, scope, inner, ctx);
      }
      return shape;
    }
    case 'values': {
      const width = query.rows[0]?.length ?? 0;
      const outputs: OutputColumn[] = [];
      for (let i = 0; i < width; i++) outputs.push({ name: `column${i + 1}`, display: `column${i + 1}`, origins: [] });
      for (const row of query.rows) {
        row.forEach((cell, i) => {
          const origins = resolveExpr(cell, outer, env, ctx);
          outputs[i]?.origins.push(...origins);
        });
      }
      return { outputs, openStars: [], positionalLimit: outputs.length };
    }
  }
}

function analyzeSelect(query: SelectQuery, outer: Scope | undefined, env: CteEnv, ctx: AnalysisContext): QueryShape {
  const inner = withCtes(query.with, query.recursive ?? false, env, outer, ctx);
  const scope = new Scope(outer);
  const joinConditions: ExprRefs[] = [];
  for (const ref of query.from) addTableRef(ref, scope, inner, ctx, joinConditions);
  for (const cond of joinConditions) resolveExpr(cond, scope, inner, ctx);

  const outputs: OutputColumn[] = [];
  const openStars: Source[] = [];
  let positionalLimit = Number.POSITIVE_INFINITY;
  const aliases = new Map<string, Origin[]>();
  for (const item of query.items) {
    if (item.star) {
      const sources = item.star.qualifier ? findQualified(item.star.qualifier, scope, ctx) : scope.sources;
      if (sources.length === 0 && item.star.qualifier) ctx.collector.unresolved++;
      for (const source of sources) {
        outputs.push(...source.outputs().map((o) => ({ ...o, fromStar: true })));
        if (!source.complete) {
          if (openStars.length === 0) positionalLimit = outputs.length;
          openStars.push(source);
        }
      }
      continue;
    }
    const origins = resolveExpr(item.expr, scope, inner, ctx);
    const name = item.alias ?? (item.bare ? item.expr.columns[0]?.at(-1) : undefined);
    const folded = name ? foldPart(name, ctx.options.dialect) : undefined;
    if (item.alias && folded !== undefined) aliases.set(folded, origins);
    outputs.push({ name: folded, display: name?.value, origins });
  }
  if (query.where) resolveExpr(query.where, scope, inner, ctx);
  if (query.other) resolveExpr(query.other, scope, inner, ctx);
  for (const clause of [query.groupBy, query.having, query.orderBy]) {
    if (clause) resolveExpr(clause, scope, inner, ctx, aliases);
  }
  return { outputs, openStars, positionalLimit: Math.min(positionalLimit, outputs.length) };
}

export function addTableRef(ref: TableRef, scope: Scope, env: CteEnv, ctx: AnalysisContext, joinConditions: ExprRefs[]): void {
  const dialect = ctx.options.dialect;
  switch (ref.kind) {
    case 'table': {
      const alias = ref.alias ? foldPart(ref.alias, dialect) : undefined;
      const cteShape = ref.name.length === 1 && ref.name[0] ? env.get(foldPart(ref.name[0], dialect)) : undefined;
      if (cteShape) {
        scope.sources.push(shapeSource(cteShape, alias ?? foldPart(ref.name[0] ?? { value: '', quoted: false }, dialect)));
        return;
      }
      const rel = relationRead(ref.name, ctx.options);
      ctx.collector.addRelation(rel);
      scope.sources.push(baseSource(rel, alias, ctx.catalog));
      return;
    }
    case 'derived': {
      // Siblings already in the FROM list are visible too (LATERAL, CROSS APPLY).
      const lateral = new Scope(scope.parent);
      lateral.sources.push(...scope.sources);
      const shape = renameShape(analyzeQuery(ref.query, lateral, env, ctx), ref.columnAliases, ctx.options);
      scope.sources.push(shapeSource(shape, ref.alias ? foldPart(ref.alias, dialect) : undefined));
      return;
    }
    case 'function': {
      const lateral = new Scope(scope.parent);
      lateral.sources.push(...scope.sources);
      resolveExpr(ref.args, lateral, env, ctx);
      scope.sources.push(opaqueSource(ref.alias ? foldPart(ref.alias, dialect) : foldPart(ref.name.at(-1) ?? { value: '', quoted: false }, dialect)));
      return;
    }
    case 'join': {
      const first = scope.sources.length;
      addTableRef(ref.left, scope, env, ctx, joinConditions);
      addTableRef(ref.right, scope, env, ctx, joinConditions);
      if (ref.on) joinConditions.push(ref.on);
      // USING columns are read on both sides of this join (and only this join).
      for (const u of ref.using ?? []) {
        const column = foldPart(u, dialect);
        scope.usingColumns.add(column);
        for (const source of scope.sources.slice(first)) {
          for (const o of source.lookup(column, u.value) ?? []) ctx.collector.addColumn(o);
        }
      }
      return;
    }
  }
}

/** Sources a qualifier (`t`, `s.t`, `db.s.t`) names, innermost scope first. */
export function findQualified(qualifier: ObjectName, scope: Scope | undefined, ctx: AnalysisContext): Source[] {
  const source = findQualifiedSource(qualifier, scope, ctx);
  return source ? [source] : [];
}

/** The first source a qualifier names, innermost scope first. */
export function findQualifiedSource(qualifier: ObjectName, scope: Scope | undefined, ctx: AnalysisContext): Source | undefined {
  const last = qualifier[qualifier.length - 1];
  if (!last) return undefined;
  if (qualifier.length === 1) {
    const visible = foldPart(last, ctx.options.dialect);
    for (let s = scope; s; s = s.parent) {
      for (const src of s.sources) if (src.visibleName === visible) return src;
    }
    return undefined;
  }
  const full = qualify(qualifier, ctx.options);
  for (let s = scope; s; s = s.parent) {
    for (const src of s.sources) if (src.base !== undefined && !src.base.aliased && sameQualifiedName(src.base.name, full)) return src;
  }
  return undefined;
}

/** Base origins of one column reference; undefined when it cannot be attributed. */
export function resolveColumn(ref: ColumnRef, scope: Scope | undefined, ctx: AnalysisContext, aliases?: Map<string, Origin[]>): Origin[] | undefined {
  const last = ref[ref.length - 1];
  if (!last) return undefined;
  const column = foldPart(last, ctx.options.dialect);
  const display = last.value;
  if (ref.length > 1) {
    const source = findQualifiedSource(ref.slice(0, -1), scope, ctx);
    return source?.lookup(column, display);
  }
  const alias = aliases?.get(column);
  if (alias) return alias;
  for (let s = scope; s; s = s.parent) {
    const sources = s.sources;
    if (sources.length === 0) continue;
    // One pass: the complete sources that have the column, and the incomplete ones.
    let found: Origin[] | undefined;
    let definite = 0;
    let merged: Origin[] | undefined;
    let incomplete: Source | undefined;
    let incompleteCount = 0;
    for (const src of sources) {
      if (!src.complete) {
        incompleteCount++;
        incomplete = src;
        continue;
      }
      const hit = src.lookup(column, display);
      if (hit === undefined) continue;
      definite++;
      if (definite === 1) found = hit;
      else {
        merged ??= (found ?? []).slice();
        for (const o of hit) merged.push(o);
      }
    }
    if (definite === 1) return found;
    if (definite > 1) return s.usingColumns.has(column) ? merged : undefined;
    if (incompleteCount === 1) return incomplete?.lookup(column, display);
    // Several sources of unknown shape could each hold it: do not guess.
    if (incompleteCount > 1) return undefined;
  }
  return undefined;
}

/**
 * Records every column an expression reads and returns the base origins of
 * its value (direct columns plus the outputs of scalar subqueries).
 */
export function resolveExpr(refs: ExprRefs, scope: Scope | undefined, env: CteEnv, ctx: AnalysisContext, aliases?: Map<string, Origin[]>): Origin[] {
  const result: Origin[] = [];
  const collector = ctx.collector;
  for (const ref of refs.columns) {
    const origins = resolveColumn(ref, scope, ctx, aliases);
    if (origins === undefined) {
      collector.unresolved++;
      continue;
    }
    for (const o of origins) {
      collector.addColumn(o);
      result.push(o);
    }
  }
  for (const sub of refs.subqueries) {
    const shape = analyzeQuery(sub, scope, env, ctx);
    // A subquery's `*` (typically under EXISTS) reads no columns, so outputs are not consumed here.
    for (const out of shape.outputs) if (!out.fromStar) for (const o of out.origins) result.push(o);
  }
  return result;
}

/** Marks a query's outputs as read: its caller (client, view, INSERT) consumes every column. */
export function consumeShape(shape: QueryShape, collector: ReadCollector): void {
  for (const out of shape.outputs) collector.addColumns(out.origins);
}

/** One origin per (relation, column), first seen first. */
export function uniqueOrigins(origins: Origin[]): Origin[] {
  if (origins.length < 2) return origins;
  if (origins.length <= 16) {
    // Short lists (the usual case): a quadratic scan allocates nothing.
    const out: Origin[] = [];
    for (const o of origins) {
      let dup = false;
      for (const u of out) {
        if (u.column === o.column && u.rel === o.rel) {
          dup = true;
          break;
        }
      }
      if (!dup) out.push(o);
    }
    return out;
  }
  const seen = new Map<string, Set<string>>();
  const out: Origin[] = [];
  for (const o of origins) {
    let columns = seen.get(o.rel);
    if (!columns) {
      columns = new Set();
      seen.set(o.rel, columns);
    } else if (columns.has(o.column)) continue;
    columns.add(o.column);
    out.push(o);
  }
  return out;
}

/** Adds a FROM list to a scope, then resolves its join conditions against the whole list. */
export function addFromList(refs: TableRef[], scope: Scope, env: CteEnv, ctx: AnalysisContext): void {
  const conditions: ExprRefs[] = [];
  for (const ref of refs) addTableRef(ref, scope, env, ctx, conditions);
  for (const cond of conditions) resolveExpr(cond, scope, env, ctx);
}
