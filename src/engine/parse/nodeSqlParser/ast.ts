import type { NamePart, ObjectName, ColumnRef } from '../../model/statements.ts';
import { namePart, type TranslationContext } from './context.ts';

/** node-sql-parser's AST is untyped JSON; these accessors keep the walkers honest. */
export type AstNode = { [key: string]: unknown };

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function nodeAt(node: AstNode, key: string): AstNode | undefined {
  const value = node[key];
  return isNode(value) ? value : undefined;
}

export function listAt(node: AstNode, key: string): unknown[] {
  const value = node[key];
  return Array.isArray(value) ? value : [];
}

export function stringAt(node: AstNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

/** A node's `type`, lower case ('' when absent). */
export function typeOf(node: AstNode): string {
  const type = node['type'];
  return typeof type === 'string' ? type.toLowerCase() : '';
}

const QUOTED_TYPES = new Set(['double_quote_string', 'backticks_quote_string', 'bracket_quote_string']);

/**
 * One identifier in any of the shapes the grammars use: a plain string,
 * `{type, value}`, `{expr: {type, value}}` or a column_ref wrapping one.
 */
export function identifier(ctx: TranslationContext, value: unknown): NamePart | undefined {
  if (typeof value === 'string') return value === '' ? undefined : namePart(ctx, value);
  if (!isNode(value)) return undefined;
  if (typeOf(value) === 'column_ref') return identifier(ctx, value['column']);
  const inner = value['value'];
  if (typeof inner === 'string') {
    const type = typeOf(value);
    if (QUOTED_TYPES.has(type)) return { value: inner, quoted: true };
    if (type === 'default') return { value: inner, quoted: false };
    return namePart(ctx, inner);
  }
  if ('expr' in value) return identifier(ctx, value['expr']);
  return undefined;
}

export function identifiers(ctx: TranslationContext, values: unknown): NamePart[] {
  if (!Array.isArray(values)) return [];
  const parts: NamePart[] = [];
  for (const value of values) {
    const part = identifier(ctx, value);
    if (part) parts.push(part);
  }
  return parts;
}

/** BigQuery writes `proj.ds.tab` inside one pair of backticks; Flink keeps `cat.db` in one field. */
function splitsDottedNames(ctx: TranslationContext): boolean {
  return ctx.dialect === 'bigquery' || ctx.dialect === 'flinksql';
}

function pushQualifier(ctx: TranslationContext, parts: NamePart[], value: unknown): void {
  const part = identifier(ctx, value);
  if (!part) return;
  if (splitsDottedNames(ctx) && part.value.includes('.')) {
    for (const piece of part.value.split('.')) if (piece) parts.push({ value: piece, quoted: part.quoted });
  } else {
    parts.push(part);
  }
}

/**
 * A table-like name from a FROM item or DDL target: `{server?, catalog?, db?, schema?, table}`.
 * `nameKey` is the field holding the last part ('table', 'view', 'trigger', ...).
 */
export function objectName(ctx: TranslationContext, node: unknown, nameKey = 'table'): ObjectName {
  if (typeof node === 'string') {
    const parts: NamePart[] = [];
    pushQualifier(ctx, parts, node);
    return parts;
  }
  if (!isNode(node)) return [];
  const parts: NamePart[] = [];
  pushQualifier(ctx, parts, node['server']);
  const db = node['db'];
  const catalog = node['catalog'];
  if (catalog !== undefined && catalog !== null && !sameIdentifier(catalog, db)) pushQualifier(ctx, parts, catalog);
  pushQualifier(ctx, parts, db);
  pushQualifier(ctx, parts, node['schema']);
  pushQualifier(ctx, parts, node[nameKey]);
  return parts;
}

function sameIdentifier(a: unknown, b: unknown): boolean {
  const text = (v: unknown): unknown => (isNode(v) ? v['value'] : v);
  return text(a) === text(b);
}

/** A routine or function name: `{name: [{value}], schema?}` or a plain string. */
export function functionName(ctx: TranslationContext, name: unknown): ObjectName {
  if (typeof name === 'string') return [namePart(ctx, name)];
  if (!isNode(name)) return [];
  const parts: NamePart[] = [];
  pushQualifier(ctx, parts, name['schema']);
  const inner = name['name'];
  if (Array.isArray(inner)) parts.push(...identifiers(ctx, inner));
  else pushQualifier(ctx, parts, inner);
  return parts;
}

/** A column_ref's parts, outermost first; undefined for `*` and `t.*`. */
export function columnRef(ctx: TranslationContext, node: AstNode): ColumnRef | undefined {
  const column = identifier(ctx, node['column']);
  if (!column || column.value === '*') return undefined;
  return [...qualifierOf(ctx, node), column];
}

/** The qualifier of a column_ref (`db.schema.table`), outermost first. */
export function qualifierOf(ctx: TranslationContext, node: AstNode): NamePart[] {
  const parts: NamePart[] = [];
  pushQualifier(ctx, parts, node['db']);
  pushQualifier(ctx, parts, node['schema']);
  pushQualifier(ctx, parts, node['table']);
  return parts;
}

/** True for a node that is itself a query (as opposed to `{ast: query}` wrappers). */
export function isQueryNode(node: AstNode): boolean {
  const type = typeOf(node);
  return type === 'select' || type === 'union' || (type === 'values' && Array.isArray(node['values']));
}

/** The query inside a `{ast}` wrapper, a `{type: 'select'}` node, or undefined. */
export function queryNodeOf(value: unknown): AstNode | undefined {
  if (!isNode(value)) return undefined;
  const ast = nodeAt(value, 'ast');
  if (ast) return ast;
  if (isQueryNode(value)) return value;
  return undefined;
}
