import type { Dialect } from '../model/dialect.ts';

/**
 * The low-level lexical rules the text layer shares (splitter, guards,
 * fallback scan). Every helper here is a forward-only loop: each returns the
 * index just past what it skipped, or -1 when the construct never closes, so
 * callers stay linear and never recurse.
 */
export interface LexTraits {
  /** `\'` escapes inside '...' (MySQL-family, BigQuery, Hive, Snowflake). */
  backslashInSingle: boolean;
  /** `\"` escapes inside "..." (dialects where "..." is a string). */
  backslashInDouble: boolean;
  /** BigQuery quoted identifiers accept backslash escapes. */
  backslashInBacktick: boolean;
  backtickQuotes: boolean;
  /** `#` starts a line comment (MySQL-family, BigQuery). */
  hashComments: boolean;
  /** Block comments nest (PostgreSQL, SQL Server). */
  nestedComments: boolean;
  /** `$$ ... $$` and `$tag$ ... $tag$`. */
  dollarQuotes: boolean;
  /** `[identifier]` (SQL Server, SQLite). */
  brackets: boolean;
  /** `E'...'` strings take backslash escapes (PostgreSQL family). */
  eStrings: boolean;
  /** `#temp` is part of an identifier (SQL Server). */
  hashInIdentifiers: boolean;
}

const MYSQLISH: ReadonlySet<Dialect> = new Set<Dialect>(['mysql', 'mariadb']);

export function lexTraits(dialect: Dialect): LexTraits {
  const mysqlish = MYSQLISH.has(dialect);
  return {
    backslashInSingle: mysqlish || dialect === 'bigquery' || dialect === 'hive' || dialect === 'snowflake',
    backslashInDouble: mysqlish || dialect === 'bigquery' || dialect === 'hive',
    backslashInBacktick: dialect === 'bigquery',
    backtickQuotes: ['mysql', 'mariadb', 'bigquery', 'hive', 'sqlite', 'athena', 'flinksql', 'generic'].includes(dialect),
    hashComments: mysqlish || dialect === 'bigquery',
    nestedComments: dialect === 'postgresql' || dialect === 'transactsql',
    dollarQuotes: ['postgresql', 'redshift', 'duckdb', 'snowflake', 'generic'].includes(dialect),
    brackets: dialect === 'transactsql' || dialect === 'sqlite',
    eStrings: ['postgresql', 'redshift', 'duckdb', 'generic'].includes(dialect),
    hashInIdentifiers: dialect === 'transactsql',
  };
}

export const CH = {
  tab: 9,
  lf: 10,
  vt: 11,
  ff: 12,
  cr: 13,
  space: 32,
  bang: 33,
  dquote: 34,
  hash: 35,
  dollar: 36,
  squote: 39,
  lparen: 40,
  rparen: 41,
  star: 42,
  comma: 44,
  minus: 45,
  dot: 46,
  slash: 47,
  colon: 58,
  semicolon: 59,
  equals: 61,
  at: 64,
  lbracket: 91,
  backslash: 92,
  rbracket: 93,
  underscore: 95,
  backtick: 96,
  nbsp: 0xa0,
  bom: 0xfeff,
} as const;

export function isWhitespace(c: number): boolean {
  return c === CH.space || c === CH.tab || c === CH.lf || c === CH.cr || c === CH.ff || c === CH.vt || c === CH.nbsp || c === CH.bom;
}

export function isLineBreak(c: number): boolean {
  return c === CH.lf || c === CH.cr;
}

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** First character of an unquoted word. Non-ASCII letters count: SQL allows them. */
export function isWordStart(c: number, traits: LexTraits): boolean {
  return isAsciiLetter(c) || c === CH.underscore || c === CH.at || (c === CH.hash && traits.hashInIdentifiers) || (c >= 0x80 && !isWhitespace(c));
}

export function isWordPart(c: number, traits: LexTraits): boolean {
  return isWordStart(c, traits) || isDigit(c) || c === CH.dollar;
}

/** ASCII characters that continue a word in every dialect: letters, digits, `_`, `@`, `$`. */
const ASCII_WORD_PART = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (isAsciiLetter(c) || isDigit(c) || c === CH.underscore || c === CH.at || c === CH.dollar) ASCII_WORD_PART[c] = 1;
}

/** Index just past the unquoted word starting at `pos` (the same rule as isWordPart, by table for ASCII). */
export function wordEnd(text: string, pos: number, traits: LexTraits): number {
  const n = text.length;
  let i = pos + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c < 128 ? ASCII_WORD_PART[c] === 1 || (c === CH.hash && traits.hashInIdentifiers) : !isWhitespace(c)) i++;
    else break;
  }
  return i;
}

/** Index of the line break ending the line that contains `pos` (or text.length). */
export function lineEnd(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === CH.lf || c === CH.cr) return i;
  }
  return text.length;
}

/**
 * Skips a quoted token whose content starts at `contentStart`. A doubled
 * closing character is an escaped one; with `backslash`, `\x` escapes too.
 */
export function skipQuoted(text: string, contentStart: number, close: number, backslash: boolean): number {
  let i = contentStart;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (backslash && c === CH.backslash) {
      i += 2;
      continue;
    }
    if (c === close) {
      if (text.charCodeAt(i + 1) === close) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return -1;
}

/** Skips a `/* ... *\/` comment starting at `pos`; nested comments when `nested`. */
export function skipBlockComment(text: string, pos: number, nested: boolean): number {
  let depth = 1;
  let i = pos + 2;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === CH.star && text.charCodeAt(i + 1) === CH.slash) {
      depth--;
      i += 2;
      if (depth === 0) return i;
      continue;
    }
    if (nested && c === CH.slash && text.charCodeAt(i + 1) === CH.star) {
      depth++;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/** The opening `$tag$` (or `$$`) at `pos`, if one starts there. */
export function dollarTagAt(text: string, pos: number): string | undefined {
  if (text.charCodeAt(pos) !== CH.dollar) return undefined;
  let i = pos + 1;
  const first = text.charCodeAt(i);
  if (first === CH.dollar) return '$$';
  if (!(isAsciiLetter(first) || first === CH.underscore || first >= 0x80)) return undefined;
  i++;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === CH.dollar) return text.slice(pos, i + 1);
    if (!(isAsciiLetter(c) || isDigit(c) || c === CH.underscore || c >= 0x80)) return undefined;
    i++;
  }
  return undefined;
}

/** Skips a dollar-quoted body opened by `tag` at `pos`. */
export function skipDollarQuoted(text: string, pos: number, tag: string): number {
  const close = text.indexOf(tag, pos + tag.length);
  return close < 0 ? -1 : close + tag.length;
}

/** Whether `'` at `pos` opens a PostgreSQL `E'...'` escape string. */
export function isEString(text: string, pos: number, traits: LexTraits): boolean {
  if (!traits.eStrings || pos < 1) return false;
  const e = text.charCodeAt(pos - 1);
  if (e !== 69 && e !== 101) return false;
  return pos < 2 || !isWordPart(text.charCodeAt(pos - 2), traits);
}

/**
 * Skips the string, quoted identifier or comment starting at `pos`, if one
 * starts there. Returns undefined when none does, -1 when it never closes,
 * otherwise the index just past it.
 */
export function skipQuoteOrComment(text: string, pos: number, traits: LexTraits): number | undefined {
  const c = text.charCodeAt(pos);
  const next = text.charCodeAt(pos + 1);
  switch (c) {
    case CH.squote:
      return skipQuoted(text, pos + 1, CH.squote, traits.backslashInSingle || isEString(text, pos, traits));
    case CH.dquote:
      return skipQuoted(text, pos + 1, CH.dquote, traits.backslashInDouble);
    case CH.backtick:
      return traits.backtickQuotes ? skipQuoted(text, pos + 1, CH.backtick, traits.backslashInBacktick) : undefined;
    case CH.lbracket:
      return traits.brackets ? skipQuoted(text, pos + 1, CH.rbracket, false) : undefined;
    case CH.minus:
      return next === CH.minus ? lineEnd(text, pos) : undefined;
    case CH.hash:
      return traits.hashComments ? lineEnd(text, pos) : undefined;
    case CH.slash:
      return next === CH.star ? skipBlockComment(text, pos, traits.nestedComments) : undefined;
    case CH.dollar: {
      if (!traits.dollarQuotes) return undefined;
      const tag = dollarTagAt(text, pos);
      return tag === undefined ? undefined : skipDollarQuoted(text, pos, tag);
    }
    default:
      return undefined;
  }
}
