/**
 * Translates sqlparser-rs Query / SetExpr / Select / TableFactor nodes into
 * the neutral Query and TableRef shapes.
 */
import type { Cte, ExprRefs, NamePart, ObjectName, Query, SelectItem, SelectQuery, TableRef } from '../../model/statements.ts';
import { emptyRefs } from '../../model/statements.ts';
import { asArray, field, lastNamePart, namePart, objectName, variantOf } from './ast.ts';
import type { SubqueryTranslator } from './expressions.ts';
import { ExprCollector } from './expressions.ts';

function hasRefs(refs: ExprRefs | undefined): refs is ExprRefs {
  return refs !== undefined && (refs.columns.length > 0 || refs.subqueries.length > 0);
}

function mergeRefs(a: ExprRefs | undefined, b: ExprRefs | undefined): ExprRefs | undefined {
  if (!hasRefs(a)) return hasRefs(b) ? b : a;
  if (!hasRefs(b)) return a;
  return { columns: [...a.columns, ...b.columns], subqueries: [...a.subqueries, ...b.subqueries] };
}

function emptySelect(): SelectQuery {
  return { kind: 'select', items: [], from: [] };
}

function tableAlias(alias: unknown): { alias?: NamePart; columnAliases?: NamePart[] } {
  const name = namePart(field(alias, 'name'));
  if (!name) return {};
  const columns: NamePart[] = [];
  for (const column of asArray(field(alias, 'columns'))) {
    const part = namePart(field(column, 'name') ?? column);
    if (part) columns.push(part);
  }
  return columns.length > 0 ? { alias: name, columnAliases: columns } : { alias: name };
}

export class QueryTranslator implements SubqueryTranslator {
  readonly exprs: ExprCollector;
  /**
   * INSERT/UPDATE/DELETE/MERGE met where a query was expected (PostgreSQL
   * `WITH x AS (DELETE ... RETURNING *)`): the statement translator emits them.
   */
  readonly nestedDml: unknown[] = [];

  constructor() {
    this.exprs = new ExprCollector(this);
  }

  /** Every expression of `exprs` flattened together. */
  refs(...exprs: unknown[]): ExprRefs {
    return this.exprs.refs(exprs);
  }

  ctes(withClause: unknown): Cte[] | undefined {
    const tables = asArray(field(withClause, 'cte_tables'));
    if (tables.length === 0) return undefined;
    const ctes: Cte[] = [];
    for (const cte of tables) {
      const { alias, columnAliases } = tableAlias(field(cte, 'alias'));
      if (!alias) continue;
      const entry: Cte = { name: alias, query: this.query(field(cte, 'query')) };
      if (columnAliases) entry.columns = columnAliases;
      ctes.push(entry);
    }
    return ctes;
  }

  query(node: unknown): Query {
    const withClause = field(node, 'with');
    const ctes = this.ctes(withClause);
    const recursive = field(withClause, 'recursive') === true;
    const body = this.setExpr(field(node, 'body'));
    const orderBy = this.orderBy(field(node, 'order_by'));
    const other = this.exprs.genericRefs([field(node, 'limit_clause'), field(node, 'fetch')]);
    return this.decorate(body, ctes, recursive, orderBy, other);
  }

  /** Attaches a Query's WITH, ORDER BY and LIMIT to its body. */
  private decorate(body: Query, ctes: Cte[] | undefined, recursive: boolean, orderBy: ExprRefs | undefined, other: ExprRefs): Query {
    if (body.kind === 'values') {
      if (!ctes && !hasRefs(orderBy)) return body;
      const wrapped: SelectQuery = { kind: 'select', items: [{ star: {}, expr: emptyRefs() }], from: [{ kind: 'derived', query: body }] };
      return this.decorate(wrapped, ctes, recursive, orderBy, other);
    }
    if (ctes) {
      body.with = [...ctes, ...(body.with ?? [])];
      if (recursive) body.recursive = true;
    }
    const mergedOrder = mergeRefs(body.orderBy, orderBy);
    if (mergedOrder) body.orderBy = mergedOrder;
    if (body.kind === 'select') {
      const mergedOther = mergeRefs(body.other, other);
      if (hasRefs(mergedOther)) body.other = mergedOther;
    }
    return body;
  }

  private orderBy(orderBy: unknown): ExprRefs | undefined {
    if (orderBy === undefined || orderBy === null) return undefined;
    const list = field(field(orderBy, 'kind'), 'Expressions') ?? field(orderBy, 'exprs');
    const exprs = asArray(list).map((item) => field(item, 'expr'));
    return exprs.length > 0 ? this.exprs.refs(exprs) : undefined;
  }

  private setExpr(node: unknown): Query {
    const variant = variantOf(node);
    if (!variant) return emptySelect();
    const [name, inner] = variant;
    switch (name) {
      case 'Select':
        return this.select(inner);
      case 'Query':
        return this.query(inner);
      case 'SetOperation':
        return this.setOperation(inner);
      case 'Values':
        return { kind: 'values', rows: this.valuesRows(inner) };
      case 'Table': {
        const tableName = namePart(field(inner, 'table_name'));
        const schemaName = namePart(field(inner, 'schema_name'));
        if (!tableName) return emptySelect();
        const tableRef: TableRef = { kind: 'table', name: schemaName ? [schemaName, tableName] : [tableName] };
        return { kind: 'select', items: [{ star: {}, expr: emptyRefs() }], from: [tableRef] };
      }
      case 'Insert':
      case 'Update':
      case 'Delete':
      case 'Merge':
        this.nestedDml.push(inner);
        return emptySelect();
      default:
        return emptySelect();
    }
  }

  valuesRows(values: unknown): ExprRefs[][] {
    return asArray(field(values, 'rows')).map((row) => {
      const cells = Array.isArray(row) ? row : asArray(field(row, 'content'));
      return cells.map((cell) => this.exprs.refs([cell]));
    });
  }

  private setOperation(node: unknown): Query {
    const op = field(node, 'op');
    const quantifier = field(node, 'set_quantifier');
    const all = quantifier === 'All' || quantifier === 'AllByName';
    const kind = op === 'Intersect' ? 'intersect' : op === 'Except' || op === 'Minus' ? 'except' : all ? 'union all' : 'union';
    return { kind: 'setop', op: kind, left: this.setExpr(field(node, 'left')), right: this.setExpr(field(node, 'right')) };
  }

  private select(node: unknown): SelectQuery {
    const select: SelectQuery = {
      kind: 'select',
      items: asArray(field(node, 'projection')).map((item) => this.selectItem(item)),
      from: [...this.tableRefs(field(node, 'from')), ...this.lateralViews(field(node, 'lateral_views'))],
    };
    const selection = field(node, 'selection');
    if (selection !== undefined && selection !== null) select.where = this.refs(selection);
    const groupExprs = asArray(asArray(field(field(node, 'group_by'), 'Expressions'))[0]);
    if (groupExprs.length > 0) select.groupBy = this.exprs.refs(groupExprs);
    const having = field(node, 'having');
    if (having !== undefined && having !== null) select.having = this.refs(having);
    const other = this.exprs.genericRefs(
      ['distinct', 'top', 'prewhere', 'cluster_by', 'distribute_by', 'sort_by', 'named_window', 'qualify', 'connect_by'].map((key) => field(node, key)),
    );
    if (hasRefs(other)) select.other = other;
    const into = field(node, 'into');
    if (into !== undefined && into !== null) select.into = objectName(field(into, 'name'));
    return select;
  }

  private selectItem(item: unknown): SelectItem {
    const variant = variantOf(item);
    if (!variant) return { expr: emptyRefs() };
    const [name, inner] = variant;
    switch (name) {
      case 'UnnamedExpr':
        return this.exprItem(inner);
      case 'ExprWithAlias':
        return this.exprItem(field(inner, 'expr'), namePart(field(inner, 'alias')));
      case 'ExprWithAliases':
        return this.exprItem(field(inner, 'expr'), namePart(asArray(field(inner, 'aliases'))[0]));
      case 'QualifiedWildcard': {
        const kind = asArray(inner)[0];
        const qualifierName = field(kind, 'ObjectName');
        if (qualifierName !== undefined) return { star: { qualifier: objectName(qualifierName) }, expr: emptyRefs() };
        const expr = field(kind, 'Expr');
        const refs = this.refs(expr);
        const only = refs.columns[0];
        if (refs.columns.length === 1 && refs.subqueries.length === 0 && only) return { star: { qualifier: only }, expr: emptyRefs() };
        return { star: {}, expr: refs };
      }
      case 'Wildcard':
        return { star: {}, expr: emptyRefs() };
      default:
        return { expr: this.exprs.genericRefs([inner]) };
    }
  }

  private exprItem(expr: unknown, alias?: NamePart): SelectItem {
    const refs = this.refs(expr);
    const item: SelectItem = { expr: refs };
    if (alias) item.alias = alias;
    const variant = variantOf(expr)?.[0];
    if ((variant === 'Identifier' || variant === 'CompoundIdentifier') && refs.columns.length === 1) item.bare = true;
    return item;
  }

  tableRefs(tablesWithJoins: unknown): TableRef[] {
    return asArray(tablesWithJoins).map((twj) => this.tableWithJoins(twj));
  }

  tableWithJoins(twj: unknown): TableRef {
    let tableRef = this.tableFactor(field(twj, 'relation'));
    for (const join of asArray(field(twj, 'joins'))) {
      const joined: TableRef = { kind: 'join', left: tableRef, right: this.tableFactor(field(join, 'relation')) };
      this.joinConstraint(field(join, 'join_operator'), joined);
      tableRef = joined;
    }
    return tableRef;
  }

  private joinConstraint(operator: unknown, join: TableRef & { kind: 'join' }): void {
    const variant = variantOf(operator);
    if (!variant) return;
    const [name, inner] = variant;
    const constraint = name === 'AsOf' ? field(inner, 'constraint') : inner;
    const extra = name === 'AsOf' ? field(inner, 'match_condition') : undefined;
    const on = field(constraint, 'On');
    if (on !== undefined || extra !== undefined) join.on = this.exprs.refs([on, extra]);
    const using = field(constraint, 'Using');
    if (using !== undefined) {
      join.using = [];
      for (const column of asArray(using)) {
        const part = lastNamePart(column);
        if (part) join.using.push(part);
      }
    }
  }

  private functionRef(name: ObjectName, args: ExprRefs, alias: unknown): TableRef {
    const ref: TableRef = { kind: 'function', name, args };
    const { alias: aliasName } = tableAlias(alias);
    if (aliasName) ref.alias = aliasName;
    return ref;
  }

  tableFactor(factor: unknown): TableRef {
    const variant = variantOf(factor);
    if (!variant) return { kind: 'function', name: [], args: emptyRefs() };
    const [name, inner] = variant;
    const alias = field(inner, 'alias');
    switch (name) {
      case 'Table': {
        const tableName = objectName(field(inner, 'name'));
        const args = field(inner, 'args');
        if (args !== undefined && args !== null) {
          return this.functionRef(tableName, this.exprs.genericRefs([field(args, 'args')]), alias);
        }
        const ref: TableRef = { kind: 'table', name: tableName };
        const { alias: aliasName } = tableAlias(alias);
        if (aliasName) ref.alias = aliasName;
        return ref;
      }
      case 'Derived':
        return { kind: 'derived', query: this.query(field(inner, 'subquery')), ...tableAlias(alias) };
      case 'TableFunction': {
        const expr = field(inner, 'expr');
        return this.functionRef(objectName(field(field(expr, 'Function'), 'name')), this.refs(expr), alias);
      }
      case 'Function':
        return this.functionRef(objectName(field(inner, 'name')), this.exprs.genericRefs([field(inner, 'args')]), alias);
      case 'UNNEST':
        return this.functionRef([{ value: 'unnest', quoted: false }], this.exprs.refs(asArray(field(inner, 'array_exprs'))), alias);
      case 'JsonTable':
        return this.functionRef([{ value: 'json_table', quoted: false }], this.refs(field(inner, 'json_expr')), alias);
      case 'OpenJsonTable':
        return this.functionRef([{ value: 'openjson', quoted: false }], this.refs(field(inner, 'json_expr')), alias);
      case 'NestedJoin': {
        const nested = this.tableWithJoins(field(inner, 'table_with_joins'));
        const { alias: aliasName } = tableAlias(alias);
        if (aliasName && nested.kind !== 'join') nested.alias = aliasName;
        return nested;
      }
      case 'Pivot':
      case 'Unpivot':
      case 'MatchRecognize': {
        // The relation being reshaped is what is read; the alias names the result.
        const base = this.tableFactor(field(inner, 'table'));
        const { alias: aliasName } = tableAlias(alias);
        if (aliasName && base.kind !== 'join') base.alias = aliasName;
        return base;
      }
      default:
        return this.functionRef([{ value: name.toLowerCase(), quoted: false }], this.exprs.genericRefs([inner]), alias);
    }
  }

  /** Hive `LATERAL VIEW explode(x) t AS c`: a table function joined to the FROM. */
  private lateralViews(views: unknown): TableRef[] {
    return asArray(views).map((view) => {
      const expr = field(view, 'lateral_view');
      const ref: TableRef = { kind: 'function', name: objectName(field(field(expr, 'Function'), 'name')), args: this.refs(expr) };
      const aliasName = lastNamePart(field(view, 'lateral_view_name'));
      if (aliasName) ref.alias = aliasName;
      return ref;
    });
  }
}
