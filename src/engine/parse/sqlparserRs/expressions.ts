/**
 * Flattens sqlparser-rs expressions into ExprRefs: the column references and
 * subqueries they mention. Known node types are read by their fields; any
 * other node is walked generically, so a node type added by a later parser
 * version still yields its nested columns and subqueries.
 *
 * The walk uses an explicit stack: long operator chains (`a OR b OR ...`)
 * build deep left-leaning trees that no parenthesis guard limits.
 */
import type { ColumnRef, ExprRefs, NamePart, Query } from '../../model/statements.ts';
import { emptyRefs } from '../../model/statements.ts';
import { asArray, field, isNode, namePart, nameParts, objectName, variantOf } from './ast.ts';

/** Turns a serde Query node into the neutral Query (implemented by the query translator). */
export interface SubqueryTranslator {
  query(node: unknown): Query;
}

const EXPR_VARIANTS = new Set([
  'Identifier', 'CompoundIdentifier', 'CompoundFieldAccess', 'JsonAccess', 'IsFalse', 'IsNotFalse', 'IsTrue',
  'IsNotTrue', 'IsNull', 'IsNotNull', 'IsUnknown', 'IsNotUnknown', 'IsDistinctFrom', 'IsNotDistinctFrom',
  'IsNormalized', 'InList', 'InSubquery', 'InUnnest', 'Between', 'BinaryOp', 'Like', 'ILike', 'SimilarTo',
  'RLike', 'AnyOp', 'AllOp', 'UnaryOp', 'Convert', 'Cast', 'AtTimeZone', 'Extract', 'Ceil', 'Floor',
  'Position', 'Substring', 'Trim', 'Overlay', 'Collate', 'Nested', 'Value', 'Prefixed', 'TypedString',
  'Function', 'Case', 'Exists', 'Subquery', 'GroupingSets', 'Cube', 'Rollup', 'Tuple', 'Struct', 'Named',
  'Dictionary', 'Map', 'Array', 'Interval', 'MatchAgainst', 'Wildcard', 'QualifiedWildcard', 'OuterJoin',
  'Prior', 'Lambda', 'MemberOf',
]);

/**
 * Fields that never hold column references: names of functions, types and
 * aliases, date-part keywords, tokens and source spans.
 */
const NON_REFERENCE_FIELDS = new Set([
  'span', 'name', 'data_type', 'alias', 'field', 'leading_field', 'last_field', 'collation', 'charset',
  'quote_style', 'fields', 'unit', 'format', 'keyword', 'op', 'compare_op', 'window_name',
  'with_hints', 'index_hints', 'partitions', 'trim_where', 'null_treatment', 'duplicate_treatment',
  'syntax', 'units', 'form', 'params',
]);

/** Unquoted words some dialects hand back as plain identifiers though they are niladic functions. */
const NILADIC_KEYWORDS = new Set([
  'current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user',
  'session_user', 'system_user', 'current_role', 'current_schema', 'current_catalog', 'sysdate',
  'systimestamp', 'sysdatetime',
]);

/** Functions whose date-part argument (`DATEADD(day, 1, x)`) parses as an identifier. */
const DATE_PART_FUNCTIONS = new Set([
  'dateadd', 'datediff', 'datediff_big', 'datepart', 'datename', 'datetrunc', 'date_trunc', 'date_part',
  'date_add', 'date_sub', 'date_diff', 'datetime_add', 'datetime_sub', 'datetime_diff', 'datetime_trunc',
  'timestamp_add', 'timestamp_sub', 'timestamp_diff', 'timestamp_trunc', 'time_add', 'time_sub',
  'time_diff', 'time_trunc', 'timestampadd', 'timestampdiff', 'last_day', 'time_slice', 'date_from_parts',
]);

const DATE_PARTS = new Set([
  'year', 'years', 'yy', 'yyyy', 'quarter', 'qq', 'q', 'month', 'months', 'mm', 'm', 'week', 'weeks', 'wk',
  'ww', 'isoweek', 'isowk', 'isoyear', 'day', 'days', 'dd', 'd', 'dayofyear', 'dy', 'y', 'dayofweek',
  'weekday', 'dw', 'dow', 'doy', 'hour', 'hours', 'hh', 'minute', 'minutes', 'mi', 'n', 'second', 'seconds',
  'ss', 's', 'millisecond', 'milliseconds', 'ms', 'microsecond', 'microseconds', 'mcs', 'us', 'nanosecond',
  'nanoseconds', 'ns', 'epoch', 'date', 'time', 'datetime', 'timestamp', 'tzoffset', 'tz',
]);

interface WorkItem {
  value: unknown;
  /** Walk field by field instead of reading the value as an Expr. */
  generic: boolean;
}

/** Work items reading each value as an Expr. */
function exprs(...values: unknown[]): WorkItem[] {
  const items: WorkItem[] = new Array<WorkItem>(values.length);
  for (let i = 0; i < values.length; i++) items[i] = { value: values[i], generic: false };
  return items;
}

function isExprVariant(value: unknown): boolean {
  const variant = variantOf(value);
  return variant !== undefined && isNode(value) && EXPR_VARIANTS.has(variant[0]);
}

/** A serde Query: the only node with a `body` next to `pipe_operators` or `locks`. */
export function looksLikeQuery(value: unknown): boolean {
  return isNode(value) && 'body' in value && ('pipe_operators' in value || 'locks' in value);
}

function isDatePartArgument(expr: unknown): boolean {
  const ident = field(expr, 'Identifier');
  const part = namePart(ident);
  return part !== undefined && !part.quoted && DATE_PARTS.has(part.value.toLowerCase());
}

export class ExprCollector {
  private readonly subqueries: SubqueryTranslator;

  constructor(subqueries: SubqueryTranslator) {
    this.subqueries = subqueries;
  }

  /** Collects what the given expressions (and any null/absent entries) mention. */
  refs(exprs: unknown[], into: ExprRefs = emptyRefs()): ExprRefs {
    this.walk(exprs.map((value) => ({ value, generic: false })), into);
    return into;
  }

  /** Collects from an arbitrary AST fragment, reading Expr nodes wherever they occur. */
  genericRefs(values: unknown[], into: ExprRefs = emptyRefs()): ExprRefs {
    this.walk(values.map((value) => ({ value, generic: true })), into);
    return into;
  }

  private walk(roots: WorkItem[], refs: ExprRefs): void {
    const stack: WorkItem[] = [];
    // Children go on in reverse so they are visited in order.
    for (let i = roots.length - 1; i >= 0; i--) stack.push(roots[i] as WorkItem);
    for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
      if (item.value === undefined || item.value === null) continue;
      const children = item.generic ? this.genericChildren(item.value, refs) : this.exprChildren(item.value, refs);
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i] as WorkItem);
    }
  }

  private addColumn(refs: ExprRefs, column: ColumnRef): void {
    if (column.length === 0) return;
    if (column.length === 1) {
      const only = column[0] as NamePart;
      if (!only.quoted && NILADIC_KEYWORDS.has(only.value.toLowerCase())) return;
      // T-SQL and MySQL variables are not columns.
      if (only.value.startsWith('@')) return;
    }
    refs.columns.push(column);
  }

  /** Reads one Expr; returns the nodes still to visit. */
  private exprChildren(expr: unknown, refs: ExprRefs): WorkItem[] {
    const variant = variantOf(expr);
    if (!variant || !isNode(expr)) return [{ value: expr, generic: true }];
    const [name, inner] = variant;
    switch (name) {
      case 'Identifier': {
        const part = namePart(inner);
        if (part) this.addColumn(refs, [part]);
        return [];
      }
      case 'CompoundIdentifier':
        this.addColumn(refs, nameParts(inner));
        return [];
      case 'Subquery':
        refs.subqueries.push(this.subqueries.query(inner));
        return [];
      case 'Exists':
        refs.subqueries.push(this.subqueries.query(field(inner, 'subquery')));
        return [];
      case 'InSubquery': {
        const items = exprs(field(inner, 'expr'));
        refs.subqueries.push(this.subqueries.query(field(inner, 'subquery')));
        return items;
      }
      case 'Function':
        return this.functionChildren(inner, refs);
      // The most frequent operators, read directly instead of field by field
      // (the generic walk would reach the same sub-expressions in the same order).
      case 'BinaryOp':
        return exprs(field(inner, 'left'), field(inner, 'right'));
      case 'UnaryOp':
        return exprs(field(inner, 'expr'));
      case 'Nested':
      case 'IsNull':
      case 'IsNotNull':
      case 'IsTrue':
      case 'IsNotTrue':
      case 'IsFalse':
      case 'IsNotFalse':
        return exprs(inner);
      case 'Cast':
      case 'Extract':
      case 'Ceil':
      case 'Floor':
      case 'Collate':
      case 'Named':
        return exprs(field(inner, 'expr'));
      case 'Convert':
        return exprs(field(inner, 'expr'), ...asArray(field(inner, 'styles')));
      case 'Interval':
      case 'Prefixed':
        return exprs(field(inner, 'value'));
      case 'JsonAccess':
        return exprs(field(inner, 'value'));
      case 'Value':
      case 'TypedString':
      case 'Wildcard':
      case 'QualifiedWildcard':
        return [];
      case 'MatchAgainst':
        for (const column of asArray(field(inner, 'columns'))) this.addColumn(refs, objectName(column));
        return [];
      case 'CompoundFieldAccess': {
        // `.field` steps name struct fields, not columns; subscripts are expressions.
        const subscripts = asArray(field(inner, 'access_chain')).filter((step) => !isNode(step) || !('Dot' in step));
        return [...exprs(field(inner, 'root')), { value: subscripts, generic: true }];
      }
      case 'Case':
        return [
          ...exprs(field(inner, 'operand')),
          ...asArray(field(inner, 'conditions')).flatMap((when) => exprs(field(when, 'condition'), field(when, 'result'))),
          ...exprs(field(inner, 'else_result')),
        ];
      case 'Lambda':
        this.lambdaRefs(inner, refs);
        return [];
      default:
        // Unknown or structurally simple variants (BinaryOp, Between, InList, ...):
        // their payload fields hold the sub-expressions.
        return [{ value: EXPR_VARIANTS.has(name) ? inner : expr, generic: true }];
    }
  }

  private functionChildren(fn: unknown, refs: ExprRefs): WorkItem[] {
    const names = objectName(field(fn, 'name'));
    const fnName = names[names.length - 1]?.value.toLowerCase() ?? '';
    const skipDateParts = DATE_PART_FUNCTIONS.has(fnName);
    const items: WorkItem[] = [];
    for (const argsField of ['parameters', 'args']) {
      const args = field(fn, argsField);
      const subquery = field(args, 'Subquery');
      if (subquery !== undefined) {
        refs.subqueries.push(this.subqueries.query(subquery));
        continue;
      }
      const list = field(args, 'List');
      for (const arg of asArray(field(list, 'args'))) {
        const argExpr = field(arg, 'Unnamed') ?? field(field(arg, 'Named'), 'arg') ?? field(field(arg, 'ExprNamed'), 'arg');
        const expr = field(argExpr, 'Expr');
        if (expr === undefined) continue;
        if (skipDateParts && isDatePartArgument(expr)) continue;
        items.push({ value: expr, generic: false });
      }
      items.push({ value: field(list, 'clauses'), generic: true });
    }
    items.push({ value: field(fn, 'filter'), generic: false });
    items.push({ value: field(fn, 'over'), generic: true });
    items.push({ value: field(fn, 'within_group'), generic: true });
    return items;
  }

  /** `x -> x + y`: the parameters are not columns, whatever else the body names is. */
  private lambdaRefs(lambda: unknown, refs: ExprRefs): void {
    const params = new Set<string>();
    const rawParams = field(lambda, 'params');
    for (const param of [rawParams, ...asArray(field(rawParams, 'Many')), field(rawParams, 'One')].flat()) {
      const part = namePart(field(param, 'ident') ?? param);
      if (part) params.add(part.value.toLowerCase());
    }
    const body = this.refs([field(lambda, 'body')]);
    for (const column of body.columns) {
      const first = column[0];
      if (column.length === 1 && first && params.has(first.value.toLowerCase())) continue;
      refs.columns.push(column);
    }
    refs.subqueries.push(...body.subqueries);
  }

  /** Walks an AST fragment that is not known to be an Expr. */
  private genericChildren(value: unknown, refs: ExprRefs): WorkItem[] {
    if (Array.isArray(value)) return value.map((element) => ({ value: element, generic: true }));
    if (!isNode(value)) return [];
    if (isExprVariant(value)) return [{ value, generic: false }];
    if (looksLikeQuery(value)) {
      refs.subqueries.push(this.subqueries.query(value));
      return [];
    }
    const items: WorkItem[] = [];
    for (const [key, child] of Object.entries(value)) {
      if (NON_REFERENCE_FIELDS.has(key) || key.endsWith('_token')) continue;
      if (child !== null && typeof child === 'object') items.push({ value: child, generic: true });
    }
    return items;
  }
}
