/**
 * Translates sqlparser-rs Statement nodes into neutral Statements. One
 * translator serves one statement text: routine bodies given as strings are
 * located inside that text through the AST's spans.
 */
import type {
  AlterTable,
  Assignment,
  ColumnDef,
  CreateRoutine,
  CreateTable,
  CreateTrigger,
  Delete,
  Drop,
  ExprRefs,
  ForeignKey,
  Insert,
  Merge,
  NamePart,
  ObjectName,
  Statement,
  Update,
} from '../../model/statements.ts';
import { asArray, field, isIdent, isNode, lastNamePart, namePart, nameParts, objectName, variantOf, verbOf } from './ast.ts';
import { dataTypeText } from './dataType.ts';
import { QueryTranslator } from './queries.ts';

const DROP_KINDS: Record<string, Drop['objectKind']> = {
  Table: 'table',
  View: 'view',
  MaterializedView: 'materialized_view',
  Index: 'index',
  Sequence: 'sequence',
  Schema: 'schema',
  Function: 'function',
  Procedure: 'procedure',
  Trigger: 'trigger',
};

/** Procedural statements whose nested statements and conditions still matter. */
const CONTROL_FLOW = new Set(['If', 'While', 'Case', 'Loop', 'For', 'Repeat', 'StartTransaction']);

/** The column an index or key lists: an Ident, an IndexColumn or an Expr naming one column. */
function keyColumn(value: unknown): NamePart | undefined {
  if (isIdent(value)) return namePart(value);
  const expr = field(field(value, 'column'), 'expr') ?? field(value, 'expr') ?? value;
  const ident = field(expr, 'Identifier');
  if (ident !== undefined) return namePart(ident);
  const parts = nameParts(field(expr, 'CompoundIdentifier'));
  return parts[parts.length - 1];
}

function keyColumns(values: unknown): NamePart[] {
  const out: NamePart[] = [];
  for (const value of asArray(values)) {
    const part = keyColumn(value);
    if (part) out.push(part);
  }
  return out;
}

function lastParts(objectNames: unknown): NamePart[] {
  const out: NamePart[] = [];
  for (const name of asArray(objectNames)) {
    const part = lastNamePart(name);
    if (part) out.push(part);
  }
  return out;
}

function foreignKey(constraint: unknown): ForeignKey {
  const fk: ForeignKey = {
    columns: keyColumns(field(constraint, 'columns')),
    refTable: objectName(field(constraint, 'foreign_table')),
    refColumns: keyColumns(field(constraint, 'referred_columns')),
  };
  const name = namePart(field(constraint, 'name'));
  if (name) fk.name = name;
  return fk;
}

/** Reads a table constraint into the foreign-key list or primary key of `target`. */
function addConstraint(constraint: unknown, target: { foreignKeys: ForeignKey[]; primaryKey?: NamePart[] }): void {
  const variant = variantOf(constraint);
  if (!variant) return;
  const [name, inner] = variant;
  if (name === 'ForeignKey') target.foreignKeys.push(foreignKey(inner));
  else if (name === 'PrimaryKey' || (name === 'Unique' && field(inner, 'is_primary') === true)) {
    target.primaryKey = keyColumns(field(inner, 'columns'));
  }
}

function columnDef(def: unknown): ColumnDef | undefined {
  const name = namePart(field(def, 'name'));
  if (!name) return undefined;
  const column: ColumnDef = { name };
  const dataType = dataTypeText(field(def, 'data_type'));
  if (dataType) column.dataType = dataType;
  for (const option of asArray(field(def, 'options'))) {
    const variant = variantOf(field(option, 'option'));
    if (!variant) continue;
    const [kind, inner] = variant;
    if (kind === 'PrimaryKey' || (kind === 'Unique' && field(inner, 'is_primary') === true)) column.primaryKey = true;
    if (kind === 'ForeignKey') {
      column.references = { table: objectName(field(inner, 'foreign_table')), columns: keyColumns(field(inner, 'referred_columns')) };
    }
  }
  return column;
}

function columnDefs(defs: unknown): ColumnDef[] {
  const out: ColumnDef[] = [];
  for (const def of asArray(defs)) {
    const column = columnDef(def);
    if (column) out.push(column);
  }
  return out;
}

function aliasOf(factor: unknown): NamePart | undefined {
  return namePart(field(field(variantOf(factor)?.[1], 'alias'), 'name'));
}

function tableNameOf(factor: unknown): ObjectName | undefined {
  const table = field(factor, 'Table');
  return table === undefined ? undefined : objectName(field(table, 'name'));
}

export class StatementTranslator {
  private readonly text: string;
  private readonly queries = new QueryTranslator();
  private lineStarts: number[] | undefined;

  constructor(statementText: string) {
    this.text = statementText;
  }

  translateAll(nodes: unknown[]): Statement[] {
    const out: Statement[] = [];
    for (const node of nodes) out.push(...this.statement(node));
    // Data-modifying CTEs found while translating queries.
    for (let nested = this.queries.nestedDml.shift(); nested !== undefined; nested = this.queries.nestedDml.shift()) {
      out.push(...this.statement(nested));
    }
    return out;
  }

  private refs(...exprs: unknown[]): ExprRefs {
    return this.queries.refs(...exprs);
  }

  statement(node: unknown): Statement[] {
    const variant = variantOf(node);
    if (!variant) return [];
    const [name, inner] = variant;
    switch (name) {
      case 'Query':
        return this.queryStatement(inner);
      case 'Insert':
        return [this.insert(inner)];
      case 'Update':
        return [this.update(inner)];
      case 'Delete':
        return [this.delete(inner)];
      case 'Merge':
        return [this.merge(inner)];
      case 'CreateTable':
        return [this.createTable(inner)];
      case 'CreateView': {
        const columns = asArray(field(inner, 'columns'))
          .map((column) => namePart(field(column, 'name') ?? column))
          .filter((part): part is NamePart => part !== undefined);
        const view: Statement = {
          kind: 'createView',
          name: objectName(field(inner, 'name')),
          materialized: field(inner, 'materialized') === true,
          query: this.queries.query(field(inner, 'query')),
        };
        if (columns.length > 0) view.columns = columns;
        return [view];
      }
      case 'AlterTable':
        return [this.alterTable(inner)];
      case 'CreateIndex': {
        const columns: NamePart[] = [];
        for (const column of asArray(field(inner, 'columns'))) {
          for (const ref of this.refs(field(field(column, 'column'), 'expr') ?? column).columns) {
            const last = ref[ref.length - 1];
            if (last) columns.push(last);
          }
        }
        const index: Statement = { kind: 'createIndex', table: objectName(field(inner, 'table_name')), columns };
        const indexName = field(inner, 'name');
        if (indexName !== undefined && indexName !== null) index.name = objectName(indexName);
        return [index];
      }
      case 'CreateSequence':
        return [{ kind: 'createSequence', name: objectName(field(inner, 'name')) }];
      case 'CreateSchema':
        return [{ kind: 'createSchema', name: this.schemaName(field(inner, 'schema_name')) }];
      case 'CreateDatabase': {
        const dbName = lastNamePart(field(inner, 'db_name'));
        return dbName ? [{ kind: 'createDatabase', name: dbName }] : [{ kind: 'other', verb: 'CREATE DATABASE' }];
      }
      case 'CreateFunction':
        return [this.createFunction(inner)];
      case 'CreateProcedure': {
        const routine: CreateRoutine = { kind: 'createRoutine', routine: 'procedure', name: objectName(field(inner, 'name')) };
        routine.body = this.conditionalStatements(field(inner, 'body'));
        return [routine];
      }
      case 'CreateTrigger':
        return [this.createTrigger(inner)];
      case 'Drop':
        return [
          {
            kind: 'drop',
            objectKind: DROP_KINDS[String(field(inner, 'object_type'))] ?? 'other',
            names: asArray(field(inner, 'names')).map(objectName),
          },
        ];
      case 'DropFunction':
        return [{ kind: 'drop', objectKind: 'function', names: asArray(field(inner, 'func_desc')).map((d) => objectName(field(d, 'name'))) }];
      case 'DropProcedure':
        return [{ kind: 'drop', objectKind: 'procedure', names: asArray(field(inner, 'proc_desc')).map((d) => objectName(field(d, 'name'))) }];
      case 'DropTrigger':
        return [{ kind: 'drop', objectKind: 'trigger', names: [objectName(field(inner, 'trigger_name'))] }];
      case 'Copy':
        return [this.copy(inner)];
      case 'Use':
        return [this.use(inner)];
      case 'Set':
        return [this.set(inner)];
      default:
        if (CONTROL_FLOW.has(name)) {
          const nested = this.controlFlow(inner);
          if (nested.length > 0) return nested;
        }
        return [{ kind: 'other', verb: name === 'StartTransaction' ? 'BEGIN' : verbOf(name) }];
    }
  }

  private queryStatement(query: unknown): Statement[] {
    const body = variantOf(field(query, 'body'));
    if (body && ['Insert', 'Update', 'Delete', 'Merge'].includes(body[0])) {
      // `WITH x AS (...) INSERT ...`: the CTEs belong to the DML statement.
      const statements = this.statement(body[1]);
      const ctes = this.queries.ctes(field(query, 'with'));
      const first = statements[0];
      if (ctes && first && (first.kind === 'insert' || first.kind === 'update' || first.kind === 'delete')) first.with = ctes;
      return statements;
    }
    return [{ kind: 'query', query: this.queries.query(query) }];
  }

  private insert(node: unknown): Insert {
    const table = field(node, 'table');
    const insert: Insert = { kind: 'insert', target: objectName(field(table, 'TableName') ?? field(node, 'table_name') ?? table) };
    const columns = lastParts(field(node, 'columns'));
    if (columns.length > 0) insert.columns = columns;
    const source = field(node, 'source');
    const assignments = asArray(field(node, 'assignments'));
    if (source !== undefined && source !== null) insert.source = this.queries.query(source);
    else if (assignments.length > 0) {
      // MySQL `INSERT ... SET a = 1, b = 2` is a one-row VALUES.
      const set = this.assignments(assignments);
      insert.columns = set.map((assignment) => assignment.column[assignment.column.length - 1] as NamePart);
      insert.source = { kind: 'values', rows: [set.map((assignment) => assignment.value)] };
    }
    return insert;
  }

  private assignments(list: unknown): Assignment[] {
    const out: Assignment[] = [];
    for (const assignment of asArray(list)) {
      const target = field(assignment, 'target');
      const single = field(target, 'ColumnName');
      const targets = single !== undefined ? [single] : asArray(field(target, 'Tuple'));
      const value = this.refs(field(assignment, 'value'));
      for (const column of targets) out.push({ column: objectName(column), value });
    }
    return out;
  }

  private update(node: unknown): Update {
    const table = field(node, 'table');
    const relation = field(table, 'relation');
    const update: Update = {
      kind: 'update',
      target: tableNameOf(relation) ?? [],
      from: [],
      set: this.assignments(field(node, 'assignments')),
    };
    const alias = aliasOf(relation);
    if (alias) update.alias = alias;
    // MySQL `UPDATE a JOIN b ON ... SET`: the joined target is itself a relation list.
    if (asArray(field(table, 'joins')).length > 0) update.from.push(this.queries.tableWithJoins(table));
    const from = field(node, 'from');
    update.from.push(...this.queries.tableRefs(field(from, 'AfterSet') ?? field(from, 'BeforeSet') ?? from));
    const selection = field(node, 'selection');
    if (selection !== undefined && selection !== null) update.where = this.refs(selection);
    return update;
  }

  private delete(node: unknown): Delete {
    const fromClause = field(node, 'from');
    const fromList = asArray(field(fromClause, 'WithFromKeyword') ?? field(fromClause, 'WithoutKeyword') ?? fromClause);
    const first = fromList[0];
    const firstRelation = field(first, 'relation');
    const tables = asArray(field(node, 'tables'));
    const del: Delete = { kind: 'delete', target: [], using: [] };
    if (tables.length > 0) {
      // MySQL `DELETE a FROM t AS a JOIN ...`: the named target may be an alias.
      del.target = objectName(tables[0]);
      this.resolveDeleteAlias(del, fromList);
    } else {
      del.target = tableNameOf(firstRelation) ?? [];
      const alias = aliasOf(firstRelation);
      if (alias) del.alias = alias;
    }
    const multiTable = tables.length > 0 || fromList.length > 1 || asArray(field(first, 'joins')).length > 0;
    if (multiTable) del.using.push(...this.queries.tableRefs(fromList));
    del.using.push(...this.queries.tableRefs(field(node, 'using')));
    const selection = field(node, 'selection');
    if (selection !== undefined && selection !== null) del.where = this.refs(selection);
    return del;
  }

  private resolveDeleteAlias(del: Delete, fromList: unknown[]): void {
    const named = del.target[0];
    if (del.target.length !== 1 || !named) return;
    const factors = fromList.flatMap((twj) => [field(twj, 'relation'), ...asArray(field(twj, 'joins')).map((join) => field(join, 'relation'))]);
    for (const factor of factors) {
      const alias = aliasOf(factor);
      const name = tableNameOf(factor);
      if (alias && name && alias.value.toLowerCase() === named.value.toLowerCase()) {
        del.target = name;
        del.alias = alias;
        return;
      }
    }
  }

  private merge(node: unknown): Merge {
    const table = field(node, 'table');
    const merge: Merge = {
      kind: 'merge',
      target: tableNameOf(table) ?? [],
      source: this.queries.tableFactor(field(node, 'source')),
      on: this.refs(field(node, 'on')),
      set: [],
    };
    const alias = aliasOf(table);
    if (alias) merge.alias = alias;
    const predicates: unknown[] = [];
    for (const clause of asArray(field(node, 'clauses'))) {
      predicates.push(field(clause, 'predicate'));
      const action = field(clause, 'action');
      const update = field(action, 'Update');
      if (update !== undefined) merge.set.push(...this.assignments(field(update, 'assignments')));
      const insert = field(action, 'Insert');
      if (insert !== undefined) {
        const columns = lastParts(field(insert, 'columns'));
        if (columns.length > 0) merge.insertColumns = columns;
        const values = field(field(insert, 'kind'), 'Values');
        const row = this.queries.valuesRows(values)[0];
        if (row) merge.insertValues = row;
      }
    }
    const other = this.refs(...predicates);
    if (other.columns.length > 0 || other.subqueries.length > 0) merge.other = other;
    return merge;
  }

  private createTable(node: unknown): CreateTable {
    const table: CreateTable = {
      kind: 'createTable',
      name: objectName(field(node, 'name')),
      columns: columnDefs(field(node, 'columns')),
      foreignKeys: [],
    };
    for (const column of table.columns) {
      if (column.primaryKey && !table.primaryKey) table.primaryKey = [column.name];
    }
    for (const constraint of asArray(field(node, 'constraints'))) addConstraint(constraint, table);
    const query = field(node, 'query');
    if (query !== undefined && query !== null) table.as = this.queries.query(query);
    const like = field(node, 'like');
    if (like !== undefined && like !== null) {
      const likeSpec = field(like, 'Plain') ?? field(like, 'Parenthesized');
      table.like = objectName(likeSpec !== undefined ? field(likeSpec, 'name') : like);
    }
    const clone = field(node, 'clone');
    if (clone !== undefined && clone !== null && !table.like) table.like = objectName(clone);
    if (field(node, 'temporary') === true) table.temporary = true;
    return table;
  }

  private alterTable(node: unknown): AlterTable {
    const alter: AlterTable = { kind: 'alterTable', name: objectName(field(node, 'name')), addColumns: [], foreignKeys: [] };
    for (const operation of asArray(field(node, 'operations'))) {
      const variant = variantOf(operation);
      if (!variant) continue;
      const [name, inner] = variant;
      if (name === 'AddColumn') {
        const column = columnDef(field(inner, 'column_def'));
        if (column) alter.addColumns.push(column);
      } else if (name === 'AddConstraint') {
        addConstraint(field(inner, 'constraint'), alter);
      } else if (name === 'RenameTable') {
        const target = field(inner, 'table_name');
        alter.renameTo = objectName(field(target, 'To') ?? field(target, 'As') ?? target);
      }
    }
    return alter;
  }

  private schemaName(schema: unknown): ObjectName {
    const simple = field(schema, 'Simple');
    if (simple !== undefined) return objectName(simple);
    const named = field(schema, 'NamedAuthorization');
    if (named !== undefined) return objectName(asArray(named)[0]);
    const authorization = namePart(field(schema, 'UnnamedAuthorization'));
    return authorization ? [authorization] : [];
  }

  private createFunction(node: unknown): CreateRoutine {
    const routine: CreateRoutine = { kind: 'createRoutine', routine: 'function', name: objectName(field(node, 'name')) };
    const body = variantOf(field(node, 'function_body'));
    if (!body) return routine;
    const [kind, inner] = body;
    if (kind === 'AsBeforeOptions' || kind === 'AsAfterOptions') {
      const bodyText = this.stringBody(kind === 'AsBeforeOptions' ? field(inner, 'body') : inner);
      if (bodyText) routine.bodyText = bodyText;
    } else if (kind === 'AsBeginEnd') {
      routine.body = this.statementList(field(inner, 'statements'));
    } else if (kind === 'Return' || kind === 'AsReturnExpr') {
      const refs = this.refs(inner);
      const only = refs.subqueries[0];
      routine.body = [
        {
          kind: 'query',
          query: refs.columns.length === 0 && refs.subqueries.length === 1 && only ? only : { kind: 'select', items: [{ expr: refs }], from: [] },
        },
      ];
    } else if (kind === 'AsReturnSelect') {
      routine.body = [{ kind: 'query', query: this.queries.query({ body: { Select: inner }, locks: [] }) }];
    }
    return routine;
  }

  private createTrigger(node: unknown): CreateTrigger {
    const trigger: CreateTrigger = { kind: 'createTrigger', name: objectName(field(node, 'name')), table: objectName(field(node, 'table_name')) };
    const executes = field(field(field(node, 'exec_body'), 'func_desc'), 'name');
    if (executes !== undefined) trigger.executes = objectName(executes);
    const statements = field(node, 'statements');
    if (statements !== undefined && statements !== null) trigger.body = this.conditionalStatements(statements);
    return trigger;
  }

  private copy(node: unknown): Statement {
    const source = field(node, 'source');
    const copy: Statement = { kind: 'copy', direction: field(node, 'to') === true ? 'to' : 'from' };
    const table = field(source, 'Table');
    if (table !== undefined) {
      copy.table = objectName(field(table, 'table_name'));
      const columns = nameParts(field(table, 'columns'));
      if (columns.length > 0) copy.columns = columns;
    }
    const query = field(source, 'Query');
    if (query !== undefined) copy.query = this.queries.query(query);
    return copy;
  }

  private use(node: unknown): Statement {
    const variant = variantOf(node);
    if (!variant) return { kind: 'other', verb: 'USE' };
    const [kind, inner] = variant;
    const parts = objectName(inner);
    const [first, second] = parts;
    if (!first) return { kind: 'other', verb: 'USE' };
    if (kind === 'Object' || kind === 'Database' || kind === 'Catalog') {
      return second && kind === 'Object' ? { kind: 'use', database: first, schema: second } : { kind: 'use', database: parts[parts.length - 1] as NamePart };
    }
    if (kind === 'Schema') return second ? { kind: 'use', database: first, schema: second } : { kind: 'use', schema: first };
    return { kind: 'other', verb: 'USE' };
  }

  /** `SET search_path = a, b` moves the default schema to `a`; other SETs do not matter. */
  private set(node: unknown): Statement {
    const assignment = field(node, 'SingleAssignment');
    const variable = lastNamePart(field(assignment, 'variable'));
    if (variable?.value.toLowerCase() !== 'search_path') return { kind: 'other', verb: 'SET' };
    for (const value of asArray(field(assignment, 'values'))) {
      const ident = namePart(field(value, 'Identifier'));
      const literal = field(field(field(value, 'Value'), 'value'), 'SingleQuotedString');
      const candidates: NamePart[] = ident
        ? [ident]
        : typeof literal === 'string'
          ? literal.split(',').map((item) => {
              const trimmed = item.trim();
              const quoted = trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length > 1;
              return { value: quoted ? trimmed.slice(1, -1) : trimmed, quoted };
            })
          : [];
      const schema = candidates.find((candidate) => candidate.value !== '' && candidate.value !== '$user');
      if (schema) return { kind: 'use', schema };
    }
    return { kind: 'other', verb: 'SET' };
  }

  private statementList(statements: unknown): Statement[] {
    return asArray(statements).flatMap((statement) => this.statement(statement));
  }

  private conditionalStatements(block: unknown): Statement[] {
    const statements = field(field(block, 'Sequence'), 'statements') ?? field(field(block, 'BeginEnd'), 'statements') ?? field(block, 'statements');
    return this.statementList(statements);
  }

  /**
   * IF / WHILE / CASE blocks: their nested statements, plus a query statement
   * for each subquery in a condition (`IF EXISTS (SELECT ...)` reads tables).
   */
  private controlFlow(node: unknown): Statement[] {
    const out: Statement[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) {
        value.forEach(visit);
        return;
      }
      if (!isNode(value)) return;
      for (const [key, child] of Object.entries(value)) {
        if (key === 'statements' && Array.isArray(child)) out.push(...this.statementList(child));
        else if (key === 'condition' || key === 'match_expr' || key === 'operand') {
          for (const query of this.refs(child).subqueries) out.push({ kind: 'query', query });
        } else if (key !== 'span' && !key.endsWith('_token')) visit(child);
      }
    };
    visit(node);
    return out;
  }

  /** A routine body given as a string literal: its text and where it starts in the statement. */
  private stringBody(expr: unknown): { text: string; offset: number } | undefined {
    const valueWithSpan = field(expr, 'Value');
    const value = field(valueWithSpan, 'value') ?? valueWithSpan;
    const dollar = field(value, 'DollarQuotedString');
    const single = field(value, 'SingleQuotedString') ?? field(value, 'NationalStringLiteral') ?? field(value, 'EscapedStringLiteral');
    const start = this.offsetOf(field(field(valueWithSpan, 'span'), 'start'));
    if (dollar !== undefined) {
      const text = field(dollar, 'value');
      if (typeof text !== 'string') return undefined;
      const tag = field(dollar, 'tag');
      const delimiter = `$${typeof tag === 'string' ? tag : ''}$`;
      if (start !== undefined && this.text.startsWith(delimiter + text, start)) return { text, offset: start + delimiter.length };
      const found = this.text.indexOf(delimiter + text + delimiter);
      return found < 0 ? undefined : { text, offset: found + delimiter.length };
    }
    if (typeof single === 'string') {
      // The literal's value has `''` unescaped, so offsets after an escaped quote drift by one.
      const quote = start === undefined ? -1 : this.text.indexOf("'", start);
      if (quote >= 0) return { text: single, offset: quote + 1 };
      const found = this.text.indexOf(single);
      return found < 0 ? undefined : { text: single, offset: found };
    }
    return undefined;
  }

  /** A span location (1-based line, 1-based column counted in characters) as a UTF-16 offset. */
  private offsetOf(location: unknown): number | undefined {
    const line = field(location, 'line');
    const column = field(location, 'column');
    if (typeof line !== 'number' || typeof column !== 'number' || line < 1 || column < 1) return undefined;
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = this.text.indexOf('\n'); i >= 0; i = this.text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    }
    let offset = this.lineStarts[line - 1];
    if (offset === undefined) return undefined;
    for (let chars = 1; chars < column && offset < this.text.length; chars++) {
      offset += (this.text.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
    }
    return offset;
  }
}

