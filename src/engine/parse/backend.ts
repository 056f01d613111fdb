import type { Dialect } from '../model/dialect.ts';
import type { Statement } from '../model/statements.ts';

/** A parse failure with the position inside the statement text, when the parser gave one. */
export class StatementParseError extends Error {
  readonly line?: number;
  readonly column?: number;
  constructor(message: string, line?: number, column?: number) {
    super(message);
    this.name = 'StatementParseError';
    if (line !== undefined) this.line = line;
    if (column !== undefined) this.column = column;
  }
}

/**
 * One SQL parser behind the smallest interface the engine needs: the text of
 * exactly one statement in, neutral statements out. It throws
 * StatementParseError when it cannot parse; it never returns a partial result.
 */
export interface ParserBackend {
  readonly id: 'sqlparser-rs' | 'node-sql-parser';
  /** Part of the parse-cache key: a new parser version may parse differently. */
  readonly version: string;
  supports(dialect: Dialect): boolean;
  /** Must be awaited once before parse (WASM initialisation). */
  init(): Promise<void>;
  parse(statementText: string, dialect: Dialect): Statement[];
}
