import type { Dialect } from '../model/dialect.ts';
import { CH, lexTraits, skipQuoteOrComment } from './lexing.ts';

/**
 * Cheap refusals before any parser sees a statement. node-sql-parser
 * overflows its stack at around a thousand nested parentheses and slows down
 * badly on huge lists; one linear scan here catches both, plus sheer size.
 */
export interface GuardLimits {
  /** UTF-8 size of one statement. */
  maxStatementBytes: number;
  /** Parenthesis depth outside quotes and comments. */
  maxNesting: number;
  /** Items (commas + 1) at any one parenthesis level, e.g. an IN list or a multi-row VALUES. */
  maxListItems: number;
}

export const DEFAULT_GUARD_LIMITS: GuardLimits = {
  maxStatementBytes: 512 * 1024,
  maxNesting: 200,
  maxListItems: 5000,
};

export interface GuardViolation {
  code: 'too-large' | 'too-deep' | 'too-many-items';
  message: string;
  /** Offset in the statement text where the limit was crossed. */
  offset: number;
}

export function checkStatement(text: string, limits: Partial<GuardLimits> = {}, dialect: Dialect = 'generic'): GuardViolation | undefined {
  try {
    return check(text, limits, dialect);
  } catch {
    return undefined;
  }
}

function check(text: string, limits: Partial<GuardLimits>, dialect: Dialect): GuardViolation | undefined {
  const maxBytes = limits.maxStatementBytes ?? DEFAULT_GUARD_LIMITS.maxStatementBytes;
  const maxNesting = limits.maxNesting ?? DEFAULT_GUARD_LIMITS.maxNesting;
  const maxItems = limits.maxListItems ?? DEFAULT_GUARD_LIMITS.maxListItems;

  const bytes = utf8Length(text, maxBytes);
  if (bytes > maxBytes) {
    return { code: 'too-large', message: `Statement is larger than ${formatBytes(maxBytes)}; it was not parsed.`, offset: 0 };
  }

  // Quotes and comments only hide parentheses and commas, so when the whole
  // text has too few of them to reach a limit the exact scan cannot find one.
  if (countBelow(text, CH.lparen, maxNesting) && countBelow(text, CH.comma, maxItems - 1)) return undefined;

  const traits = lexTraits(dialect);
  // commas[d] counts the separators seen so far at depth d.
  const commas: number[] = [0];
  let depth = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === CH.lparen) {
      depth++;
      if (depth > maxNesting) {
        return { code: 'too-deep', message: `Parentheses nest deeper than ${maxNesting} levels; the statement was not parsed.`, offset: i };
      }
      commas[depth] = 0;
    } else if (c === CH.rparen) {
      if (depth > 0) depth--;
    } else if (c === CH.comma) {
      const count = (commas[depth] ?? 0) + 1;
      commas[depth] = count;
      if (count + 1 > maxItems) {
        return { code: 'too-many-items', message: `A list has more than ${maxItems} items; the statement was not parsed.`, offset: i };
      }
    } else {
      const end = skipQuoteOrComment(text, i, traits);
      if (end !== undefined) {
        if (end < 0) break; // the rest is one unterminated quote or comment
        i = end;
        continue;
      }
    }
    i++;
  }
  return undefined;
}

/** Whether `text` holds `char` at most `limit` times (stops counting past the limit). */
function countBelow(text: string, char: number, limit: number): boolean {
  if (text.length <= limit) return true;
  const needle = String.fromCharCode(char);
  let count = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    if (++count > limit) return false;
  }
  return true;
}

/** UTF-8 length of `text`, counting stops early once it exceeds `cap`. */
function utf8Length(text: string, cap: number): number {
  if (text.length > cap) return text.length;
  if (text.length * 3 <= cap) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= cap; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}
