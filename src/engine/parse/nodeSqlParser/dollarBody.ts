const ROUTINE_HEADER = /^\s*(?:(?:--[^\n]*\n|\/\*[\s\S]*?\*\/)\s*)*create\s+(?:or\s+replace\s+)?(?:function|procedure)\b/i;
const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/g;

/**
 * For `CREATE FUNCTION|PROCEDURE ... AS $tag$ body $tag$`: the statement with
 * the body emptied (so the header can be parsed alone) and the body with its
 * offset in the original statement. Undefined for anything else.
 */
export function withEmptyDollarBody(text: string): { text: string; body: { text: string; offset: number } } | undefined {
  if (!ROUTINE_HEADER.test(text)) return undefined;
  DOLLAR_TAG.lastIndex = 0;
  const open = DOLLAR_TAG.exec(text);
  if (!open) return undefined;
  const tag = open[0];
  const start = open.index + tag.length;
  const end = text.indexOf(tag, start);
  if (end < 0) return undefined;
  return {
    text: text.slice(0, start) + ' ' + text.slice(end),
    body: { text: text.slice(start, end), offset: start },
  };
}
