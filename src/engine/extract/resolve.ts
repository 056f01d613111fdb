/**
 * Turns one parsed file into graph entities and relationships, resolving every
 * name against the scopes of its statement and the cross-file catalog.
 *
 * Modelling choices:
 * - Columns are defined through HAS_COLUMN (relation→column) only, not DEFINES:
 *   the column entity carries its defining file and range, and the relation's
 *   DEFINES already ties the file to it. A column only referenced (its relation
 *   has no DDL listing it) gets HAS_COLUMN at the referencing statement.
 * - Triggers DEPEND_ON their table and on the function they execute: firing
 *   on a table is a dependency, not a read.
 * - Indexes DEPEND_ON their table and on each indexed column.
 * - WRITES_TO also goes to each written column (INSERT list, UPDATE SET,
 *   MERGE, COPY list), with the statement's operation.
 * - A relation written by UPDATE/DELETE/MERGE is READ only when one of its
 *   columns is read (in SET values, WHERE, ...).
 * - Files are not entities: `file:<path>` is only the source of DEFINES.
 */
import type { Confidence, EntityKind, GraphFragment } from '../model/graph.ts';
import type { ParsedFile, ParsedStatement } from '../model/parsed.ts';
import type { Range } from '../model/range.ts';
import type { Assignment, ForeignKey, NamePart, ObjectName, Query, Statement } from '../model/statements.ts';
import type { Catalog } from './catalog.ts';
import { dbtModelKey, dbtModelQuery } from './catalog.ts';
import { FragmentBuilder } from './fragmentBuilder.ts';
import { databaseKey, fileKey, indexKey, routineKey, schemaKey, sequenceKey, triggerKey } from './keys.ts';
import { displayName, foldPart, qualify } from './names.ts';
import type { NameOptions } from './names.ts';
import {
  addFromList,
  analyzeQuery,
  baseSource,
  consumeShape,
  CteEnv,
  findQualified,
  ReadCollector,
  relationRead,
  resolveExpr,
  Scope,
  uniqueOrigins,
  withCtes,
} from './scope.ts';
import type { AnalysisContext, Origin, QueryShape, ReadRelation } from './scope.ts';
import { defineDbtModel, resolveFallback } from './resolveFallback.ts';
import { MEMO_MIN_STATEMENTS, resolveMemoFor } from './resolveMemo.ts';
import { intoAssignsVariables, walkFile } from './statementWalk.ts';
import type { StatementOwner, WalkedStatement } from './statementWalk.ts';

export interface FileResolution extends GraphFragment {
  /** Column references that could not be attributed to one relation (dropped, not guessed). */
  unresolvedColumns: number;
}

export interface Actor {
  key: string;
  /** Views and dbt models also DEPEND_ON what they read. */
  dependsOn: boolean;
}

interface NamedOutput {
  name: string;
  display: string;
  origins: Origin[];
}

/**
 * Large files (MEMO_MIN_STATEMENTS parsed statements or more) go through the
 * memo of their path (see resolveMemo.ts): after an edit, only the changed
 * statements are analysed again, with a result equal to a fresh resolution.
 */
export function resolveFile(file: ParsedFile, catalog: Catalog, options: NameOptions): FileResolution {
  if (file.statements.length < MEMO_MIN_STATEMENTS || file.dbtModel) return new FileResolver(file, catalog, options).run();
  return resolveMemoFor(file.path).resolve(file, catalog, options);
}

export class FileResolver {
  readonly b: FragmentBuilder;
  readonly file: ParsedFile;
  private readonly catalog: Catalog;
  readonly options: NameOptions;
  readonly fileActor: Actor;
  readonly model: { key: string; query: Query | undefined } | undefined;
  private unresolved = 0;

  constructor(file: ParsedFile, catalog: Catalog, options: NameOptions, builder?: FragmentBuilder) {
    this.file = file;
    this.catalog = catalog;
    this.options = options;
    this.b = builder ?? new FragmentBuilder(file.path);
    this.fileActor = { key: fileKey(file.path), dependsOn: false };
    const key = dbtModelKey(file, options);
    this.model = key ? { key, query: dbtModelQuery(file) } : undefined;
  }

  run(): FileResolution {
    if (this.model) defineDbtModel(this, this.model.key);
    walkFile(this.file, this.options, {
      statement: (w) => this.statement(w),
      fallback: (w) => resolveFallback(this, w),
    });
    return { ...this.b.result(), unresolvedColumns: this.unresolved };
  }

  /** Resolves some of the file's statements (not its dbt model), with the name defaults in force before the first. */
  resolveStatements(statements: ParsedStatement[], options: NameOptions): void {
    walkFile({ ...this.file, statements }, options, {
      statement: (w) => this.statement(w),
      fallback: (w) => resolveFallback(this, w),
    });
  }

  get unresolvedColumns(): number {
    return this.unresolved;
  }

  // ---- actors and entities -------------------------------------------------

  ownerActor(owner: StatementOwner, options: NameOptions, range: Range): Actor {
    const q = qualify(owner.name, options);
    const key = owner.kind === 'trigger' ? triggerKey(q) : routineKey(owner.kind, q);
    this.b.entity(key, owner.kind, displayName(owner.name), range, false, { qualified: q });
    return { key, dependsOn: false };
  }

  private actorFor(w: WalkedStatement): Actor {
    if (w.owner) return this.ownerActor(w.owner, w.options, w.parsed.range);
    if (w.statement.kind === 'createView') return { key: relationRead(w.statement.name, w.options).key, dependsOn: true };
    if (this.model) return { key: this.model.key, dependsOn: true };
    return this.fileActor;
  }

  private relationEntity(rel: ReadRelation, range: Range, defined: boolean, kind?: EntityKind): void {
    this.b.entity(rel.key, kind ?? this.catalog.kindOf(rel.key) ?? 'table', rel.display, range, defined, { qualified: rel.name });
  }

  define(key: string, kind: EntityKind, name: ObjectName | string, range: Range, confidence: Confidence, extra?: { qualified?: ReturnType<typeof qualify>; parent?: string }): void {
    this.b.entity(key, kind, typeof name === 'string' ? name : displayName(name), range, true, extra);
    this.b.relate('DEFINES', this.fileActor.key, key, range, confidence);
  }

  /** A column entity plus HAS_COLUMN when no DDL in the catalog lists it. */
  private columnRef(relKey: string, column: string, display: string, range: Range): string {
    const key = this.b.column(relKey, column, display, range, false);
    if (!this.catalog.columnsOf(relKey)?.includes(column)) this.b.relate('HAS_COLUMN', relKey, key, range, 'high');
    return key;
  }

  definedColumn(relKey: string, column: string, display: string, range: Range, confidence: Confidence = 'high'): string {
    const key = this.b.column(relKey, column, display, range, true);
    this.b.relate('HAS_COLUMN', relKey, key, range, confidence);
    return key;
  }

  private context(options: NameOptions): AnalysisContext {
    return { catalog: this.catalog, options, collector: new ReadCollector() };
  }

  private emitReads(collector: ReadCollector, actor: Actor, range: Range, confidence: Confidence = 'high'): void {
    const read = (key: string): void => {
      this.b.relate('READS_FROM', actor.key, key, range, confidence);
      if (actor.dependsOn && key !== actor.key && key.startsWith('rel:')) this.b.relate('DEPENDS_ON', actor.key, key, range, confidence);
    };
    for (const rel of collector.relations.values()) {
      this.relationEntity(rel, range, false);
      read(rel.key);
    }
    for (const origin of collector.columns) {
      // A write target's relation is only read through its columns.
      if (!collector.relations.has(origin.rel)) read(origin.rel);
      read(this.columnRef(origin.rel, origin.column, origin.display, range));
    }
    this.unresolved += collector.unresolved;
  }

  private derive(relKey: string, outputs: NamedOutput[], range: Range, defined: boolean): void {
    for (const out of outputs) {
      const key = defined ? this.definedColumn(relKey, out.name, out.display, range) : this.columnRef(relKey, out.name, out.display, range);
      for (const o of uniqueOrigins(out.origins)) {
        this.b.relate('DERIVED_FROM', key, this.columnRef(o.rel, o.column, o.display, range), range, 'high');
      }
    }
  }

  private namedOutputs(shape: QueryShape, declared: NamePart[] | undefined, options: NameOptions): NamedOutput[] {
    if (declared && declared.length > 0) {
      return declared.map((n, i) => ({
        name: foldPart(n, options.dialect),
        display: n.value,
        origins: (i < shape.positionalLimit ? shape.outputs[i]?.origins : undefined) ?? [],
      }));
    }
    const result: NamedOutput[] = [];
    for (const out of shape.outputs) {
      if (out.name === undefined || result.some((r) => r.name === out.name)) continue;
      result.push({ name: out.name, display: out.display ?? out.name, origins: out.origins });
    }
    return result;
  }

  target(name: ObjectName, options: NameOptions, range: Range): ReadRelation {
    const rel = relationRead(name, options);
    this.relationEntity(rel, range, false);
    return rel;
  }

  // ---- statements ----------------------------------------------------------

  private statement(w: WalkedStatement): void {
    const s = w.statement;
    const range = w.parsed.range;
    const options = w.options;
    switch (s.kind) {
      case 'query':
        return this.query(s.query, w);
      case 'createTable':
        return this.createTable(s, w);
      case 'createView': {
        const view = relationRead(s.name, options);
        this.define(view.key, s.materialized ? 'materialized_view' : 'view', s.name, range, 'high', { qualified: view.name });
        const ctx = this.context(options);
        const shape = analyzeQuery(s.query, undefined, new CteEnv(undefined), ctx);
        consumeShape(shape, ctx.collector);
        this.derive(view.key, this.namedOutputs(shape, s.columns, options), range, true);
        return this.emitReads(ctx.collector, this.actorFor(w), range);
      }
      case 'insert':
      case 'update':
      case 'delete':
      case 'merge':
      case 'copy':
        return this.dml(s, w);
      case 'alterTable': {
        const table = this.target(s.name, options, range);
        for (const c of s.addColumns) {
          const key = this.definedColumn(table.key, foldPart(c.name, options.dialect), c.name.value, range);
          if (c.references) this.references(table, [c.name], c.references.table, c.references.columns, options, range, key);
        }
        for (const fk of s.foreignKeys) this.foreignKey(table, fk, options, range);
        return;
      }
      case 'createIndex': {
        const table = this.target(s.table, options, range);
        const columns = s.columns.map((c) => foldPart(c, options.dialect));
        const q = s.name ? qualify(s.name, options) : { ...table.name, name: `${table.name.name}(${columns.join(',')})` };
        const key = indexKey(q);
        this.define(key, 'index', s.name ? displayName(s.name) : q.name, range, 'high', { qualified: q, parent: table.key });
        this.b.relate('DEPENDS_ON', key, table.key, range, 'high');
        s.columns.forEach((c, i) => this.b.relate('DEPENDS_ON', key, this.columnRef(table.key, columns[i] ?? '', c.value, range), range, 'high'));
        return;
      }
      case 'createSequence': {
        const q = qualify(s.name, options);
        return this.define(sequenceKey(q), 'sequence', s.name, range, 'high', { qualified: q });
      }
      case 'createSchema': {
        const parts = s.name.map((p) => foldPart(p, options.dialect));
        const schema = parts.at(-1) ?? '';
        const database = parts.length > 1 ? (parts.at(-2) ?? '') : (options.defaultDatabase ?? '').toLowerCase();
        return this.define(schemaKey(database, schema), 'schema', s.name, range, 'high', { qualified: { database, schema: '', name: schema } });
      }
      case 'createDatabase':
        return this.define(databaseKey(foldPart(s.name, options.dialect)), 'database', s.name.value, range, 'high');
      case 'createRoutine': {
        const q = qualify(s.name, options);
        return this.define(routineKey(s.routine, q), s.routine, s.name, range, 'high', { qualified: q });
      }
      case 'createTrigger': {
        const q = qualify(s.name, options);
        const table = this.target(s.table, options, range);
        const key = triggerKey(q);
        this.define(key, 'trigger', s.name, range, 'high', { qualified: q, parent: table.key });
        this.b.relate('DEPENDS_ON', key, table.key, range, 'high');
        if (s.executes) {
          const fq = qualify(s.executes, options);
          const fn = routineKey('function', fq);
          this.b.entity(fn, 'function', displayName(s.executes), range, false, { qualified: fq });
          this.b.relate('DEPENDS_ON', key, fn, range, 'high');
        }
        return;
      }
      case 'drop':
      case 'use':
      case 'other':
        return;
    }
  }

  private query(query: Query, w: WalkedStatement): void {
    const range = w.parsed.range;
    const ctx = this.context(w.options);
    const shape = analyzeQuery(query, undefined, new CteEnv(undefined), ctx);
    consumeShape(shape, ctx.collector);
    const actor = this.actorFor(w);
    if (query.kind === 'select' && query.into && !intoAssignsVariables(w)) {
      const table = relationRead(query.into, w.options);
      this.define(table.key, 'table', query.into, range, 'high', { qualified: table.name });
      this.b.relate('WRITES_TO', actor.key, table.key, range, 'high', 'SELECT INTO');
      this.derive(table.key, this.namedOutputs(shape, undefined, w.options), range, true);
    }
    if (this.model && query === this.model.query && !w.owner) this.derive(this.model.key, this.namedOutputs(shape, undefined, w.options), range, true);
    this.emitReads(ctx.collector, actor, range);
  }

  private createTable(s: Extract<Statement, { kind: 'createTable' }>, w: WalkedStatement): void {
    const { options } = w;
    const range = w.parsed.range;
    const table = relationRead(s.name, options);
    this.define(table.key, 'table', s.name, range, 'high', { qualified: table.name });
    for (const c of s.columns) {
      const key = this.definedColumn(table.key, foldPart(c.name, options.dialect), c.name.value, range);
      if (c.references) this.references(table, [c.name], c.references.table, c.references.columns, options, range, key);
    }
    for (const fk of s.foreignKeys) this.foreignKey(table, fk, options, range);
    if (!s.as) return;
    const ctx = this.context(options);
    const shape = analyzeQuery(s.as, undefined, new CteEnv(undefined), ctx);
    consumeShape(shape, ctx.collector);
    const actor = this.actorFor(w);
    this.b.relate('WRITES_TO', actor.key, table.key, range, 'high', 'CTAS');
    this.derive(table.key, this.namedOutputs(shape, s.columns.map((c) => c.name), options), range, true);
    this.emitReads(ctx.collector, actor, range);
  }

  private foreignKey(table: ReadRelation, fk: ForeignKey, options: NameOptions, range: Range): void {
    this.references(table, fk.columns, fk.refTable, fk.refColumns, options, range);
  }

  /** Table-level REFERENCES plus column pairs by position; empty refColumns mean the referenced primary key. */
  private references(table: ReadRelation, columns: NamePart[], refTable: ObjectName, refColumns: NamePart[], options: NameOptions, range: Range, _columnKey?: string): void {
    const ref = this.target(refTable, options, range);
    this.b.relate('REFERENCES', table.key, ref.key, range, 'high');
    const targets = refColumns.length > 0 ? refColumns.map((c) => ({ name: foldPart(c, options.dialect), display: c.value })) : (this.catalog.primaryKeyOf(ref.key) ?? []).map((c) => ({ name: c, display: c }));
    if (targets.length !== columns.length) return;
    columns.forEach((c, i) => {
      const to = targets[i];
      if (!to) return;
      const from = this.columnRef(table.key, foldPart(c, options.dialect), c.value, range);
      this.b.relate('REFERENCES', from, this.columnRef(ref.key, to.name, to.display, range), range, 'high');
    });
  }

  private dml(s: Extract<Statement, { kind: 'insert' | 'update' | 'delete' | 'merge' | 'copy' }>, w: WalkedStatement): void {
    const { options } = w;
    const range = w.parsed.range;
    const ctx = this.context(options);
    const actor = this.actorFor(w);
    const writes: { rel: ReadRelation; columns: NamedOutput[] }[] = [];
    const write = (rel: ReadRelation, columns: NamedOutput[]): void => {
      const existing = writes.find((x) => x.rel.key === rel.key);
      if (existing) existing.columns.push(...columns);
      else writes.push({ rel, columns });
    };
    const env = new CteEnv(undefined);
    const fold = (n: NamePart): string => foldPart(n, options.dialect);

    switch (s.kind) {
      case 'insert': {
        const inner = withCtes(s.with, false, env, undefined, ctx);
        const target = this.target(s.target, options, range);
        const explicit = s.columns?.map((c) => ({ name: fold(c), display: c.value }));
        const columns = explicit ?? (this.catalog.columnsOf(target.key) ?? []).map((c) => ({ name: c, display: c }));
        let shape: QueryShape | undefined;
        if (s.source) {
          shape = analyzeQuery(s.source, undefined, inner, ctx);
          consumeShape(shape, ctx.collector);
        }
        const limit = shape ? Math.min(shape.positionalLimit, shape.outputs.length) : 0;
        const written = columns
          .map((c, i) => ({ ...c, origins: shape && i < limit ? (shape.outputs[i]?.origins ?? []) : [] }))
          .filter((_, i) => explicit !== undefined || i < limit);
        write(target, written);
        break;
      }
      case 'update':
      case 'delete': {
        const inner = withCtes(s.with, false, env, undefined, ctx);
        const scope = new Scope(undefined);
        addFromList(s.kind === 'update' ? s.from : s.using, scope, inner, ctx);
        const target = this.writeTarget(s.target, s.alias, scope, ctx, range);
        if (s.kind === 'update') for (const a of s.set) write(...this.assignment(a, target, scope, inner, ctx, range));
        else write(target, []);
        if (s.where) resolveExpr(s.where, scope, inner, ctx);
        break;
      }
      case 'merge': {
        const scope = new Scope(undefined);
        const target = this.writeTarget(s.target, s.alias, scope, ctx, range);
        addFromList([s.source], scope, env, ctx);
        resolveExpr(s.on, scope, env, ctx);
        for (const a of s.set) write(...this.assignment(a, target, scope, env, ctx, range));
        const inserted = (s.insertColumns ?? []).map((c, i) => {
          const value = s.insertValues?.[i];
          return { name: fold(c), display: c.value, origins: value ? resolveExpr(value, scope, env, ctx) : [] };
        });
        write(target, inserted);
        if (s.other) resolveExpr(s.other, scope, env, ctx);
        break;
      }
      case 'copy': {
        if (s.query) consumeShape(analyzeQuery(s.query, undefined, env, ctx), ctx.collector);
        if (!s.table) break;
        const table = relationRead(s.table, options);
        const columns = (s.columns ?? []).map((c) => ({ name: fold(c), display: c.value, origins: [] }));
        if (s.direction === 'from') {
          this.relationEntity(table, range, false);
          write(table, columns);
        } else {
          ctx.collector.addRelation(table);
          for (const c of columns) ctx.collector.addColumn({ rel: table.key, column: c.name, display: c.display });
        }
        break;
      }
    }
    const operation = s.kind.toUpperCase();
    for (const { rel, columns } of writes) {
      this.b.relate('WRITES_TO', actor.key, rel.key, range, 'high', operation);
      for (const c of columns) this.b.relate('WRITES_TO', actor.key, this.columnRef(rel.key, c.name, c.display, range), range, 'high', operation);
      this.derive(rel.key, columns, range, false);
    }
    this.emitReads(ctx.collector, actor, range);
  }

  /**
   * The relation an UPDATE/DELETE/MERGE writes. T-SQL and MySQL may name an
   * alias declared in the FROM list (`UPDATE t SET .. FROM tbl t`); otherwise
   * the target joins the scope under its own alias without counting as a read.
   */
  private writeTarget(name: ObjectName, alias: NamePart | undefined, scope: Scope, ctx: AnalysisContext, range: Range): ReadRelation {
    if (!alias && name.length === 1) {
      const fromItem = findQualified(name, scope, ctx)[0];
      if (fromItem?.base) {
        this.relationEntity(fromItem.base, range, false);
        return fromItem.base;
      }
    }
    const rel = this.target(name, ctx.options, range);
    scope.sources.unshift(baseSource(rel, alias ? foldPart(alias, ctx.options.dialect) : undefined, this.catalog));
    return rel;
  }

  private assignment(a: Assignment, target: ReadRelation, scope: Scope, env: CteEnv, ctx: AnalysisContext, range: Range): [ReadRelation, NamedOutput[]] {
    const last = a.column.at(-1);
    const origins = resolveExpr(a.value, scope, env, ctx);
    if (!last) return [target, []];
    // MySQL multi-table UPDATE may set a column of another joined table.
    const qualified = a.column.length > 1 ? findQualified(a.column.slice(0, -1), scope, ctx)[0]?.base : undefined;
    const rel = qualified ?? target;
    if (rel !== target) this.relationEntity(rel, range, false);
    return [rel, [{ name: foldPart(last, ctx.options.dialect), display: last.value, origins }]];
  }
}

