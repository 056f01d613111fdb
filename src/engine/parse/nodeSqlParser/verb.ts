/** Words that only qualify the object kind after CREATE/ALTER/DROP. */
const MODIFIERS = new Set(['OR', 'REPLACE', 'TEMP', 'TEMPORARY', 'UNIQUE', 'GLOBAL', 'LOCAL', 'UNLOGGED', 'IF', 'NOT', 'EXISTS']);
const TWO_WORD_VERBS = new Set(['CREATE', 'ALTER', 'DROP', 'COMMENT']);

/**
 * The statement's leading keyword(s) in upper case, for `{kind: 'other'}`:
 * "GRANT", "SET", or "CREATE EXTENSION" (the object kind after CREATE/ALTER/DROP).
 */
export function leadingVerb(text: string): string {
  const words = (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ').match(/[A-Za-z_]+/g) ?? []).slice(0, 8).map((w) => w.toUpperCase());
  const first = words[0];
  if (!first) return '';
  if (!TWO_WORD_VERBS.has(first)) return first;
  const kind = words.slice(1).find((w) => !MODIFIERS.has(w));
  return kind ? `${first} ${kind}` : first;
}
