/**
 * What the DDL across the whole input set says about relations: their kind,
 * their ordered columns and primary keys. Built before resolution so that a
 * query in one file can use a table defined in another.
 */
import type { ParsedFile } from '../model/parsed.ts';
import type { ColumnDef, NamePart, ObjectName, Query } from '../model/statements.ts';
import { relationKey } from './keys.ts';
import { foldPart, qualify } from './names.ts';
import type { NameOptions } from './names.ts';
import { analyzeQuery, CteEnv, ReadCollector } from './scope.ts';
import type { QueryShape } from './scope.ts';
import { intoAssignsVariables, walkFile } from './statementWalk.ts';

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'dbt_model';

export interface Catalog {
  /** Folded column names in definition order; undefined when no DDL gives them. */
  columnsOf(relKey: string): string[] | undefined;
  kindOf(relKey: string): RelationKind | undefined;
  /** Folded primary-key columns, when declared. */
  primaryKeyOf(relKey: string): string[] | undefined;
}

export interface RelationInfo {
  kind: RelationKind;
  columns?: string[];
  primaryKey?: string[];
}

/** A relation whose columns come from a query (view, CTAS, SELECT INTO, dbt model) or LIKE. */
interface DerivedDefinition {
  key: string;
  query?: Query;
  like?: string;
  declared?: NamePart[];
  options: NameOptions;
  /** The columns, when they follow from the query alone (no catalog lookup): the query is then not kept. */
  columns?: string[];
}

class MapCatalog implements Catalog {
  readonly relations = new Map<string, RelationInfo>();
  columnsOf(relKey: string): string[] | undefined {
    return this.relations.get(relKey)?.columns;
  }
  kindOf(relKey: string): RelationKind | undefined {
    return this.relations.get(relKey)?.kind;
  }
  primaryKeyOf(relKey: string): string[] | undefined {
    return this.relations.get(relKey)?.primaryKey;
  }
  /** First definition wins; returns whether this one did. */
  define(key: string, info: RelationInfo): boolean {
    if (this.relations.has(key)) return false;
    this.relations.set(key, info);
    return true;
  }
}

/** Every relation the catalog knows, with what it knows of it (for diffing two catalogs). */
export function relationsOf(catalog: Catalog): ReadonlyMap<string, Readonly<RelationInfo>> {
  return catalog instanceof MapCatalog ? catalog.relations : new Map();
}

/**
 * A catalog rebuilt from relationsOf(): a Map of plain objects crosses a
 * worker boundary by structured clone, a Catalog's methods do not.
 */
export function catalogFromRelations(relations: ReadonlyMap<string, Readonly<RelationInfo>>): Catalog {
  const catalog = new MapCatalog();
  for (const [key, info] of relations) catalog.relations.set(key, info as RelationInfo);
  return catalog;
}

export const emptyCatalog: Catalog = {
  columnsOf: () => undefined,
  kindOf: () => undefined,
  primaryKeyOf: () => undefined,
};

/** Output column names of a query, with a declared list taking precedence; undefined when `*` hides some. */
export function outputColumnNames(shape: QueryShape, declared: NamePart[] | undefined, options: NameOptions): string[] | undefined {
  if (declared && declared.length > 0) return declared.map((n) => foldPart(n, options.dialect));
  if (shape.openStars.length > 0) return undefined;
  const names: string[] = [];
  for (const out of shape.outputs) if (out.name !== undefined && !names.includes(out.name)) names.push(out.name);
  return names;
}

function columnNames(defs: ColumnDef[], options: NameOptions): string[] {
  return defs.map((d) => foldPart(d.name, options.dialect));
}

function primaryKey(defs: ColumnDef[], declared: NamePart[] | undefined, options: NameOptions): string[] | undefined {
  if (declared && declared.length > 0) return declared.map((n) => foldPart(n, options.dialect));
  const inline = defs.filter((d) => d.primaryKey).map((d) => foldPart(d.name, options.dialect));
  return inline.length > 0 ? inline : undefined;
}

function sameStrings(a: readonly string[], b: readonly string[] | undefined): boolean {
  if (!b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const keyOf = (name: ObjectName, options: NameOptions): string => relationKey(qualify(name, options));

/** The query that defines a dbt model: the file's last top-level query. */
export function dbtModelQuery(file: ParsedFile): Query | undefined {
  let found: Query | undefined;
  for (const parsed of file.statements) {
    if (parsed.owner) continue;
    for (const s of parsed.statements) if (s.kind === 'query') found = s.query;
  }
  return found;
}

export function dbtModelKey(file: ParsedFile, options: NameOptions): string | undefined {
  if (!file.dbtModel) return undefined;
  return keyOf([{ value: file.dbtModel.name, quoted: false }], options);
}

/** A relation one file defines, in the order the file defines it. */
interface Definition {
  key: string;
  info: RelationInfo;
  /** How its columns follow from a query or LIKE, when they do. */
  derived?: Omit<DerivedDefinition, 'key'>;
}

/**
 * What one file's DDL tells the catalog, without its statements: the
 * relations it defines (in order), the columns its ALTERs add and the
 * relations only the fallback scanner saw. A workspace keeps one per file
 * with DDL, so merging these instead of re-walking statements keeps the
 * catalog's memory at a fraction of the parsed DDL's.
 */
export interface CatalogFacts {
  path: string;
  defines: Definition[];
  alters: { key: string; columns: string[]; primaryKey?: string[] }[];
  fallbackCreates: { key: string; kind: RelationKind; columns?: string[] }[];
}

export function catalogFactsOf(file: ParsedFile, base: NameOptions): CatalogFacts {
  const facts: CatalogFacts = { path: file.path, defines: [], alters: [], fallbackCreates: [] };
  walkFile(file, base, {
    statement: (walked) => {
      const { statement: s, options } = walked;
      switch (s.kind) {
        case 'createTable': {
          const fromQuery = s.as !== undefined || s.like !== undefined;
          const columns = fromQuery && s.columns.length === 0 ? undefined : columnNames(s.columns, options);
          const definition: Definition = { key: keyOf(s.name, options), info: { kind: 'table', columns, primaryKey: primaryKey(s.columns, s.primaryKey, options) } };
          if (s.as) definition.derived = { query: s.as, declared: s.columns.map((c) => c.name), options };
          else if (s.like) definition.derived = { like: keyOf(s.like, options), options };
          facts.defines.push(definition);
          return;
        }
        case 'createView':
          facts.defines.push({ key: keyOf(s.name, options), info: { kind: s.materialized ? 'materialized_view' : 'view' }, derived: { query: s.query, declared: s.columns, options } });
          return;
        case 'query':
          if (s.query.kind !== 'select' || !s.query.into || intoAssignsVariables(walked)) return;
          facts.defines.push({ key: keyOf(s.query.into, options), info: { kind: 'table' }, derived: { query: s.query, options } });
          return;
        case 'alterTable': {
          const pk = s.primaryKey ? s.primaryKey.map((n) => foldPart(n, options.dialect)) : undefined;
          facts.alters.push({ key: keyOf(s.name, options), columns: columnNames(s.addColumns, options), ...(pk ? { primaryKey: pk } : {}) });
          return;
        }
        default:
          return;
      }
    },
    fallback: ({ parsed, options }) => {
      for (const c of parsed.fallback?.creates ?? []) {
        if (c.kind === 'table' || c.kind === 'view' || c.kind === 'materialized_view') facts.fallbackCreates.push({ key: keyOf(c.name, options), kind: c.kind, ...(c.columns ? { columns: c.columns.map((p) => foldPart(p, options.dialect)) } : {}) });
      }
    },
  });
  const modelKey = dbtModelKey(file, base);
  const query = dbtModelQuery(file);
  if (modelKey) facts.defines.push({ key: modelKey, info: { kind: 'dbt_model' }, ...(query ? { derived: { query, options: base } } : {}) });
  for (const d of facts.defines) if (d.derived) d.derived = settleIfIndependent(d.derived);
  return facts;
}

/**
 * A derived definition whose columns need no catalog keeps its column names
 * instead of its query: the query ASTs of views and CTAS were most of a
 * large workspace's catalog. Output names are syntactic (an alias or a
 * column's own name) except where a `*` is expanded, so a query with no
 * star anywhere, subqueries and CTEs included, is settled once, here.
 */
function settleIfIndependent(derived: Omit<DerivedDefinition, 'key'>): Omit<DerivedDefinition, 'key'> {
  if (!derived.query || hasStar(derived.query)) return derived;
  const columns = derivedColumns(derived, emptyCatalog);
  return columns ? { options: derived.options, columns } : derived;
}

function hasStar(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasStar);
  if (typeof node !== 'object' || node === null) return false;
  const record = node as Record<string, unknown>;
  if (record['star'] !== undefined) return true;
  for (const key in record) if (hasStar(record[key])) return true;
  return false;
}

function derivedColumns(def: Omit<DerivedDefinition, 'key'>, catalog: Catalog): string[] | undefined {
  if (def.columns) return def.columns.slice();
  if (def.like) return catalog.columnsOf(def.like)?.slice();
  if (!def.query) return undefined;
  const ctx = { catalog, options: def.options, collector: new ReadCollector() };
  return outputColumnNames(analyzeQuery(def.query, undefined, new CteEnv(undefined), ctx), def.declared, def.options);
}

export function buildCatalog(files: ParsedFile[], optionsFor: (file: ParsedFile) => NameOptions): Catalog {
  return mergeCatalogFacts(files.map((file) => catalogFactsOf(file, optionsFor(file))));
}

/** The catalog of a set of files from their facts; the same for any order of `facts`. */
export function mergeCatalogFacts(facts: readonly CatalogFacts[]): Catalog {
  const catalog = new MapCatalog();
  const derived: DerivedDefinition[] = [];
  // Sorted by path, so that "first definition wins" does not depend on input order.
  const sorted = [...facts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    for (const d of file.defines) {
      // A copy: ALTERs and derived columns change the catalog's info, never the facts.
      const info: RelationInfo = { ...d.info, ...(d.info.columns ? { columns: d.info.columns.slice() } : {}) };
      if (catalog.define(d.key, info) && d.derived) derived.push({ key: d.key, ...d.derived });
    }
  }
  for (const file of sorted) {
    for (const alter of file.alters) {
      const info = catalog.relations.get(alter.key);
      if (!info) continue; // altering a table no DDL defines: its full column list stays unknown
      if (info.columns) for (const c of alter.columns) if (!info.columns.includes(c)) info.columns.push(c);
      if (alter.primaryKey) info.primaryKey = alter.primaryKey;
    }
  }
  for (const file of sorted) for (const c of file.fallbackCreates) catalog.define(c.key, { kind: c.kind, ...(c.columns ? { columns: c.columns.slice() } : {}) });

  // Views may read views defined later in the set: repeat until nothing changes.
  for (let pass = 0; pass < 16; pass++) {
    let changed = false;
    for (const def of derived) {
      const info = catalog.relations.get(def.key);
      if (!info) continue;
      const columns = derivedColumns(def, catalog);
      if (columns && !sameStrings(columns, info.columns)) {
        info.columns = columns;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return catalog;
}
