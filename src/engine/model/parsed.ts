import type { Dialect } from './dialect.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { Range } from './range.ts';
import type { NamePart, ObjectName, Statement } from './statements.ts';

/** Relations found by the tolerant token scan when no backend could parse a statement. */
export interface FallbackRelations {
  reads: ObjectName[];
  writes: { name: ObjectName; operation: string }[];
  /** `REFERENCES t` in DDL we could not parse. */
  references: ObjectName[];
  /** `CREATE TABLE|VIEW|... name` we could not parse: the object still exists. */
  creates: {
    kind: 'table' | 'view' | 'materialized_view' | 'procedure' | 'function' | 'trigger' | 'index' | 'sequence';
    name: ObjectName;
    /** For CREATE TABLE: the column names read from its parenthesised list. */
    columns?: NamePart[];
  }[];
}

export interface ParsedStatement {
  range: Range;
  /** Which backend parsed it; absent when none did. */
  backend?: 'sqlparser-rs' | 'node-sql-parser';
  statements: Statement[];
  fallback?: FallbackRelations;
  /**
   * Set for statements inside a routine or trigger body: the key-relevant
   * name of the routine whose reads and writes these are.
   */
  owner?: { kind: 'procedure' | 'function' | 'trigger'; name: ObjectName };
}

/** dbt `ref`/`source` calls found in a templated file. */
export interface TemplateRelations {
  refs: { name: string; package?: string; range: Range }[];
  sources: { source: string; table: string; range: Range }[];
}

/**
 * Everything parsing learned about one file, before names are resolved across
 * files. This is what the parse cache stores.
 */
export interface ParsedFile {
  path: string;
  dialect: Dialect;
  encoding: string;
  statements: ParsedStatement[];
  diagnostics: Diagnostic[];
  /** The dbt model a file under models/ defines (its file stem), with its refs and sources. */
  dbtModel?: { name: string; template: TemplateRelations };
  /** Count of statements the splitter found (including those that failed). */
  statementCount: number;
}

export type { NamePart };
