import { emptyRefs, type ExprRefs } from '../../model/statements.ts';
import { columnRef, isNode, isQueryNode, nodeAt, typeOf } from './ast.ts';
import type { TranslationContext } from './context.ts';
import { translateQuery } from './queries.ts';

/**
 * Keys that never hold column references: names of functions, aliases, data
 * types, parser bookkeeping. Skipping them also keeps a quoted function or
 * alias name from being mistaken for a double-quoted column.
 */
const SKIPPED_KEYS = new Set(['name', 'as', 'alias', 'dataType', 'loc', 'tableList', 'columnList', 'keyword', 'unit', 'symbol', 'suffix']);

/**
 * Collects every column reference and subquery an expression mentions, in
 * source order. Known node types need no special case: column refs and
 * subqueries are recognised wherever they sit, so new or rare node types
 * (json operators, array constructors, ...) lose nothing.
 */
export function collectRefs(ctx: TranslationContext, node: unknown, into: ExprRefs = emptyRefs()): ExprRefs {
  walk(ctx, node, into);
  return into;
}

function walk(ctx: TranslationContext, value: unknown, refs: ExprRefs): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(ctx, item, refs);
    return;
  }
  if (!isNode(value)) return;
  const type = typeOf(value);
  if (type === 'column_ref') {
    const ref = columnRef(ctx, value);
    if (ref) refs.columns.push(ref);
    return;
  }
  const ast = nodeAt(value, 'ast');
  if (ast) {
    refs.subqueries.push(translateQuery(ctx, ast));
    return;
  }
  if (isQueryNode(value)) {
    refs.subqueries.push(translateQuery(ctx, value));
    return;
  }
  if (type === 'double_quote_string') {
    // T-SQL and SQLite grammars keep `"x"` as a string even where it names a column.
    const text = value['value'];
    if (ctx.doubleQuotedIsIdentifier && typeof text === 'string' && text !== '') refs.columns.push([{ value: text, quoted: true }]);
    return;
  }
  for (const key of Object.keys(value)) {
    if (SKIPPED_KEYS.has(key)) continue;
    const child = value[key];
    if (typeof child === 'object' && child !== null) walk(ctx, child, refs);
  }
}

export function hasRefs(refs: ExprRefs): boolean {
  return refs.columns.length > 0 || refs.subqueries.length > 0;
}
