import type { Dialect } from '../model/dialect.ts';
import { CH, isDigit, isWhitespace, isWordPart, isWordStart, lexTraits, skipQuoteOrComment, wordEnd } from './lexing.ts';

/**
 * A flat token stream for the tolerant relation scan: words, quoted
 * identifiers and single punctuation characters. String literals, numbers and
 * dollar-quoted bodies become `literal` tokens; comments vanish. An
 * unterminated quote or comment ends the stream.
 */
export interface ScanToken {
  kind: 'word' | 'quoted' | 'punct' | 'literal';
  /** Words as written; quoted identifiers unescaped; punctuation the character. */
  text: string;
  /** Upper-cased word (empty for other kinds and very long words). */
  upper: string;
}

const MAX_KEYWORD_LENGTH = 20;

export function scanTokens(text: string, dialect: Dialect): ScanToken[] {
  const traits = lexTraits(dialect);
  // In these dialects "..." is a string, not an identifier.
  const doubleIsString = traits.backslashInDouble;
  const tokens: ScanToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isWhitespace(c)) {
      i++;
      continue;
    }
    if (isWordStart(c, traits)) {
      const end = wordEnd(text, i, traits);
      const word = text.slice(i, end);
      tokens.push({ kind: 'word', text: word, upper: word.length <= MAX_KEYWORD_LENGTH ? word.toUpperCase() : '' });
      i = end;
      continue;
    }
    if (isDigit(c)) {
      let end = i + 1;
      while (end < n && (isWordPart(text.charCodeAt(end), traits) || text.charCodeAt(end) === CH.dot)) end++;
      tokens.push({ kind: 'literal', text: '', upper: '' });
      i = end;
      continue;
    }
    const end = skipQuoteOrComment(text, i, traits);
    if (end === undefined) {
      tokens.push({ kind: 'punct', text: text[i] ?? '', upper: '' });
      i++;
      continue;
    }
    if (end < 0) break;
    const quotedIdentifier = c === CH.backtick || c === CH.lbracket || (c === CH.dquote && !doubleIsString);
    if (quotedIdentifier) {
      tokens.push({ kind: 'quoted', text: unquote(text.slice(i + 1, end - 1), c === CH.lbracket ? ']' : text[i] ?? ''), upper: '' });
    } else if (c === CH.squote || c === CH.dquote || c === CH.dollar) {
      tokens.push({ kind: 'literal', text: '', upper: '' });
    }
    i = end;
  }
  return tokens;
}

function unquote(inner: string, close: string): string {
  return inner.includes(close + close) ? inner.split(close + close).join(close) : inner;
}
