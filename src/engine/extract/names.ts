/**
 * Identifier folding and qualification: turns names as written into the
 * canonical [database, schema, name] triple that keys are built from.
 */
import type { Dialect } from '../model/dialect.ts';
import type { NamePart, ObjectName, Use } from '../model/statements.ts';

export interface NameOptions {
  dialect: Dialect;
  /** Undefined means the dialect's own default (see defaultSchemaFor). */
  defaultSchema?: string;
  defaultDatabase?: string;
}

/** A folded, fully qualified name. Empty strings mean "not known / not applicable". */
export interface QualifiedName {
  database: string;
  schema: string;
  name: string;
}

/**
 * Dialects where quoting never makes a name case-sensitive, so quoted and
 * unquoted spellings must give the same key. Redshift downcases quoted
 * identifiers unless `enable_case_sensitive_identifier` is on; Trino/Athena
 * and DuckDB compare identifiers case-insensitively even when quoted.
 */
const CASE_INSENSITIVE = new Set<Dialect>([
  'mysql',
  'mariadb',
  'transactsql',
  'sqlite',
  'bigquery',
  'hive',
  'redshift',
  'trino',
  'athena',
  'duckdb',
]);

/** Dialects that fold unquoted names to upper case: a quoted all-upper name is the unquoted one. */
const UPPER_FOLDING = new Set<Dialect>(['snowflake', 'oracle', 'db2']);

export function defaultSchemaFor(dialect: Dialect): string {
  switch (dialect) {
    case 'postgresql':
    case 'redshift':
    case 'snowflake':
      return 'public';
    case 'transactsql':
      return 'dbo';
    default:
      return '';
  }
}

/**
 * Every unquoted name folds to lower case, whatever the dialect's own folding
 * direction: all that matters is that equal names give equal keys.
 */
export function foldPart(part: NamePart, dialect: Dialect): string {
  if (!part.quoted || CASE_INSENSITIVE.has(dialect)) return part.value.toLowerCase();
  if (UPPER_FOLDING.has(dialect) && part.value === part.value.toUpperCase()) return part.value.toLowerCase();
  return part.value;
}

export function foldName(name: ObjectName, dialect: Dialect): string[] {
  return name.map((p) => foldPart(p, dialect));
}

function effectiveSchema(options: NameOptions): string {
  return (options.defaultSchema ?? defaultSchemaFor(options.dialect)).toLowerCase();
}

/**
 * Completes a name with the defaults. Only the last three parts count (a
 * four-part T-SQL `server.db.schema.name` drops the server). An empty part
 * (T-SQL `db..t`) takes the default. In MySQL/MariaDB a two-part name is
 * `database.table`; it is still stored in the schema slot so that keys keep
 * one shape in every dialect (MySQL has no separate schema level anyway).
 */
export function qualify(name: ObjectName, options: NameOptions): QualifiedName {
  const folded = foldName(name.slice(-3), options.dialect);
  const last = folded[folded.length - 1] ?? '';
  const schemaPart = folded.length >= 2 ? (folded[folded.length - 2] ?? '') : '';
  const dbPart = folded.length >= 3 ? (folded[0] ?? '') : '';
  return {
    database: dbPart || (options.defaultDatabase ?? '').toLowerCase(),
    schema: schemaPart || effectiveSchema(options),
    name: last,
  };
}

/** The name as written, for display: the last part's original spelling. */
export function displayName(name: ObjectName): string {
  return name[name.length - 1]?.value ?? '';
}

/**
 * The defaults after a `USE` statement. MySQL's `USE db` selects what this
 * extractor stores as the schema (see qualify), so it sets the schema there.
 */
export function applyUse(options: NameOptions, use: Use): NameOptions {
  const next: NameOptions = { ...options };
  const mysqlLike = options.dialect === 'mysql' || options.dialect === 'mariadb';
  if (use.database) {
    const db = foldPart(use.database, options.dialect);
    if (mysqlLike) next.defaultSchema = db;
    else next.defaultDatabase = db;
  }
  if (use.schema) next.defaultSchema = foldPart(use.schema, options.dialect);
  return next;
}

export function sameQualifiedName(a: QualifiedName, b: QualifiedName): boolean {
  return a.name === b.name && a.schema === b.schema && a.database === b.database;
}
