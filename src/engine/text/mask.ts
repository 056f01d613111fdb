/**
 * Returns the text with the insides of string literals, quoted identifiers
 * and comments replaced by spaces (newlines kept), so regular expressions can
 * look for keywords without being fooled by `'... BEGIN ...'`. Same length,
 * same offsets. One linear pass; unterminated constructs run to the end.
 */

/** Characters that can open something to mask: `-- /* ' " \` [ $`. */
const OPENERS = /[-/'"`[$]/;
const DOLLAR_TAG = /\$[A-Za-z_]*\$/y;
/** The original only looked for a dollar tag within 64 characters of its `$`. */
const MAX_TAG = 64;

export function maskSql(text: string): string {
  if (!OPENERS.test(text)) return text;
  const n = text.length;
  // Unmasked stretches are copied as slices; only masked ones are rewritten.
  const parts: string[] = [];
  let copied = 0;
  const blank = (from: number, to: number): void => {
    const end = Math.min(to, n);
    if (end <= from) return;
    parts.push(text.slice(copied, from), text.slice(from, end).replace(/[^\r\n]/g, ' '));
    copied = end;
  };
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c === 45 && next === 45) {
      // -- to the end of the line
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      blank(i, j);
      i = j;
    } else if (c === 47 && next === 42) {
      // /* ... */
      const close = text.indexOf('*/', i + 2);
      const j = close < 0 ? n : close + 2;
      blank(i, j);
      i = j;
    } else if (c === 39 || c === 34 || c === 96) {
      // '...', "..." and `...`, with doubled quotes inside
      const quote = text[i] as string;
      let j = i + 1;
      for (;;) {
        const close = text.indexOf(quote, j);
        if (close < 0) {
          j = n;
          break;
        }
        if (text.charCodeAt(close + 1) === c) j = close + 2;
        else {
          j = close;
          break;
        }
      }
      blank(i + 1, j);
      i = j + 1;
    } else if (c === 91) {
      // [identifier]
      const close = text.indexOf(']', i + 1);
      const j = close < 0 ? n : close;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === 36) {
      DOLLAR_TAG.lastIndex = i;
      const match = DOLLAR_TAG.exec(text);
      const tag = match && match[0].length <= MAX_TAG ? match[0] : undefined;
      if (tag) {
        const close = text.indexOf(tag, i + tag.length);
        const j = close < 0 ? n : close;
        blank(i + tag.length, j);
        i = close < 0 ? n : close + tag.length;
      } else i++;
    } else i++;
  }
  if (copied === 0) return text;
  parts.push(text.slice(copied));
  return parts.join('');
}
