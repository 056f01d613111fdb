/**
 * Returns the text with the insides of string literals, quoted identifiers
 * and comments replaced by spaces (newlines kept), so regular expressions can
 * look for keywords without being fooled by `'... BEGIN ...'`. Same length,
 * same offsets. One linear pass; unterminated constructs run to the end.
 */
export function maskSql(text: string): string {
  const out = text.split('');
  const n = text.length;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < n; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let i = 0;
  while (i < n) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      let j = i;
      while (j < n && text[j] !== '\n') j++;
      blank(i, j);
      i = j;
    } else if (c === '/' && next === '*') {
      const close = text.indexOf('*/', i + 2);
      const j = close < 0 ? n : close + 2;
      blank(i, j);
      i = j;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (text[j] === c) {
          if (text[j + 1] === c) j += 2;
          else break;
        } else j++;
      }
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '[') {
      const close = text.indexOf(']', i + 1);
      const j = close < 0 ? n : close;
      blank(i + 1, j);
      i = j + 1;
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        const j = close < 0 ? n : close;
        blank(i + tag[0].length, j);
        i = close < 0 ? n : close + tag[0].length;
      } else i++;
    } else i++;
  }
  return out.join('');
}
