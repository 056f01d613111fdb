import type {
  AlterTable,
  Assignment,
  ColumnDef,
  CreateIndex,
  CreateRoutine,
  CreateTable,
  CreateTrigger,
  CreateView,
  Delete,
  Drop,
  ForeignKey,
  Insert,
  NamePart,
  ObjectName,
  Statement,
  TableRef,
  Update,
} from '../../model/statements.ts';
import { type AstNode, columnRef, functionName, identifier, identifiers, isNode, listAt, nodeAt, objectName, queryNodeOf, stringAt, typeOf } from './ast.ts';
import { namePart, type TranslationContext } from './context.ts';
import { collectRefs } from './expressions.ts';
import { parseAlias, translateFrom, translateQuery, translateWith } from './queries.ts';
import { leadingVerb } from './verb.ts';

/** One node-sql-parser statement AST → neutral statements (usually one; multi-table DML may give several). */
export function translateStatement(ctx: TranslationContext, ast: AstNode): Statement[] {
  switch (typeOf(ast)) {
    case 'select':
    case 'union':
    case 'values':
      return [{ kind: 'query', query: translateQuery(ctx, ast) }];
    case 'insert':
    case 'replace':
      return [insert(ctx, ast)];
    case 'update':
      return update(ctx, ast);
    case 'delete':
      return deletes(ctx, ast);
    case 'create':
      return [create(ctx, ast)];
    case 'alter':
      return [alter(ctx, ast)];
    case 'drop':
      return [drop(ctx, ast)];
    case 'use': {
      const database = identifier(ctx, ast['db']);
      return [database ? { kind: 'use', database } : { kind: 'use' }];
    }
    case 'set':
      return [searchPath(ctx, ast) ?? other(ctx)];
    default:
      return [other(ctx)];
  }
}

/** PostgreSQL `SET search_path = s` (the grammar takes one schema only) changes the default schema. */
function searchPath(ctx: TranslationContext, ast: AstNode): Statement | undefined {
  const assign = listAt(ast, 'expr')[0];
  if (!isNode(assign)) return undefined;
  const left = nodeAt(assign, 'left');
  const right = nodeAt(assign, 'right');
  if (!left || !right || stringAt(left, 'name')?.toLowerCase() !== 'search_path') return undefined;
  const schema = stringAt(right, 'name') ?? stringAt(right, 'value');
  return schema ? { kind: 'use', schema: namePart(ctx, schema) } : undefined;
}

function other(ctx: TranslationContext): Statement {
  return { kind: 'other', verb: leadingVerb(ctx.text) };
}

function firstTable(ctx: TranslationContext, value: unknown): ObjectName {
  const node = Array.isArray(value) ? value[0] : value;
  return objectName(ctx, node);
}

function insert(ctx: TranslationContext, ast: AstNode): Insert {
  const result: Insert = { kind: 'insert', target: firstTable(ctx, ast['table']) };
  const withClause = translateWith(ctx, ast);
  if (withClause && withClause.ctes.length > 0) result.with = withClause.ctes;
  const columns = identifiers(ctx, ast['columns']);
  const values = ast['values'];
  const set = ast['set'];
  if (Array.isArray(set) && set.length > 0) {
    // MySQL `INSERT ... SET a = 1, b = c`: one row of named values.
    const row = set.filter(isNode);
    result.columns = row.map((s) => identifier(ctx, s['column'])).filter((c): c is NamePart => c !== undefined);
    result.source = { kind: 'values', rows: [row.map((s) => collectRefs(ctx, s['value']))] };
    return result;
  }
  if (columns.length > 0) result.columns = columns;
  const query = queryNodeOf(values);
  if (query) result.source = translateQuery(ctx, query);
  return result;
}

/** Target and alias, resolving a target written as an alias of a FROM item (`UPDATE a ... FROM t a`). */
function resolveTarget(ctx: TranslationContext, target: AstNode, from: unknown[]): { name: ObjectName; alias?: NamePart } {
  const own = parseAlias(ctx, target['as']).name;
  if (own) return { name: objectName(ctx, target), alias: own };
  const written = identifier(ctx, target['table']);
  const hasQualifier = target['db'] || target['schema'];
  if (written && !hasQualifier) {
    for (const item of from) {
      if (!isNode(item)) continue;
      const alias = parseAlias(ctx, item['as']).name;
      if (alias && alias.value.toLowerCase() === written.value.toLowerCase() && item['table']) {
        return { name: objectName(ctx, item), alias };
      }
    }
  }
  return { name: objectName(ctx, target) };
}

function assignments(ctx: TranslationContext, set: unknown): { table?: string; assignment: Assignment }[] {
  const out: { table?: string; assignment: Assignment }[] = [];
  for (const item of Array.isArray(set) ? set : []) {
    if (!isNode(item)) continue;
    const column = identifier(ctx, item['column']);
    if (!column) continue;
    const table = identifier(ctx, item['table']);
    const ref = table ? [table, column] : [column];
    const entry: { table?: string; assignment: Assignment } = { assignment: { column: ref, value: collectRefs(ctx, item['value']) } };
    if (table) entry.table = table.value.toLowerCase();
    out.push(entry);
  }
  return out;
}

/**
 * PostgreSQL/T-SQL put the extra relations in `from`; MySQL puts a join list
 * in `table`, where every table is a possible target: one Update per table
 * the SET list writes.
 */
function update(ctx: TranslationContext, ast: AstNode): Statement[] {
  const tables = listAt(ast, 'table').filter(isNode);
  const fromList = listAt(ast, 'from');
  const sets = assignments(ctx, ast['set']);
  const where = isNode(ast['where']) ? collectRefs(ctx, ast['where']) : undefined;
  const withClause = translateWith(ctx, ast);
  const make = (target: AstNode, from: TableRef[], set: Assignment[]): Update => {
    const { name, alias } = resolveTarget(ctx, target, fromList);
    const result: Update = { kind: 'update', target: name, from, set };
    if (alias) result.alias = alias;
    if (where) result.where = where;
    if (withClause && withClause.ctes.length > 0) result.with = withClause.ctes;
    return result;
  };
  const first = tables[0];
  if (!first) return [other(ctx)];
  if (tables.length === 1) return [make(first, translateFrom(ctx, fromList), sets.map((s) => s.assignment))];
  const from = translateFrom(ctx, tables);
  const results: Update[] = [];
  for (const table of tables) {
    const keys = [parseAlias(ctx, table['as']).name?.value, identifier(ctx, table['table'])?.value].filter((k): k is string => !!k).map((k) => k.toLowerCase());
    const own = sets.filter((s) => (s.table ? keys.includes(s.table) : table === first));
    if (own.length > 0) results.push(make(table, from, own.map((s) => s.assignment)));
  }
  return results.length > 0 ? results : [make(first, from, sets.map((s) => s.assignment))];
}

/** `table` lists the targets (possibly aliases), `from` the relations; MySQL may delete from several tables. */
function deletes(ctx: TranslationContext, ast: AstNode): Statement[] {
  const targets = listAt(ast, 'table').filter(isNode);
  const fromList = listAt(ast, 'from');
  const where = isNode(ast['where']) ? collectRefs(ctx, ast['where']) : undefined;
  const withClause = translateWith(ctx, ast);
  const sameAsTarget = targets.length === 1 && fromList.length === 1;
  const using = sameAsTarget ? [] : translateFrom(ctx, fromList);
  const list = targets.length > 0 ? targets : fromList.filter(isNode).slice(0, 1);
  const results: Delete[] = [];
  for (const target of list) {
    const { name, alias } = resolveTarget(ctx, target, fromList);
    const result: Delete = { kind: 'delete', target: name, using };
    if (alias) result.alias = alias;
    if (where) result.where = where;
    if (withClause && withClause.ctes.length > 0) result.with = withClause.ctes;
    results.push(result);
  }
  return results.length > 0 ? results : [other(ctx)];
}

function create(ctx: TranslationContext, ast: AstNode): Statement {
  const keyword = (stringAt(ast, 'keyword') ?? '').toLowerCase();
  switch (keyword) {
    case 'table':
      return createTable(ctx, ast);
    case 'view':
    case 'materialized view':
      return createView(ctx, ast, keyword !== 'view');
    case 'index':
      return createIndex(ctx, ast);
    case 'sequence':
      return { kind: 'createSequence', name: firstTable(ctx, ast['sequence']) };
    case 'schema': {
      const name = identifiers(ctx, nodeAt(ast, 'schema')?.['schema'] ?? ast['schema']);
      return { kind: 'createSchema', name };
    }
    case 'database': {
      const database = nodeAt(ast, 'database');
      const parts = database ? identifiers(ctx, database['schema']) : [];
      const name = parts[parts.length - 1] ?? identifier(ctx, ast['database']);
      return name ? { kind: 'createDatabase', name } : other(ctx);
    }
    case 'function':
    case 'procedure':
      return createRoutine(ctx, ast, keyword);
    case 'trigger':
      return createTrigger(ctx, ast);
    default:
      return other(ctx);
  }
}

function dataTypeOf(definition: unknown): string | undefined {
  if (!isNode(definition)) return undefined;
  const base = stringAt(definition, 'dataType');
  if (!base) return undefined;
  const length = definition['length'];
  const scale = definition['scale'];
  let text = base;
  if (typeof length === 'number') text += typeof scale === 'number' ? `(${length},${scale})` : `(${length})`;
  const suffix = definition['suffix'];
  if (Array.isArray(suffix)) {
    const words = suffix.filter((s): s is string => typeof s === 'string');
    if (words.length > 0) text += ' ' + words.join(' ');
  }
  return text;
}

function columnNames(ctx: TranslationContext, list: unknown): NamePart[] {
  const names: NamePart[] = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (isNode(item) && typeOf(item) === 'column_ref') {
      const ref = columnRef(ctx, item);
      const last = ref?.[ref.length - 1];
      if (last) names.push(last);
    } else {
      const part = identifier(ctx, item);
      if (part) names.push(part);
    }
  }
  return names;
}

function reference(ctx: TranslationContext, definition: unknown): { table: ObjectName; columns: NamePart[] } | undefined {
  if (!isNode(definition)) return undefined;
  const table = firstTable(ctx, definition['table']);
  if (table.length === 0) return undefined;
  return { table, columns: columnNames(ctx, definition['definition']) };
}

function columnDef(ctx: TranslationContext, item: AstNode): ColumnDef | undefined {
  const name = identifier(ctx, item['column']);
  if (!name) return undefined;
  const column: ColumnDef = { name };
  const dataType = dataTypeOf(item['definition']);
  if (dataType) column.dataType = dataType;
  const primary = item['primary_key'] ?? item['unique_or_primary'];
  if (typeof primary === 'string' && /primary/i.test(primary)) column.primaryKey = true;
  const references = reference(ctx, item['reference_definition']);
  if (references) column.references = references;
  return column;
}

/** Table-level constraints shared by CREATE TABLE and ALTER TABLE ADD CONSTRAINT. */
function applyConstraint(ctx: TranslationContext, item: AstNode, target: { foreignKeys: ForeignKey[]; primaryKey?: NamePart[] }): void {
  const type = (stringAt(item, 'constraint_type') ?? '').toLowerCase();
  const columns = columnNames(ctx, item['definition']);
  if (type === 'primary key') {
    target.primaryKey = columns;
  } else if (type === 'foreign key' || (type === '' && item['reference_definition'])) {
    const ref = reference(ctx, item['reference_definition']);
    if (!ref) return;
    const fk: ForeignKey = { columns, refTable: ref.table, refColumns: ref.columns };
    const name = identifier(ctx, item['constraint']);
    if (name) fk.name = name;
    target.foreignKeys.push(fk);
  }
}

function createTable(ctx: TranslationContext, ast: AstNode): CreateTable {
  const result: CreateTable = { kind: 'createTable', name: firstTable(ctx, ast['table']), columns: [], foreignKeys: [] };
  for (const item of listAt(ast, 'create_definitions')) {
    if (!isNode(item)) continue;
    const resource = stringAt(item, 'resource');
    if (resource === 'column') {
      const column = columnDef(ctx, item);
      if (column) result.columns.push(column);
    } else if (resource === 'constraint') {
      applyConstraint(ctx, item, result);
    }
  }
  const query = queryNodeOf(ast['query_expr']);
  if (query) result.as = translateQuery(ctx, query);
  const like = nodeAt(ast, 'like');
  if (like) result.like = firstTable(ctx, like['table']);
  if (ast['temporary']) result.temporary = true;
  return result;
}

function createView(ctx: TranslationContext, ast: AstNode, materialized: boolean): Statement {
  const select = queryNodeOf(ast['select']);
  if (!select) return other(ctx);
  const view = ast['view'];
  const result: CreateView = {
    kind: 'createView',
    name: isNode(view) && 'view' in view ? objectName(ctx, view, 'view') : objectName(ctx, view),
    materialized,
    query: translateQuery(ctx, select),
  };
  const columns = identifiers(ctx, ast['columns']);
  if (columns.length > 0) result.columns = columns;
  return result;
}

function createIndex(ctx: TranslationContext, ast: AstNode): CreateIndex {
  const table = firstTable(ctx, ast['table']);
  const result: CreateIndex = { kind: 'createIndex', table, columns: [] };
  const index = identifier(ctx, ast['index']);
  if (index) result.name = [index];
  for (const item of listAt(ast, 'index_columns').concat(listAt(ast, 'definition'))) {
    if (!isNode(item)) continue;
    const refs = collectRefs(ctx, item);
    for (const ref of refs.columns) {
      const last = ref[ref.length - 1];
      if (last) result.columns.push(last);
    }
    // MySQL prefix indexes `name(10)` parse as a call of a function `name`.
    if (refs.columns.length === 0 && typeOf(item) === 'function') result.columns.push(...functionName(ctx, item['name']).slice(-1));
  }
  return result;
}

function createRoutine(ctx: TranslationContext, ast: AstNode, routine: 'function' | 'procedure'): CreateRoutine {
  const result: CreateRoutine = { kind: 'createRoutine', routine, name: functionName(ctx, ast['name'] ?? ast['procedure']) };
  for (const option of listAt(ast, 'options')) {
    if (!isNode(option) || typeOf(option) !== 'as') continue;
    const body = option['expr'];
    if (Array.isArray(body)) {
      result.body = body.filter(isNode).flatMap((stmt) => bodyStatement(ctx, stmt));
    } else if (typeof body === 'string') {
      const offset = ctx.text.indexOf(body);
      if (offset >= 0) result.bodyText = { text: body, offset };
    }
  }
  return result;
}

const STATEMENT_TYPES = new Set(['select', 'union', 'values', 'insert', 'replace', 'update', 'delete', 'create', 'alter', 'drop']);

/**
 * Body statements share the routine's text, so an `other` verb comes from
 * the node's own type. Control flow (IF, RETURN, assignments) is not a
 * statement lineage cares about, but the statements and queries nested in it are.
 */
function bodyStatement(ctx: TranslationContext, stmt: AstNode): Statement[] {
  const type = typeOf(stmt);
  if (STATEMENT_TYPES.has(type)) {
    return translateStatement(ctx, stmt).map((s) => (s.kind === 'other' ? { kind: 'other', verb: type.toUpperCase() } : s));
  }
  const nested: Statement[] = [];
  collectNestedStatements(ctx, stmt, nested);
  const inner = type === 'proc' ? nodeAt(stmt, 'stmt') : undefined;
  const verb = (inner ? typeOf(inner) : type).toUpperCase() || 'PROC';
  return nested.length > 0 ? nested : [{ kind: 'other', verb }];
}

function collectNestedStatements(ctx: TranslationContext, value: unknown, out: Statement[]): void {
  if (Array.isArray(value)) {
    for (const item of value) collectNestedStatements(ctx, item, out);
    return;
  }
  if (!isNode(value)) return;
  const ast = nodeAt(value, 'ast') ?? value;
  if (STATEMENT_TYPES.has(typeOf(ast))) {
    out.push(...bodyStatement(ctx, ast));
    return;
  }
  for (const key of Object.keys(value)) {
    if (key !== 'loc' && key !== 'tableList' && key !== 'columnList') collectNestedStatements(ctx, value[key], out);
  }
}

function createTrigger(ctx: TranslationContext, ast: AstNode): Statement {
  const trigger = ast['trigger'];
  const name = trigger !== undefined ? objectName(ctx, trigger) : [identifier(ctx, ast['constraint'])].filter((p): p is NamePart => !!p);
  const result: CreateTrigger = { kind: 'createTrigger', name, table: firstTable(ctx, ast['table']) };
  const execute = nodeAt(ast, 'execute');
  if (execute) {
    const call = nodeAt(execute, 'expr');
    if (call && typeOf(call) === 'function') {
      result.executes = functionName(ctx, call['name']);
    } else if (typeOf(execute) === 'set') {
      // MySQL `FOR EACH ROW SET NEW.x = ...`: reads only, no table written.
      result.body = [{ kind: 'other', verb: 'SET' }];
    }
  }
  return result;
}

function alter(ctx: TranslationContext, ast: AstNode): Statement {
  const keyword = (stringAt(ast, 'keyword') ?? 'table').toLowerCase();
  if (keyword !== 'table') return other(ctx);
  const result: AlterTable = { kind: 'alterTable', name: firstTable(ctx, ast['table']), addColumns: [], foreignKeys: [] };
  for (const action of listAt(ast, 'expr')) {
    if (!isNode(action)) continue;
    const verb = (stringAt(action, 'action') ?? '').toLowerCase();
    const resource = stringAt(action, 'resource');
    if (verb === 'add' && resource === 'column') {
      const column = columnDef(ctx, action);
      if (column) result.addColumns.push(column);
    } else if (verb === 'add' && resource === 'constraint') {
      const definition = nodeAt(action, 'create_definitions');
      if (definition) applyConstraint(ctx, definition, result);
    } else if (verb === 'rename' && resource === 'table') {
      const target = action['table'];
      const renamed = typeof target === 'string' ? target.split('.').map((p) => namePart(ctx, p)) : objectName(ctx, target);
      if (renamed.length > 0) result.renameTo = renamed;
    }
  }
  return result;
}

const DROP_KINDS: Record<string, Drop['objectKind']> = {
  table: 'table',
  view: 'view',
  'materialized view': 'materialized_view',
  index: 'index',
  sequence: 'sequence',
  schema: 'schema',
  function: 'function',
  procedure: 'procedure',
  trigger: 'trigger',
};

function drop(ctx: TranslationContext, ast: AstNode): Drop {
  const keyword = (stringAt(ast, 'keyword') ?? '').toLowerCase();
  const objectKind = DROP_KINDS[keyword] ?? 'other';
  const raw = ast['name'];
  const names: ObjectName[] = [];
  for (const item of Array.isArray(raw) ? raw : [raw]) {
    let name: ObjectName;
    if (isNode(item) && typeOf(item) === 'column_ref') name = columnRef(ctx, item) ?? [];
    else if (isNode(item) && 'trigger' in item) name = objectName(ctx, item, 'trigger');
    else if (isNode(item) && !('table' in item)) name = functionName(ctx, item);
    else name = objectName(ctx, item);
    if (name.length > 0) names.push(name);
  }
  return { kind: 'drop', objectKind, names };
}
