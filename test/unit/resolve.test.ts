import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GraphFragment } from '../../src/engine/model/graph.ts';
import type { ParsedFile, ParsedStatement } from '../../src/engine/model/parsed.ts';
import type { ColumnRef, ExprRefs, NamePart, ObjectName, Query, SelectItem, SelectQuery, Statement, TableRef } from '../../src/engine/model/statements.ts';
import { buildCatalog } from '../../src/engine/extract/catalog.ts';
import type { NameOptions } from '../../src/engine/extract/names.ts';
import { resolveFile } from '../../src/engine/extract/resolve.ts';
import type { FileResolution } from '../../src/engine/extract/resolve.ts';

// ---- builders for neutral statements ----
const n = (s: string): NamePart => (s.startsWith('"') ? { value: s.slice(1, -1), quoted: true } : { value: s, quoted: false });
const on = (dotted: string): ObjectName => dotted.split('.').map(n);
const refs = (...cols: string[]): ExprRefs => ({ columns: cols.map((c): ColumnRef => on(c)), subqueries: [] });
const withSub = (r: ExprRefs, ...subs: Query[]): ExprRefs => ({ columns: r.columns, subqueries: subs });
const c = (dotted: string, alias?: string): SelectItem => ({ expr: refs(dotted), bare: true, ...(alias ? { alias: n(alias) } : {}) });
const e = (expr: ExprRefs, alias?: string): SelectItem => ({ expr, ...(alias ? { alias: n(alias) } : {}) });
const star = (qualifier?: string): SelectItem => ({ star: qualifier ? { qualifier: on(qualifier) } : {}, expr: refs() });
const t = (name: string, alias?: string): TableRef => ({ kind: 'table', name: on(name), ...(alias ? { alias: n(alias) } : {}) });
const d = (query: Query, alias: string, columnAliases?: string[]): TableRef => ({
  kind: 'derived',
  query,
  alias: n(alias),
  ...(columnAliases ? { columnAliases: columnAliases.map(n) } : {}),
});
const join = (left: TableRef, right: TableRef, ...onCols: string[]): TableRef => ({ kind: 'join', left, right, on: refs(...onCols) });
const select = (q: Partial<SelectQuery>): SelectQuery => ({ kind: 'select', items: [], from: [], ...q });
const query = (q: Query): Statement => ({ kind: 'query', query: q });
const createTable = (name: string, columns: string[], extra: Partial<Extract<Statement, { kind: 'createTable' }>> = {}): Statement => ({
  kind: 'createTable',
  name: on(name),
  columns: columns.map((x) => ({ name: n(x) })),
  foreignKeys: [],
  ...extra,
});
const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 10 } });
const ps = (statements: Statement[], line = 0, extra: Partial<ParsedStatement> = {}): ParsedStatement => ({ range: range(line), backend: 'sqlparser-rs', statements, ...extra });
const file = (path: string, items: (Statement | ParsedStatement)[], extra: Partial<ParsedFile> = {}): ParsedFile => ({
  path,
  dialect: 'postgresql',
  encoding: 'utf8',
  statements: items.map((it, i) => ('range' in it ? it : ps([it], i))),
  diagnostics: [],
  statementCount: items.length,
  ...extra,
});
const opts = (f: ParsedFile): NameOptions => ({ dialect: f.dialect });
const resolveAll = (target: ParsedFile, ...others: ParsedFile[]): FileResolution => resolveFile(target, buildCatalog([target, ...others], opts), opts(target));

// ---- queries over the output ----
const edges = (g: GraphFragment, type: string, from?: string): string[] =>
  g.relationships.filter((r) => r.type === type && (from === undefined || r.from === from)).map((r) => (from === undefined ? `${r.from} -> ${r.to}` : r.to)).sort();
const tableReads = (g: GraphFragment, actor = 'file:q.sql'): string[] => edges(g, 'READS_FROM', actor).filter((k) => k.startsWith('rel:'));
const columnReads = (g: GraphFragment, actor = 'file:q.sql'): string[] => edges(g, 'READS_FROM', actor).filter((k) => k.startsWith('col:'));

const TPCH: Record<string, string[]> = {
  part: ['p_partkey', 'p_name', 'p_mfgr', 'p_brand', 'p_type', 'p_size', 'p_container', 'p_retailprice', 'p_comment'],
  supplier: ['s_suppkey', 's_name', 's_address', 's_nationkey', 's_phone', 's_acctbal', 's_comment'],
  partsupp: ['ps_partkey', 'ps_suppkey', 'ps_availqty', 'ps_supplycost', 'ps_comment'],
  customer: ['c_custkey', 'c_name', 'c_address', 'c_nationkey', 'c_phone', 'c_acctbal', 'c_mktsegment', 'c_comment'],
  orders: ['o_orderkey', 'o_custkey', 'o_orderstatus', 'o_totalprice', 'o_orderdate', 'o_orderpriority', 'o_clerk', 'o_shippriority', 'o_comment'],
  lineitem: ['l_orderkey', 'l_partkey', 'l_suppkey', 'l_linenumber', 'l_quantity', 'l_extendedprice', 'l_discount', 'l_tax', 'l_returnflag', 'l_linestatus', 'l_shipdate', 'l_commitdate', 'l_receiptdate', 'l_shipinstruct', 'l_shipmode', 'l_comment'],
  nation: ['n_nationkey', 'n_name', 'n_regionkey', 'n_comment'],
  region: ['r_regionkey', 'r_name', 'r_comment'],
};
const tpchSchema = file('schema.sql', Object.entries(TPCH).map(([name, cols]) => createTable(name, cols)));
const cols = (table: string, ...names: string[]): string[] => names.map((x) => `col:public.${table}.${x}`);

void test('q13 shape: derived table with column aliases, ORDER BY alias', () => {
  const inner = select({
    items: [c('c_custkey'), e(refs('o_orderkey'))],
    from: [{ kind: 'join', left: t('customer'), right: t('orders'), on: refs('c_custkey', 'o_custkey', 'o_comment') }],
    groupBy: refs('c_custkey'),
  });
  const q = select({
    items: [c('c_count'), e(refs(), 'custdist')],
    from: [d(inner, 'c_orders', ['c_custkey', 'c_count'])],
    groupBy: refs('c_count'),
    orderBy: refs('custdist', 'c_count'),
  });
  const g = resolveAll(file('q.sql', [query(q)]), tpchSchema);
  assert.deepEqual(tableReads(g), ['rel:public.customer', 'rel:public.orders']);
  assert.deepEqual(columnReads(g), [...cols('customer', 'c_custkey'), ...cols('orders', 'o_comment', 'o_custkey', 'o_orderkey')].sort());
  assert.equal(g.unresolvedColumns, 0);
});

void test('q15 shape: CTE used twice, ORDER BY, GROUP BY on an alias', () => {
  const revenue = select({
    items: [c('l_suppkey', 'supplier_no'), e(refs('l_extendedprice', 'l_discount'), 'total_revenue')],
    from: [t('lineitem')],
    where: refs('l_shipdate', 'l_shipdate'),
    groupBy: refs('supplier_no'),
  });
  const q = select({
    with: [{ name: n('revenue'), query: revenue }],
    items: [c('s_suppkey'), c('s_name'), c('s_address'), c('s_phone'), c('total_revenue')],
    from: [t('supplier'), t('revenue')],
    where: withSub(refs('s_suppkey', 'supplier_no', 'total_revenue'), select({ items: [e(refs('total_revenue'))], from: [t('revenue')] })),
    orderBy: refs('s_suppkey'),
  });
  const g = resolveAll(file('q.sql', [query(q)]), tpchSchema);
  assert.deepEqual(tableReads(g), ['rel:public.lineitem', 'rel:public.supplier']);
  assert.deepEqual(columnReads(g), [...cols('lineitem', 'l_discount', 'l_extendedprice', 'l_shipdate', 'l_suppkey'), ...cols('supplier', 's_address', 's_name', 's_phone', 's_suppkey')].sort());
  assert.equal(g.unresolvedColumns, 0);
});

void test('q22 shape: NOT EXISTS (SELECT * ...) correlated to the outer customer', () => {
  const exists = select({ items: [star()], from: [t('orders')], where: refs('o_custkey', 'c_custkey') });
  const avg = select({ items: [e(refs('c_acctbal'))], from: [t('customer')], where: refs('c_acctbal', 'c_phone') });
  const custsale = select({
    items: [e(refs('c_phone'), 'cntrycode'), c('c_acctbal')],
    from: [t('customer')],
    where: withSub(refs('c_phone', 'c_acctbal'), avg, exists),
  });
  const q = select({
    items: [c('cntrycode'), e(refs(), 'numcust'), e(refs('c_acctbal'), 'totacctbal')],
    from: [d(custsale, 'custsale')],
    groupBy: refs('cntrycode'),
    orderBy: refs('cntrycode'),
  });
  const g = resolveAll(file('q.sql', [query(q)]), tpchSchema);
  assert.deepEqual(tableReads(g), ['rel:public.customer', 'rel:public.orders']);
  assert.deepEqual(columnReads(g), [...cols('customer', 'c_acctbal', 'c_custkey', 'c_phone'), ...cols('orders', 'o_custkey')].sort());
});

void test('without a catalog, unqualified columns over several tables are dropped and counted, never guessed', () => {
  const q = select({ items: [c('a'), c('x.b')], from: [t('x'), t('y')] });
  const g = resolveAll(file('q.sql', [query(q)]));
  assert.deepEqual(columnReads(g), ['col:public.x.b']);
  assert.equal(g.unresolvedColumns, 1);
  // A single relation in scope takes the column even without DDL, with HAS_COLUMN from the reference.
  const one = resolveAll(file('q.sql', [query(select({ items: [c('a')], from: [t('x')] }))]));
  assert.deepEqual(columnReads(one), ['col:public.x.a']);
  assert.deepEqual(edges(one, 'HAS_COLUMN'), ['rel:public.x -> col:public.x.a']);
});

void test('a CTE shadowing a real table of the same name is not reported; its body reads the real table', () => {
  const q = select({
    with: [{ name: n('orders'), query: select({ items: [c('id'), c('amount')], from: [t('orders')], where: refs('status') }) }],
    items: [c('o.amount')],
    from: [t('orders', 'o')],
  });
  const g = resolveAll(file('q.sql', [query(q)]));
  assert.deepEqual(tableReads(g), ['rel:public.orders']);
  assert.deepEqual(columnReads(g), cols('orders', 'amount', 'id', 'status'));
  // Only one orders relation exists: the CTE never became an entity.
  assert.deepEqual(g.entities.filter((x) => x.kind === 'table').map((x) => x.key), ['rel:public.orders']);
});

void test('nested CTE chains and star expansion through CTEs resolve down to base columns', () => {
  const schema = file('s.sql', [createTable('raw', ['id', 'name', 'secret'])]);
  const q = select({
    with: [
      { name: n('a'), query: select({ items: [star()], from: [t('raw')] }) },
      { name: n('b'), query: select({ items: [c('id', 'ident'), c('name')], from: [t('a')] }) },
      { name: n('c'), query: select({ items: [star()], from: [t('b')] }) },
    ],
    items: [c('ident'), c('c.name')],
    from: [t('c')],
  });
  const g = resolveAll(file('q.sql', [query(q)]), schema);
  assert.deepEqual(tableReads(g), ['rel:public.raw']);
  // `secret` passes through a's star but nobody reads it.
  assert.deepEqual(columnReads(g), cols('raw', 'id', 'name'));
});

void test('star over an unknown relation passes column lookups through (dbt style CTE chains)', () => {
  const q = select({
    with: [{ name: n('src'), query: select({ items: [star()], from: [t('stg_orders')] }) }],
    items: [c('order_id'), e(refs('amount'), 'total')],
    from: [t('src')],
  });
  const g = resolveAll(file('q.sql', [query(q)]));
  assert.deepEqual(columnReads(g), cols('stg_orders', 'amount', 'order_id'));
});

void test('recursive CTE referencing itself is never a relation', () => {
  const body: Query = {
    kind: 'setop',
    op: 'union all',
    left: select({ items: [c('id'), c('parent_id')], from: [t('nodes')], where: refs('parent_id') }),
    right: select({ items: [c('n.id'), c('n.parent_id')], from: [join(t('nodes', 'n'), t('tree', 'tr'), 'n.parent_id', 'tr.id')] }),
  };
  const q = select({ recursive: true, with: [{ name: n('tree'), query: body }], items: [c('id')], from: [t('tree')] });
  const g = resolveAll(file('q.sql', [query(q)]));
  assert.deepEqual(tableReads(g), ['rel:public.nodes']);
  assert.deepEqual(columnReads(g), cols('nodes', 'id', 'parent_id'));
  assert.equal(g.unresolvedColumns, 0);
});

void test('self-join and alias collisions between outer and inner scopes', () => {
  const schema = file('s.sql', [createTable('emp', ['id', 'boss_id', 'name']), createTable('dept', ['id', 'title'])]);
  const inner = select({ items: [e(refs('t.title'))], from: [t('dept', 't')], where: refs('t.id', 'e.id') });
  const q = select({
    items: [c('e.name'), c('m.name', 'boss'), e(withSub(refs(), inner), 'dept_title')],
    from: [join(t('emp', 'e'), t('emp', 't'), 'e.boss_id', 't.id')],
  });
  const g = resolveAll(file('q.sql', [query(q)]), schema);
  assert.deepEqual(tableReads(g), ['rel:public.dept', 'rel:public.emp']);
  // Inner `t` is dept (innermost scope wins); `e.id` is the outer emp; `m.name` has no source.
  assert.deepEqual(columnReads(g), [...cols('dept', 'id', 'title'), ...cols('emp', 'boss_id', 'id', 'name')].sort());
  assert.equal(g.unresolvedColumns, 1);
});

void test('unqualified column goes to the one relation whose catalog columns contain it', () => {
  const schema = file('s.sql', [createTable('a', ['id', 'x']), createTable('b', ['id', 'y'])]);
  const q = select({ items: [c('x'), c('y'), c('id')], from: [t('a'), t('b')] });
  const g = resolveAll(file('q.sql', [query(q)]), schema);
  assert.deepEqual(columnReads(g), ['col:public.a.x', 'col:public.b.y']);
  assert.equal(g.unresolvedColumns, 1); // `id` is ambiguous
});

void test('CREATE VIEW: DEPENDS_ON, view columns and DERIVED_FROM by column list, alias, then bare name', () => {
  const schema = file('s.sql', [createTable('t', ['a', 'b', 'c'])]);
  const view: Statement = {
    kind: 'createView',
    name: on('v'),
    materialized: false,
    query: select({ items: [c('a'), e(refs('b', 'c'), 'bc'), e(refs('c'))], from: [t('t')] }),
  };
  const g = resolveAll(file('q.sql', [view]), schema);
  assert.deepEqual(edges(g, 'DEFINES'), ['file:q.sql -> rel:public.v']);
  assert.deepEqual(edges(g, 'DEPENDS_ON'), ['rel:public.v -> rel:public.t']);
  assert.deepEqual(tableReads(g, 'rel:public.v'), ['rel:public.t']);
  assert.deepEqual(edges(g, 'HAS_COLUMN'), ['rel:public.v -> col:public.v.a', 'rel:public.v -> col:public.v.bc']);
  assert.deepEqual(edges(g, 'DERIVED_FROM'), ['col:public.v.a -> col:public.t.a', 'col:public.v.bc -> col:public.t.b', 'col:public.v.bc -> col:public.t.c']);
  const withList = resolveAll(file('q.sql', [{ ...view, columns: [n('x'), n('y'), n('z')] } as Statement]), schema);
  assert.deepEqual(edges(withList, 'DERIVED_FROM'), ['col:public.v.x -> col:public.t.a', 'col:public.v.y -> col:public.t.b', 'col:public.v.y -> col:public.t.c', 'col:public.v.z -> col:public.t.c']);
});

void test('INSERT ... SELECT pairs columns by position, from the column list or the catalog order', () => {
  const schema = file('s.sql', [createTable('src', ['p', 'q']), createTable('dst', ['x', 'y'])]);
  const source = select({ items: [c('q'), e(refs('p'))], from: [t('src')] });
  const explicit = resolveAll(file('q.sql', [{ kind: 'insert', target: on('dst'), columns: [n('y'), n('x')], source }]), schema);
  assert.deepEqual(edges(explicit, 'WRITES_TO'), ['file:q.sql -> col:public.dst.x', 'file:q.sql -> col:public.dst.y', 'file:q.sql -> rel:public.dst']);
  assert.equal(explicit.relationships.find((r) => r.type === 'WRITES_TO')?.operation, 'INSERT');
  assert.deepEqual(edges(explicit, 'DERIVED_FROM'), ['col:public.dst.x -> col:public.src.p', 'col:public.dst.y -> col:public.src.q']);
  const implicit = resolveAll(file('q.sql', [{ kind: 'insert', target: on('dst'), source }]), schema);
  assert.deepEqual(edges(implicit, 'DERIVED_FROM'), ['col:public.dst.x -> col:public.src.q', 'col:public.dst.y -> col:public.src.p']);
  assert.deepEqual(tableReads(implicit), ['rel:public.src']);
});

void test('UPDATE ... FROM: target alias, SET derivation, target read only through its columns', () => {
  const schema = file('s.sql', [createTable('acct', ['id', 'bal']), createTable('pay', ['acct_id', 'amt'])]);
  const upd: Statement = {
    kind: 'update',
    target: on('acct'),
    alias: n('a'),
    from: [t('pay', 'p')],
    set: [{ column: on('bal'), value: refs('a.bal', 'p.amt') }],
    where: refs('a.id', 'p.acct_id'),
  };
  const g = resolveAll(file('q.sql', [upd]), schema);
  assert.deepEqual(edges(g, 'WRITES_TO'), ['file:q.sql -> col:public.acct.bal', 'file:q.sql -> rel:public.acct']);
  assert.deepEqual(edges(g, 'DERIVED_FROM'), ['col:public.acct.bal -> col:public.acct.bal', 'col:public.acct.bal -> col:public.pay.amt']);
  assert.deepEqual(tableReads(g), ['rel:public.acct', 'rel:public.pay']);
  assert.deepEqual(columnReads(g), [...cols('acct', 'bal', 'id'), ...cols('pay', 'acct_id', 'amt')].sort());
  // T-SQL: UPDATE names an alias declared in FROM.
  const tsql = resolveAll(
    file('q.sql', [{ kind: 'update', target: on('a'), from: [join(t('acct', 'a'), t('pay', 'p'), 'a.id', 'p.acct_id')], set: [{ column: on('bal'), value: refs('p.amt') }] }]),
    schema,
  );
  assert.deepEqual(edges(tsql, 'WRITES_TO').filter((x) => x.includes('rel:')), ['file:q.sql -> rel:public.acct']);
});

void test('DELETE with USING and MERGE', () => {
  const schema = file('s.sql', [createTable('tgt', ['id', 'v']), createTable('stage', ['id', 'v', 'gone'])]);
  const del = resolveAll(file('q.sql', [{ kind: 'delete', target: on('tgt'), using: [t('stage', 's')], where: refs('tgt.id', 's.id', 's.gone') }]), schema);
  assert.deepEqual(edges(del, 'WRITES_TO'), ['file:q.sql -> rel:public.tgt']);
  assert.equal(del.relationships.find((r) => r.type === 'WRITES_TO')?.operation, 'DELETE');
  assert.deepEqual(columnReads(del), [...cols('stage', 'gone', 'id'), ...cols('tgt', 'id')].sort());
  const merge: Statement = {
    kind: 'merge',
    target: on('tgt'),
    alias: n('t'),
    source: t('stage', 's'),
    on: refs('t.id', 's.id'),
    set: [{ column: on('v'), value: refs('s.v') }],
    insertColumns: [n('id'), n('v')],
    insertValues: [refs('s.id'), refs('s.v')],
  };
  const g = resolveAll(file('q.sql', [merge]), schema);
  assert.deepEqual(edges(g, 'DERIVED_FROM'), ['col:public.tgt.id -> col:public.stage.id', 'col:public.tgt.v -> col:public.stage.v']);
  assert.ok(g.relationships.every((r) => r.type !== 'WRITES_TO' || r.operation === 'MERGE'));
  assert.deepEqual(tableReads(g), ['rel:public.stage', 'rel:public.tgt']);
});

void test('foreign keys: table and column REFERENCES, implicit columns from the primary key', () => {
  const parent = createTable('parent', ['pid', 'name'], { primaryKey: [n('pid')] });
  const child = createTable('child', ['id', 'parent_id'], { foreignKeys: [{ columns: [n('parent_id')], refTable: on('parent'), refColumns: [] }] });
  const g = resolveAll(file('q.sql', [child]), file('p.sql', [parent]));
  assert.deepEqual(edges(g, 'REFERENCES'), ['col:public.child.parent_id -> col:public.parent.pid', 'rel:public.child -> rel:public.parent']);
  assert.deepEqual(edges(g, 'DEFINES'), ['file:q.sql -> rel:public.child']);
  assert.equal(g.entities.find((x) => x.key === 'rel:public.parent')?.defined, false);
  assert.equal(g.entities.find((x) => x.key === 'rel:public.child')?.defined, true);
});

void test('CTAS and SELECT INTO define the table and write it', () => {
  const schema = file('s.sql', [createTable('src', ['a', 'b'])]);
  const ctas = createTable('copy', [], { as: select({ items: [star()], from: [t('src')] }) });
  const g = resolveAll(file('q.sql', [ctas]), schema);
  assert.deepEqual(edges(g, 'WRITES_TO'), ['file:q.sql -> rel:public.copy']);
  assert.equal(g.relationships.find((r) => r.type === 'WRITES_TO')?.operation, 'CTAS');
  assert.deepEqual(edges(g, 'DERIVED_FROM'), ['col:public.copy.a -> col:public.src.a', 'col:public.copy.b -> col:public.src.b']);
  const into = resolveAll(file('q.sql', [query(select({ items: [c('a')], from: [t('src')], into: on('#tmp') }))]), schema);
  assert.deepEqual(edges(into, 'WRITES_TO'), ['file:q.sql -> rel:public.#tmp']);
  assert.ok(into.entities.some((x) => x.key === 'rel:public.#tmp' && x.defined));
});

void test('routine bodies: reads and writes belong to the routine; triggers depend on table and function', () => {
  const routine: Statement = { kind: 'createRoutine', routine: 'procedure', name: on('load') };
  const bodyStmt = ps([{ kind: 'insert', target: on('dst'), source: select({ items: [c('a')], from: [t('src')] }) }], 1, {
    owner: { kind: 'procedure', name: on('load') },
  });
  const inlineBody: Statement = { kind: 'createRoutine', routine: 'function', name: on('f'), body: [{ kind: 'delete', target: on('old'), using: [] }] };
  const trig: Statement = { kind: 'createTrigger', name: on('trg'), table: on('dst'), executes: on('f') };
  const g = resolveAll(file('q.sql', [ps([routine], 0), bodyStmt, ps([inlineBody], 2), ps([trig], 3)]));
  assert.deepEqual(edges(g, 'WRITES_TO', 'proc:public.load'), ['rel:public.dst']);
  assert.deepEqual(tableReads(g, 'proc:public.load'), ['rel:public.src']);
  assert.deepEqual(edges(g, 'WRITES_TO', 'func:public.f'), ['rel:public.old']);
  assert.deepEqual(edges(g, 'DEPENDS_ON', 'trigger:public.trg'), ['func:public.f', 'rel:public.dst']);
  assert.deepEqual(edges(g, 'DEFINES'), ['file:q.sql -> func:public.f', 'file:q.sql -> proc:public.load', 'file:q.sql -> trigger:public.trg']);
  assert.equal(edges(g, 'READS_FROM', 'file:q.sql').length, 0);
});

void test('dbt model: defined by the file, depends on refs and sources, gets its columns', () => {
  const tpl = {
    refs: [{ name: 'stg_orders', range: range(1) }],
    sources: [{ source: 'raw', table: 'payments', range: range(2) }],
  };
  const q = select({ items: [c('order_id'), e(refs('amount'), 'total')], from: [t('stg_orders')] });
  const g = resolveAll(file('models/orders.sql', [query(q)], { dbtModel: { name: 'orders', template: tpl } }));
  assert.deepEqual(edges(g, 'DEFINES'), ['file:models/orders.sql -> rel:public.orders']);
  assert.equal(g.entities.find((x) => x.key === 'rel:public.orders')?.kind, 'dbt_model');
  // From the template (ref range) and from the parsed query (statement range): one edge per range.
  assert.deepEqual(edges(g, 'DEPENDS_ON', 'rel:public.orders'), ['rel:public.stg_orders', 'rel:public.stg_orders', 'rel:raw.payments']);
  const refEdge = g.relationships.find((r) => r.type === 'DEPENDS_ON' && r.to === 'rel:raw.payments');
  assert.equal(refEdge?.range.start.line, 2);
  assert.deepEqual([...new Set(tableReads(g, 'rel:public.orders'))], ['rel:public.stg_orders', 'rel:raw.payments']);
  assert.deepEqual(edges(g, 'DERIVED_FROM'), ['col:public.orders.order_id -> col:public.stg_orders.order_id', 'col:public.orders.total -> col:public.stg_orders.amount']);
});

void test('fallback relations are low confidence', () => {
  const fb = ps([], 0, {
    backend: undefined,
    fallback: { reads: [on('a')], writes: [{ name: on('b'), operation: 'INSERT' }], references: [on('c')], creates: [{ kind: 'table', name: on('d') }] },
  });
  const g = resolveAll(file('q.sql', [fb]));
  assert.ok(g.relationships.length > 0 && g.relationships.every((r) => r.confidence === 'low'));
  assert.deepEqual(edges(g, 'READS_FROM'), ['file:q.sql -> rel:public.a']);
  assert.deepEqual(edges(g, 'WRITES_TO'), ['file:q.sql -> rel:public.b']);
  assert.deepEqual(edges(g, 'REFERENCES'), ['rel:public.d -> rel:public.c']);
  assert.deepEqual(edges(g, 'DEFINES'), ['file:q.sql -> rel:public.d']);
});

void test('relationships carry the statement range and file; USE changes defaults for later statements', () => {
  const f = file('q.sql', [query(select({ items: [c('x')], from: [t('a')] })), { kind: 'use', schema: n('other') }, query(select({ items: [c('x')], from: [t('a')] }))]);
  const g = resolveAll(f);
  const reads = g.relationships.filter((r) => r.type === 'READS_FROM' && r.to.startsWith('rel:'));
  assert.deepEqual(reads.map((r) => [r.to, r.range.start.line, r.file, r.confidence]), [
    ['rel:public.a', 0, 'q.sql', 'high'],
    ['rel:other.a', 2, 'q.sql', 'high'],
  ]);
});

void test('ORDER BY alias is not a column; GROUP BY alias resolves to the item', () => {
  const q = select({ items: [e(refs('price', 'qty'), 'total')], from: [t('sales'), t('other')], groupBy: refs('total'), orderBy: refs('total') });
  const g = resolveAll(file('q.sql', [query(q)]), file('s.sql', [createTable('sales', ['price', 'qty']), createTable('other', ['z'])]));
  assert.deepEqual(columnReads(g), cols('sales', 'price', 'qty'));
  assert.equal(g.unresolvedColumns, 0);
});
