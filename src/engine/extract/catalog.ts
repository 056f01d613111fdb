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
import { intoAssignsVariables, sortedFiles, walkFile } from './statementWalk.ts';

export type RelationKind = 'table' | 'view' | 'materialized_view' | 'dbt_model';

export interface Catalog {
  /** Folded column names in definition order; undefined when no DDL gives them. */
  columnsOf(relKey: string): string[] | undefined;
  kindOf(relKey: string): RelationKind | undefined;
  /** Folded primary-key columns, when declared. */
  primaryKeyOf(relKey: string): string[] | undefined;
}

interface RelationInfo {
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

export function buildCatalog(files: ParsedFile[], optionsFor: (file: ParsedFile) => NameOptions): Catalog {
  const catalog = new MapCatalog();
  const derived: DerivedDefinition[] = [];
  const alters: { key: string; columns: string[]; primaryKey?: string[] }[] = [];
  const fallbackCreates: { key: string; kind: RelationKind; columns?: string[] }[] = [];

  for (const file of sortedFiles(files)) {
    const base = optionsFor(file);
    walkFile(file, base, {
      statement: (walked) => {
        const { statement: s, options } = walked;
        switch (s.kind) {
          case 'createTable': {
            const key = keyOf(s.name, options);
            const fromQuery = s.as !== undefined || s.like !== undefined;
            const columns = fromQuery && s.columns.length === 0 ? undefined : columnNames(s.columns, options);
            if (!catalog.define(key, { kind: 'table', columns, primaryKey: primaryKey(s.columns, s.primaryKey, options) })) return;
            if (s.as) derived.push({ key, query: s.as, declared: s.columns.map((c) => c.name), options });
            else if (s.like) derived.push({ key, like: keyOf(s.like, options), options });
            return;
          }
          case 'createView': {
            const key = keyOf(s.name, options);
            if (catalog.define(key, { kind: s.materialized ? 'materialized_view' : 'view' })) derived.push({ key, query: s.query, declared: s.columns, options });
            return;
          }
          case 'query': {
            if (s.query.kind !== 'select' || !s.query.into || intoAssignsVariables(walked)) return;
            const key = keyOf(s.query.into, options);
            if (catalog.define(key, { kind: 'table' })) derived.push({ key, query: s.query, options });
            return;
          }
          case 'alterTable': {
            const pk = s.primaryKey ? s.primaryKey.map((n) => foldPart(n, options.dialect)) : undefined;
            alters.push({ key: keyOf(s.name, options), columns: columnNames(s.addColumns, options), ...(pk ? { primaryKey: pk } : {}) });
            return;
          }
          default:
            return;
        }
      },
      fallback: ({ parsed, options }) => {
        for (const c of parsed.fallback?.creates ?? []) {
          if (c.kind === 'table' || c.kind === 'view' || c.kind === 'materialized_view') fallbackCreates.push({ key: keyOf(c.name, options), kind: c.kind, ...(c.columns ? { columns: c.columns.map((p) => foldPart(p, options.dialect)) } : {}) });
        }
      },
    });
    const modelKey = dbtModelKey(file, base);
    const query = dbtModelQuery(file);
    if (modelKey && catalog.define(modelKey, { kind: 'dbt_model' }) && query) derived.push({ key: modelKey, query, options: base });
  }

  for (const alter of alters) {
    const info = catalog.relations.get(alter.key);
    if (!info) continue; // altering a table no DDL defines: its full column list stays unknown
    if (info.columns) for (const c of alter.columns) if (!info.columns.includes(c)) info.columns.push(c);
    if (alter.primaryKey) info.primaryKey = alter.primaryKey;
  }
  for (const c of fallbackCreates) catalog.define(c.key, { kind: c.kind, ...(c.columns ? { columns: c.columns } : {}) });

  // Views may read views defined later in the set: repeat until nothing changes.
  for (let pass = 0; pass < 16; pass++) {
    let changed = false;
    for (const def of derived) {
      const info = catalog.relations.get(def.key);
      if (!info) continue;
      let columns: string[] | undefined;
      if (def.like) columns = catalog.columnsOf(def.like)?.slice();
      else if (def.query) {
        const ctx = { catalog, options: def.options, collector: new ReadCollector() };
        columns = outputColumnNames(analyzeQuery(def.query, undefined, new CteEnv(undefined), ctx), def.declared, def.options);
      }
      if (columns && !sameStrings(columns, info.columns)) {
        info.columns = columns;
        changed = true;
      }
    }
    if (!changed) break;
  }
  return catalog;
}
