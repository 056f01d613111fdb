import type { Dialect } from '../../model/dialect.ts';
import type { NamePart } from '../../model/statements.ts';

/**
 * What the translation of one statement needs besides the AST.
 *
 * node-sql-parser drops the quotes of most identifiers (table names arrive as
 * plain strings), so whether a name was quoted is recovered from the text:
 * a name counts as quoted when the statement contains it between quote
 * characters. That is exact except when the same spelling occurs both quoted
 * and unquoted in one statement, which is rare and harmless for case folding.
 */
export interface TranslationContext {
  readonly text: string;
  readonly dialect: Dialect;
  readonly quotedNames: ReadonlySet<string>;
  /** `"x"` is an identifier (standard SQL), not a string literal (MySQL family). */
  readonly doubleQuotedIsIdentifier: boolean;
}

const DOUBLE_QUOTE_STRINGS: ReadonlySet<Dialect> = new Set<Dialect>(['mysql', 'mariadb', 'bigquery', 'hive', 'flinksql']);

export function createContext(text: string, dialect: Dialect): TranslationContext {
  return {
    text,
    dialect,
    quotedNames: collectQuotedNames(text, dialect === 'transactsql'),
    doubleQuotedIsIdentifier: !DOUBLE_QUOTE_STRINGS.has(dialect),
  };
}

/** One pass over the text: the contents of every `"..."`, `` `...` `` (and `[...]` in T-SQL) outside strings and comments. */
function collectQuotedNames(text: string, brackets: boolean): Set<string> {
  const names = new Set<string>();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === "'") {
      i = skipQuoted(text, i, "'");
    } else if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === '`' || (brackets && c === '[')) {
      const close = c === '[' ? ']' : c;
      const end = skipQuoted(text, i, close);
      names.add(text.slice(i + 1, end - 1).split(close + close).join(close));
      i = end;
    } else {
      i++;
    }
  }
  return names;
}

/** Index just past the closing quote; a doubled quote is an escaped one. */
function skipQuoted(text: string, start: number, close: string): number {
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === close) {
      if (text[i + 1] === close) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return text.length;
}

/** A name from a plain string, with its quoting recovered from the text. */
export function namePart(ctx: TranslationContext, value: string): NamePart {
  return { value, quoted: ctx.quotedNames.has(value) };
}
