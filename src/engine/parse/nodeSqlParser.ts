import { createRequire } from 'node:module';
import type { Parser as NodeSqlParser } from 'node-sql-parser';
import nodeSqlParserPackage from 'node-sql-parser/package.json' with { type: 'json' };
import type { Dialect } from '../model/dialect.ts';
import type { Statement } from '../model/statements.ts';
import { type ParserBackend, StatementParseError } from './backend.ts';
import { isNode } from './nodeSqlParser/ast.ts';
import { createContext } from './nodeSqlParser/context.ts';
import { withEmptyDollarBody } from './nodeSqlParser/dollarBody.ts';
import { translateStatement } from './nodeSqlParser/statements.ts';

/**
 * node-sql-parser's `database` option per dialect. DuckDB and generic SQL go
 * to its PostgreSQL grammar, the nearest (double-quoted identifiers, `::`,
 * dollar quoting); Oracle has no near grammar there (PL/SQL, `q'[...]'`,
 * `CONNECT BY`) and is left to the other backend and the fallback scan.
 */
const DATABASES: Partial<Record<Dialect, string>> = {
  mysql: 'mysql',
  mariadb: 'mariadb',
  postgresql: 'postgresql',
  transactsql: 'transactsql',
  bigquery: 'bigquery',
  snowflake: 'snowflake',
  sqlite: 'sqlite',
  redshift: 'redshift',
  hive: 'hive',
  db2: 'db2',
  trino: 'trino',
  athena: 'athena',
  flinksql: 'flinksql',
  duckdb: 'postgresql',
  generic: 'postgresql',
};

/**
 * The grammars are PEG parsers compiled to JS, one 2.5 MB script: loading it
 * costs ~300 ms and ~15 MB of heap per thread. With sqlparser-rs first most
 * files never reach this backend, so the script loads on the first statement
 * that does, synchronously, rather than in init().
 */
export class NodeSqlParserBackend implements ParserBackend {
  readonly id = 'node-sql-parser' as const;
  readonly version: string = nodeSqlParserPackage.version;
  private parser: NodeSqlParser | undefined;
  private initialised = false;

  supports(dialect: Dialect): boolean {
    return DATABASES[dialect] !== undefined;
  }

  init(): Promise<void> {
    this.initialised = true;
    return Promise.resolve();
  }

  private loaded(): NodeSqlParser {
    this.parser ??= new (requireNodeSqlParser().Parser)();
    return this.parser;
  }

  /** The text of one statement in, its neutral statements out; throws StatementParseError. */
  parse(statementText: string, dialect: Dialect): Statement[] {
    if (!this.initialised) throw new Error('NodeSqlParserBackend.parse called before init()');
    const database = DATABASES[dialect];
    if (!database) throw new StatementParseError(`node-sql-parser has no grammar for ${dialect}`);
    const parser = this.loaded();
    let ast: unknown;
    let bodyText: { text: string; offset: number } | undefined;
    try {
      ast = astify(parser, statementText, database);
    } catch (error) {
      // A routine whose dollar-quoted body the grammar cannot read: parse the
      // header alone and hand the body back as text.
      const stripped = withEmptyDollarBody(statementText);
      if (!stripped) throw toParseError(error);
      try {
        ast = astify(parser, stripped.text, database);
      } catch {
        throw toParseError(error);
      }
      bodyText = stripped.body;
    }
    const ctx = createContext(statementText, dialect);
    const statements: Statement[] = [];
    for (const node of Array.isArray(ast) ? ast : [ast]) {
      if (isNode(node)) statements.push(...translateStatement(ctx, node));
    }
    if (bodyText) {
      for (const statement of statements) {
        if (statement.kind === 'createRoutine') {
          delete statement.body;
          statement.bodyText = bodyText;
        }
      }
    }
    return statements;
  }
}

/**
 * The package, loaded synchronously. In the esbuild bundles (CommonJS) the
 * plain require is what esbuild resolves into the bundle; run from source as
 * ES modules there is no require, so one is made.
 */
function requireNodeSqlParser(): { Parser: new () => NodeSqlParser } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle's require, see above
  if (typeof require === 'function') return require('node-sql-parser') as { Parser: new () => NodeSqlParser };
  return createRequire(import.meta.url)('node-sql-parser') as { Parser: new () => NodeSqlParser };
}

function astify(parser: NodeSqlParser, text: string, database: string): unknown {
  // trimQuery false keeps error positions relative to the text we were given.
  return parser.astify(text, { database, trimQuery: false });
}

function toParseError(error: unknown): StatementParseError {
  if (error instanceof RangeError) return new StatementParseError('statement too deeply nested for node-sql-parser');
  const message = error instanceof Error ? error.message : String(error);
  const location = isNode(error) ? error['location'] : undefined;
  const start = isNode(location) ? location['start'] : undefined;
  if (isNode(start) && typeof start['line'] === 'number' && typeof start['column'] === 'number') {
    return new StatementParseError(message, start['line'], start['column']);
  }
  return new StatementParseError(message);
}

let singleton: NodeSqlParserBackend | undefined;

/** The process-wide instance: the grammars are large, load them once. */
export function nodeSqlParserBackend(): NodeSqlParserBackend {
  singleton ??= new NodeSqlParserBackend();
  return singleton;
}
