/**
 * The backend-neutral statement model.
 *
 * Each parser backend translates its own AST into these shapes, and only these
 * shapes reach the extractor. They keep exactly what lineage needs (names,
 * scopes, which columns feed which outputs) and drop everything else, so they
 * are small enough to cache as JSON and cheap to send between threads.
 *
 * Expressions are flattened: lineage only needs to know which columns and
 * subqueries an expression mentions, not how it combines them.
 */

/** One identifier as written. `quoted` drives case folding. */
export interface NamePart {
  value: string;
  quoted: boolean;
}

/** A possibly qualified object name, outermost first: [database, schema, name]. */
export type ObjectName = NamePart[];

/** A column reference as written: the last part is the column, the rest qualify it. */
export type ColumnRef = NamePart[];

/** What an expression mentions. Literals, operators and function names are dropped. */
export interface ExprRefs {
  columns: ColumnRef[];
  subqueries: Query[];
}

export interface SelectItem {
  /** `*` or `t.*`: `star` is set and `expr` is empty. */
  star?: { qualifier?: ObjectName };
  expr: ExprRefs;
  alias?: NamePart;
  /** The item is exactly one column reference (no function or operator around it). */
  bare?: boolean;
}

export type TableRef =
  | { kind: 'table'; name: ObjectName; alias?: NamePart }
  | { kind: 'derived'; query: Query; alias?: NamePart; columnAliases?: NamePart[] }
  /** A table-valued function such as `generate_series(...)` or `unnest(...)`. */
  | { kind: 'function'; name: ObjectName; args: ExprRefs; alias?: NamePart }
  | { kind: 'join'; left: TableRef; right: TableRef; on?: ExprRefs; using?: NamePart[] };

export interface Cte {
  name: NamePart;
  columns?: NamePart[];
  query: Query;
}

export interface SelectQuery {
  kind: 'select';
  with?: Cte[];
  recursive?: boolean;
  items: SelectItem[];
  from: TableRef[];
  where?: ExprRefs;
  groupBy?: ExprRefs;
  having?: ExprRefs;
  /** ORDER BY may also name select-list aliases; the extractor resolves those. */
  orderBy?: ExprRefs;
  /** QUALIFY, WINDOW, LIMIT/OFFSET expressions, DISTINCT ON and the like. */
  other?: ExprRefs;
  /** `SELECT ... INTO target` (T-SQL, PostgreSQL): a write. */
  into?: ObjectName;
}

export interface SetOperation {
  kind: 'setop';
  op: 'union' | 'union all' | 'intersect' | 'except';
  with?: Cte[];
  recursive?: boolean;
  left: Query;
  right: Query;
  orderBy?: ExprRefs;
}

export interface ValuesQuery {
  kind: 'values';
  rows: ExprRefs[][];
}

export type Query = SelectQuery | SetOperation | ValuesQuery;

export interface ForeignKey {
  name?: NamePart;
  columns: NamePart[];
  refTable: ObjectName;
  /** Empty when the statement leaves them implicit (the referenced primary key). */
  refColumns: NamePart[];
}

export interface ColumnDef {
  name: NamePart;
  dataType?: string;
  primaryKey?: boolean;
  /** An inline `REFERENCES t(c)`. */
  references?: { table: ObjectName; columns: NamePart[] };
}

export interface Assignment {
  column: ColumnRef;
  value: ExprRefs;
}

export interface CreateTable {
  kind: 'createTable';
  name: ObjectName;
  columns: ColumnDef[];
  foreignKeys: ForeignKey[];
  primaryKey?: NamePart[];
  /** CREATE TABLE ... AS SELECT */
  as?: Query;
  like?: ObjectName;
  temporary?: boolean;
}

export interface CreateView {
  kind: 'createView';
  name: ObjectName;
  materialized: boolean;
  columns?: NamePart[];
  query: Query;
}

export interface Insert {
  kind: 'insert';
  with?: Cte[];
  target: ObjectName;
  columns?: NamePart[];
  /** The rows: a query or VALUES. Absent for `INSERT ... DEFAULT VALUES`. */
  source?: Query;
}

export interface Update {
  kind: 'update';
  with?: Cte[];
  target: ObjectName;
  alias?: NamePart;
  /** Extra relations: PostgreSQL `UPDATE ... FROM`, MySQL multi-table UPDATE joins, T-SQL `UPDATE a SET .. FROM a JOIN b`. */
  from: TableRef[];
  set: Assignment[];
  where?: ExprRefs;
}

export interface Delete {
  kind: 'delete';
  with?: Cte[];
  target: ObjectName;
  alias?: NamePart;
  /** PostgreSQL `USING`, MySQL/T-SQL `FROM a JOIN b` */
  using: TableRef[];
  where?: ExprRefs;
}

export interface Merge {
  kind: 'merge';
  target: ObjectName;
  alias?: NamePart;
  source: TableRef;
  on: ExprRefs;
  set: Assignment[];
  insertColumns?: NamePart[];
  insertValues?: ExprRefs[];
  /** Any other expressions in WHEN clauses. */
  other?: ExprRefs;
}

export interface AlterTable {
  kind: 'alterTable';
  name: ObjectName;
  addColumns: ColumnDef[];
  foreignKeys: ForeignKey[];
  primaryKey?: NamePart[];
  renameTo?: ObjectName;
}

export interface CreateIndex {
  kind: 'createIndex';
  name?: ObjectName;
  table: ObjectName;
  columns: NamePart[];
}

export interface CreateSequence {
  kind: 'createSequence';
  name: ObjectName;
}

export interface CreateSchema {
  kind: 'createSchema';
  name: ObjectName;
}

export interface CreateDatabase {
  kind: 'createDatabase';
  name: NamePart;
}

/**
 * CREATE FUNCTION / PROCEDURE. The body either arrives parsed (`body`) or as
 * text with its offset inside the statement (`bodyText`, e.g. a PostgreSQL
 * dollar-quoted body), which the engine splits and parses itself.
 */
export interface CreateRoutine {
  kind: 'createRoutine';
  routine: 'procedure' | 'function';
  name: ObjectName;
  body?: Statement[];
  bodyText?: { text: string; offset: number };
}

export interface CreateTrigger {
  kind: 'createTrigger';
  name: ObjectName;
  table: ObjectName;
  /** `EXECUTE FUNCTION f()` */
  executes?: ObjectName;
  body?: Statement[];
}

export interface Drop {
  kind: 'drop';
  objectKind: 'table' | 'view' | 'materialized_view' | 'index' | 'sequence' | 'schema' | 'function' | 'procedure' | 'trigger' | 'other';
  names: ObjectName[];
}

/** PostgreSQL COPY and similar bulk loads. `from` writes the table; `to` reads it. */
export interface Copy {
  kind: 'copy';
  direction: 'from' | 'to';
  table?: ObjectName;
  columns?: NamePart[];
  query?: Query;
}

/** `USE db` (T-SQL, MySQL) or `SET search_path`/`\connect`: changes the default qualifiers after it. */
export interface Use {
  kind: 'use';
  database?: NamePart;
  schema?: NamePart;
}

/** A statement lineage does not care about (SET, GRANT, COMMENT, BEGIN, ...). */
export interface Other {
  kind: 'other';
  /** The leading keyword(s), upper case, e.g. "GRANT", "SET". */
  verb: string;
}

export type Statement =
  | { kind: 'query'; query: Query }
  | CreateTable
  | CreateView
  | Insert
  | Update
  | Delete
  | Merge
  | AlterTable
  | CreateIndex
  | CreateSequence
  | CreateSchema
  | CreateDatabase
  | CreateRoutine
  | CreateTrigger
  | Drop
  | Copy
  | Use
  | Other;

export const emptyRefs = (): ExprRefs => ({ columns: [], subqueries: [] });
