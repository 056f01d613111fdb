import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import type { NamePart, ObjectName, Query, SelectItem, SelectQuery, Statement, TableRef } from '../../src/engine/model/statements.ts';
import { buildCatalog } from '../../src/engine/extract/catalog.ts';
import type { Catalog } from '../../src/engine/extract/catalog.ts';

const n = (s: string): NamePart => ({ value: s, quoted: false });
const on = (dotted: string): ObjectName => dotted.split('.').map(n);
const c = (name: string, alias?: string): SelectItem => ({ expr: { columns: [on(name)], subqueries: [] }, bare: true, ...(alias ? { alias: n(alias) } : {}) });
const star = (qualifier?: string): SelectItem => ({ star: qualifier ? { qualifier: on(qualifier) } : {}, expr: { columns: [], subqueries: [] } });
const t = (name: string, alias?: string): TableRef => ({ kind: 'table', name: on(name), ...(alias ? { alias: n(alias) } : {}) });
const select = (q: Partial<SelectQuery>): SelectQuery => ({ kind: 'select', items: [], from: [], ...q });
const table = (name: string, columns: string[], extra: Partial<Extract<Statement, { kind: 'createTable' }>> = {}): Statement => ({
  kind: 'createTable',
  name: on(name),
  columns: columns.map((x) => ({ name: n(x) })),
  foreignKeys: [],
  ...extra,
});
const view = (name: string, query: Query, columns?: string[]): Statement => ({ kind: 'createView', name: on(name), materialized: false, query, ...(columns ? { columns: columns.map(n) } : {}) });
const file = (path: string, statements: Statement[], dialect: ParsedFile['dialect'] = 'postgresql'): ParsedFile => ({
  path,
  dialect,
  encoding: 'utf8',
  statements: statements.map((s, i) => ({ range: { start: { line: i, character: 0 }, end: { line: i, character: 1 } }, statements: [s] })),
  diagnostics: [],
  statementCount: statements.length,
});
const build = (...files: ParsedFile[]): Catalog => buildCatalog(files, (f) => ({ dialect: f.dialect }));

void test('CREATE TABLE columns, ALTER TABLE ADD COLUMN and primary keys', () => {
  const cat = build(
    file('a.sql', [table('t', ['id', 'Name'], { primaryKey: [n('id')] }), { kind: 'alterTable', name: on('t'), addColumns: [{ name: n('extra') }], foreignKeys: [] }]),
  );
  assert.deepEqual(cat.columnsOf('rel:public.t'), ['id', 'name', 'extra']);
  assert.equal(cat.kindOf('rel:public.t'), 'table');
  assert.deepEqual(cat.primaryKeyOf('rel:public.t'), ['id']);
  assert.equal(cat.columnsOf('rel:public.missing'), undefined);
});

void test('ALTER on a table no DDL defines does not invent a complete column list', () => {
  const cat = build(file('a.sql', [{ kind: 'alterTable', name: on('ghost'), addColumns: [{ name: n('x') }], foreignKeys: [] }]));
  assert.equal(cat.columnsOf('rel:public.ghost'), undefined);
});

void test('view columns from its query, with * expanded and views over views defined in later files', () => {
  const base = file('z_base.sql', [table('t', ['a', 'b'])]);
  const v1 = file('a_v1.sql', [view('v1', select({ items: [star(), c('a', 'a2')], from: [t('t')] }))]);
  const v2 = file('b_v2.sql', [view('v2', select({ items: [star('x')], from: [t('v1', 'x')] }), undefined)]);
  const listed = file('c_v3.sql', [view('v3', select({ items: [c('a'), c('b')], from: [t('t')] }), ['p', 'q'])]);
  const cat = build(v2, v1, base, listed);
  assert.deepEqual(cat.columnsOf('rel:public.v1'), ['a', 'b', 'a2']);
  assert.deepEqual(cat.columnsOf('rel:public.v2'), ['a', 'b', 'a2']);
  assert.deepEqual(cat.columnsOf('rel:public.v3'), ['p', 'q']);
  assert.equal(cat.kindOf('rel:public.v1'), 'view');
});

void test('CTAS columns; star over an unknown table leaves the columns unknown', () => {
  const cat = build(
    file('a.sql', [
      table('src', ['x', 'y']),
      table('copy', [], { as: select({ items: [star()], from: [t('src')] }) }),
      table('opaque', [], { as: select({ items: [star()], from: [t('unknown')] }) }),
    ]),
  );
  assert.deepEqual(cat.columnsOf('rel:public.copy'), ['x', 'y']);
  assert.equal(cat.columnsOf('rel:public.opaque'), undefined);
  assert.equal(cat.kindOf('rel:public.opaque'), 'table');
});

void test('file order does not change the result; first definition by path wins', () => {
  const a = file('a.sql', [table('t', ['from_a'])]);
  const b = file('b.sql', [table('t', ['from_b']), view('v', select({ items: [star()], from: [t('t')] }))]);
  const one = build(a, b);
  const two = build(b, a);
  assert.deepEqual(one.columnsOf('rel:public.t'), ['from_a']);
  assert.deepEqual(two.columnsOf('rel:public.t'), ['from_a']);
  assert.deepEqual(two.columnsOf('rel:public.v'), ['from_a']);
});

void test('dialect defaults and USE apply to catalog keys', () => {
  const cat = build(file('a.sql', [{ kind: 'use', database: n('shop') }, table('Orders', ['ID'])], 'mysql'), file('b.sql', [table('t', ['c'])], 'transactsql'));
  assert.deepEqual(cat.columnsOf('rel:shop.orders'), ['id']);
  assert.deepEqual(cat.columnsOf('rel:dbo.t'), ['c']);
});
