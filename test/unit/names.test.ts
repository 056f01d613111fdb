import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { NamePart, ObjectName } from '../../src/engine/model/statements.ts';
import { columnKey, escapePart, fileKey, indexKey, relationKey, routineKey, schemaKey, triggerKey } from '../../src/engine/extract/keys.ts';
import { applyUse, defaultSchemaFor, foldPart, qualify } from '../../src/engine/extract/names.ts';

const u = (value: string): NamePart => ({ value, quoted: false });
const q = (value: string): NamePart => ({ value, quoted: true });
const key = (name: ObjectName, dialect: Dialect, extra: { defaultSchema?: string; defaultDatabase?: string } = {}): string =>
  relationKey(qualify(name, { dialect, ...extra }));

void test('default schema per dialect', () => {
  assert.equal(defaultSchemaFor('postgresql'), 'public');
  assert.equal(defaultSchemaFor('redshift'), 'public');
  assert.equal(defaultSchemaFor('snowflake'), 'public');
  assert.equal(defaultSchemaFor('transactsql'), 'dbo');
  assert.equal(defaultSchemaFor('mysql'), '');
  assert.equal(defaultSchemaFor('sqlite'), '');
});

void test('unquoted names fold to lower case in every dialect', () => {
  for (const d of ['postgresql', 'mysql', 'snowflake', 'oracle', 'transactsql', 'generic'] as Dialect[]) {
    assert.equal(foldPart(u('Customer'), d), 'customer', d);
  }
});

void test('quoted names keep their case only where quoting makes them case-sensitive', () => {
  assert.equal(foldPart(q('Customer'), 'postgresql'), 'Customer');
  assert.equal(foldPart(q('Customer'), 'mysql'), 'customer');
  assert.equal(foldPart(q('Customer'), 'mariadb'), 'customer');
  assert.equal(foldPart(q('Customer'), 'transactsql'), 'customer');
  assert.equal(foldPart(q('Customer'), 'sqlite'), 'customer');
  assert.equal(foldPart(q('Customer'), 'bigquery'), 'customer');
  assert.equal(foldPart(q('Customer'), 'hive'), 'customer');
  // Upper-folding dialects: "CUSTOMER" is the unquoted customer, "Customer" is not.
  for (const d of ['snowflake', 'oracle', 'db2'] as Dialect[]) {
    assert.equal(foldPart(q('CUSTOMER'), d), 'customer', d);
    assert.equal(foldPart(q('Customer'), d), 'Customer', d);
  }
  assert.equal(foldPart(q('CUSTOMER'), 'postgresql'), 'CUSTOMER');
});

void test('qualification fills defaults and keeps the last three parts', () => {
  assert.equal(key([u('t')], 'postgresql'), 'rel:public.t');
  assert.equal(key([u('s'), u('t')], 'postgresql'), 'rel:s.t');
  assert.equal(key([u('d'), u('s'), u('t')], 'postgresql'), 'rel:d.s.t');
  assert.equal(key([u('srv'), u('d'), u('s'), u('t')], 'transactsql'), 'rel:d.s.t');
  assert.equal(key([u('t')], 'transactsql'), 'rel:dbo.t');
  assert.equal(key([u('d'), u(''), u('t')], 'transactsql'), 'rel:d.dbo.t');
  assert.equal(key([u('t')], 'mysql'), 'rel:t');
  // MySQL database.table is stored in the schema slot.
  assert.equal(key([u('sakila'), u('actor')], 'mysql'), 'rel:sakila.actor');
  assert.equal(key([u('t')], 'postgresql', { defaultSchema: 'App', defaultDatabase: 'DB' }), 'rel:db.app.t');
  assert.equal(key([u('T')], 'postgresql'), key([q('t')], 'postgresql'));
  assert.notEqual(key([q('T')], 'postgresql'), key([u('T')], 'postgresql'));
});

void test('USE changes the defaults (database in T-SQL, schema in MySQL)', () => {
  const tsql = applyUse({ dialect: 'transactsql' }, { kind: 'use', database: u('Sales') });
  assert.equal(relationKey(qualify([u('t')], tsql)), 'rel:sales.dbo.t');
  const mysql = applyUse({ dialect: 'mysql' }, { kind: 'use', database: u('sakila') });
  assert.equal(relationKey(qualify([u('actor')], mysql)), relationKey(qualify([u('sakila'), u('actor')], { dialect: 'mysql' })));
  const pg = applyUse({ dialect: 'postgresql' }, { kind: 'use', schema: u('staging') });
  assert.equal(relationKey(qualify([u('t')], pg)), 'rel:staging.t');
});

void test('keys escape dots and backslashes so quoted names never collide', () => {
  assert.equal(escapePart('a.b'), 'a\\.b');
  assert.equal(escapePart('a\\b'), 'a\\\\b');
  const dotted = key([q('a.b')], 'postgresql');
  const split = key([u('a'), u('b')], 'postgresql');
  assert.equal(dotted, 'rel:public.a\\.b');
  assert.notEqual(dotted, split);
  assert.equal(columnKey('rel:public.t', 'x.y'), 'col:public.t.x\\.y');
});

void test('key namespaces', () => {
  const name = { database: '', schema: 'public', name: 'f' };
  assert.equal(routineKey('procedure', name), 'proc:public.f');
  assert.equal(routineKey('function', name), 'func:public.f');
  assert.equal(triggerKey(name), 'trigger:public.f');
  assert.equal(indexKey(name), 'index:public.f');
  assert.equal(schemaKey('', 'sales'), 'schema:sales');
  assert.equal(schemaKey('db', 'sales'), 'schema:db.sales');
  assert.equal(fileKey('a/b.sql'), 'file:a/b.sql');
  assert.equal(columnKey('rel:db.s.t', 'c'), 'col:db.s.t.c');
});
