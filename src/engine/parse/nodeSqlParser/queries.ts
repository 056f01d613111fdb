import { emptyRefs, type Cte, type NamePart, type ObjectName, type Query, type SelectItem, type SelectQuery, type SetOperation, type TableRef } from '../../model/statements.ts';
import { type AstNode, functionName, identifier, identifiers, isNode, listAt, nodeAt, objectName, qualifierOf, queryNodeOf, stringAt, typeOf } from './ast.ts';
import { namePart, type TranslationContext } from './context.ts';
import { collectRefs, hasRefs } from './expressions.ts';

/**
 * A query node: a select whose `_next`/`set_op` chain holds the other
 * branches of a set operation, or a VALUES list.
 */
export function translateQuery(ctx: TranslationContext, node: AstNode): Query {
  if (typeOf(node) === 'values') return valuesQuery(ctx, node);
  const branches: AstNode[] = [node];
  const ops: SetOperation['op'][] = [];
  for (let current = node; ; ) {
    const next = nodeAt(current, '_next');
    if (!next) break;
    ops.push(setOp(stringAt(current, 'set_op')));
    branches.push(next);
    current = next;
  }
  const withClause = translateWith(ctx, node);
  if (branches.length === 1) {
    const query = selectQuery(ctx, node);
    if (withClause) {
      query.with = withClause.ctes;
      if (withClause.recursive) query.recursive = true;
    }
    return query;
  }
  // Left-associative, as the chain reads; the head's WITH covers the whole operation.
  let result: Query = branchQuery(ctx, branches[0] as AstNode);
  for (let i = 1; i < branches.length; i++) {
    result = { kind: 'setop', op: ops[i - 1] ?? 'union', left: result, right: branchQuery(ctx, branches[i] as AstNode) };
  }
  const top = result as SetOperation;
  if (withClause) {
    top.with = withClause.ctes;
    if (withClause.recursive) top.recursive = true;
  }
  const orderBy = node['_orderby'];
  if (Array.isArray(orderBy) && orderBy.length > 0) top.orderBy = collectRefs(ctx, orderBy);
  return top;
}

function branchQuery(ctx: TranslationContext, node: AstNode): Query {
  return typeOf(node) === 'values' ? valuesQuery(ctx, node) : selectQuery(ctx, node);
}

function setOp(raw: string | undefined): SetOperation['op'] {
  const op = (raw ?? 'union').toLowerCase().replace(/\s+/g, ' ').trim();
  if (op.startsWith('intersect')) return 'intersect';
  if (op.startsWith('except') || op.startsWith('minus')) return 'except';
  if (op === 'union all') return 'union all';
  return 'union';
}

function valuesQuery(ctx: TranslationContext, node: AstNode): Query {
  const rows = listAt(node, 'values').map((row) => {
    const cells = isNode(row) && Array.isArray(row['value']) ? row['value'] : [row];
    return cells.map((cell) => collectRefs(ctx, cell));
  });
  return { kind: 'values', rows };
}

export function translateWith(ctx: TranslationContext, node: AstNode): { ctes: Cte[]; recursive: boolean } | undefined {
  const list = node['with'];
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const ctes: Cte[] = [];
  let recursive = false;
  for (const item of list) {
    if (!isNode(item)) continue;
    const name = identifier(ctx, item['name']);
    const body = queryNodeOf(item['stmt']);
    if (!name || !body) continue;
    const cte: Cte = { name, query: translateQuery(ctx, body) };
    const columns = identifiers(ctx, item['columns']);
    if (columns.length > 0) cte.columns = columns;
    ctes.push(cte);
    if (item['recursive'] === true) recursive = true;
  }
  return { ctes, recursive };
}

function selectQuery(ctx: TranslationContext, node: AstNode): SelectQuery {
  const query: SelectQuery = { kind: 'select', items: selectItems(ctx, node['columns']), from: translateFrom(ctx, node['from']) };
  const where = node['where'];
  if (isNode(where)) query.where = collectRefs(ctx, where);
  const groupBy = groupByItems(node['groupby']);
  if (groupBy.length > 0) query.groupBy = collectRefs(ctx, groupBy);
  const having = node['having'];
  if (isNode(having)) query.having = collectRefs(ctx, having);
  const orderBy = node['orderby'];
  if (Array.isArray(orderBy) && orderBy.length > 0) query.orderBy = collectRefs(ctx, orderBy);
  const other = emptyRefs();
  for (const key of ['distinct', 'limit', 'qualify', 'window', 'top']) collectRefs(ctx, node[key], other);
  if (hasRefs(other)) query.other = other;
  const into = intoTarget(ctx, node['into']);
  if (into) query.into = into;
  return query;
}

function groupByItems(groupBy: unknown): unknown[] {
  if (Array.isArray(groupBy)) return groupBy;
  if (isNode(groupBy) && Array.isArray(groupBy['columns'])) return groupBy['columns'];
  return [];
}

function selectItems(ctx: TranslationContext, columns: unknown): SelectItem[] {
  if (columns === '*') return [{ star: {}, expr: emptyRefs() }];
  if (!Array.isArray(columns)) return [];
  const items: SelectItem[] = [];
  for (const column of columns) {
    if (!isNode(column)) continue;
    const expr = isNode(column['expr']) ? column['expr'] : column;
    const type = typeOf(expr);
    if (type === 'star' || (type === 'column_ref' && identifier(ctx, expr['column'])?.value === '*')) {
      const qualifier = type === 'column_ref' ? qualifierOf(ctx, expr) : [];
      items.push({ star: qualifier.length > 0 ? { qualifier } : {}, expr: emptyRefs() });
      continue;
    }
    const item: SelectItem = { expr: collectRefs(ctx, expr) };
    const alias = identifier(ctx, column['as']);
    if (alias) item.alias = alias;
    if (type === 'column_ref' || (type === 'double_quote_string' && ctx.doubleQuotedIsIdentifier)) {
      if (item.expr.columns.length === 1) item.bare = true;
    }
    items.push(item);
  }
  return items;
}

/** `SELECT ... INTO t`; MySQL's `INTO @var` and `INTO OUTFILE` write no table. */
function intoTarget(ctx: TranslationContext, into: unknown): ObjectName | undefined {
  if (!isNode(into)) return undefined;
  const keyword = stringAt(into, 'keyword')?.toLowerCase();
  if (keyword === 'var' || keyword === 'outfile' || keyword === 'dumpfile') return undefined;
  const target = into['expr'];
  if (typeof target === 'string') return target.startsWith('@') ? undefined : dottedName(ctx, target);
  if (isNode(target) && typeOf(target) !== 'var') {
    const name = 'table' in target ? objectName(ctx, target) : identifier(ctx, target);
    if (Array.isArray(name)) return name.length > 0 ? name : undefined;
    return name ? [name] : undefined;
  }
  return undefined;
}

/** A name the grammar kept as one dotted string (`SELECT INTO s.t`). */
function dottedName(ctx: TranslationContext, text: string): ObjectName {
  return text.split('.').filter((p) => p !== '').map((p) => namePart(ctx, p));
}

/**
 * The FROM list arrives flat: an item with `join` joins everything before it
 * up to the previous comma, which gives left-deep join trees.
 */
export function translateFrom(ctx: TranslationContext, from: unknown): TableRef[] {
  if (!Array.isArray(from)) return [];
  const refs: TableRef[] = [];
  for (const item of from) {
    if (!isNode(item)) continue;
    const ref = tableRef(ctx, item);
    if (!ref) continue;
    const last = refs[refs.length - 1];
    if (typeof item['join'] === 'string' && last) {
      const join: TableRef = { kind: 'join', left: last, right: ref };
      const on = item['on'];
      if (isNode(on)) join.on = collectRefs(ctx, on);
      const using = identifiers(ctx, item['using']);
      if (using.length > 0) join.using = using;
      refs[refs.length - 1] = join;
    } else {
      refs.push(ref);
    }
  }
  return refs;
}

/** Words some grammars take as a table alias when they precede a join. */
const NOT_ALIASES = new Set(['cross', 'natural', 'left', 'right', 'inner', 'full', 'outer', 'join', 'cascade', 'restrict']);

function tableRef(ctx: TranslationContext, item: AstNode): TableRef | undefined {
  const alias = parseAlias(ctx, item['as']);
  const expr = item['expr'];
  const query = queryNodeOf(expr);
  if (query) {
    const ref: TableRef = { kind: 'derived', query: translateQuery(ctx, query) };
    if (alias.name) ref.alias = alias.name;
    if (alias.columns.length > 0) ref.columnAliases = alias.columns;
    return ref;
  }
  if (isNode(expr) && typeOf(expr) === 'tables') {
    // A parenthesised join `(a JOIN b ON ...)`; a comma list inside becomes a cross join.
    const inner = translateFrom(ctx, expr['expr']);
    return inner.reduce<TableRef | undefined>((left, right) => (left ? { kind: 'join', left, right } : right), undefined);
  }
  if (isNode(expr)) {
    // Table functions: generate_series(...), unnest(...), T-SQL TVFs.
    const isUnnest = typeOf(item) === 'unnest';
    const name = isUnnest ? [{ value: 'unnest', quoted: false }] : functionName(ctx, expr['name']);
    const args = isUnnest ? collectRefs(ctx, expr) : collectRefs(ctx, expr['args'] ?? expr);
    const ref: TableRef = { kind: 'function', name, args };
    if (alias.name) ref.alias = alias.name;
    return ref;
  }
  if (typeOf(item) === 'dual') return undefined;
  if (item['table'] === undefined || item['table'] === null) return undefined;
  const name = objectName(ctx, item);
  if (name.length === 0) return undefined;
  const ref: TableRef = { kind: 'table', name };
  if (alias.name && !(NOT_ALIASES.has(alias.name.value.toLowerCase()) && !alias.name.quoted)) ref.alias = alias.name;
  return ref;
}

/** Aliases come as a name, or (PostgreSQL, T-SQL) as one string `q(a, b)` holding the column aliases too. */
export function parseAlias(ctx: TranslationContext, raw: unknown): { name?: NamePart; columns: NamePart[] } {
  if (typeof raw !== 'string') {
    const name = identifier(ctx, raw);
    return name ? { name, columns: [] } : { columns: [] };
  }
  const open = raw.indexOf('(');
  if (open < 0 || !raw.endsWith(')')) return { name: unquote(ctx, raw), columns: [] };
  const columns = raw
    .slice(open + 1, -1)
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
    .map((c) => unquote(ctx, c));
  return { name: unquote(ctx, raw.slice(0, open).trim()), columns };
}

function unquote(ctx: TranslationContext, text: string): NamePart {
  const first = text[0];
  const last = text[text.length - 1];
  if (text.length >= 2 && ((first === '"' && last === '"') || (first === '`' && last === '`') || (first === '[' && last === ']'))) {
    return { value: text.slice(1, -1), quoted: true };
  }
  return namePart(ctx, text);
}
