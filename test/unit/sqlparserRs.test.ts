import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { ExprRefs, NamePart, Query, SelectQuery, Statement, TableRef } from '../../src/engine/model/statements.ts';
import { StatementParseError } from '../../src/engine/parse/backend.ts';
import { sqlparserRsBackend } from '../../src/engine/parse/sqlparserRs.ts';

const backend = sqlparserRsBackend();
const TPCH = '/work/shared/corpus/tpch/extension/tpch/dbgen/queries';
const PAGILA = '/work/shared/corpus/pg-pagila/pagila-schema.sql';

const dotted = (parts: NamePart[] | undefined): string => (parts ?? []).map((p) => (p.quoted ? `"${p.value}"` : p.value)).join('.');
const columns = (refs: ExprRefs | undefined): string[] => (refs?.columns ?? []).map(dotted);

function one(sql: string, dialect: Dialect = 'postgresql'): Statement {
  const out = backend.parse(sql, dialect);
  assert.equal(out.length, 1, JSON.stringify(out));
  return out[0] as Statement;
}

function select(sql: string, dialect: Dialect = 'postgresql'): SelectQuery {
  const stmt = one(sql, dialect);
  assert.equal(stmt.kind, 'query');
  assert.equal(stmt.query.kind, 'select');
  return stmt.query;
}

function asSelect(query: Query | undefined): SelectQuery {
  assert.equal(query?.kind, 'select');
  return query;
}

function tableNames(ref: TableRef): string[] {
  if (ref.kind === 'join') return [...tableNames(ref.left), ...tableNames(ref.right)];
  if (ref.kind === 'table' || ref.kind === 'function') return [dotted(ref.name) + (ref.alias ? ` ${ref.alias.value}` : '')];
  return [`(derived ${ref.alias?.value ?? ''})`];
}

/** Crude pg_dump splitter: `;` at a line end, outside dollar quotes. */
function splitDump(text: string): string[] {
  const out: string[] = [];
  let current = '';
  let dollar: string | undefined;
  for (const line of text.split('\n')) {
    current += line + '\n';
    for (const match of line.matchAll(/\$[A-Za-z_]*\$/g)) dollar = dollar === match[0] ? undefined : (dollar ?? match[0]);
    if (!dollar && /;\s*$/.test(line)) {
      const body = current.replace(/^(\s*--.*\n)+/g, '').trim();
      if (body) out.push(body.replace(/;\s*$/, ''));
      current = '';
    }
  }
  return out;
}

before(async () => {
  await backend.init();
});

describe('SqlparserRsBackend basics', () => {
  it('identifies itself and maps every dialect', () => {
    assert.equal(backend.id, 'sqlparser-rs');
    assert.match(backend.version, /^0\.62\./);
    assert.equal(sqlparserRsBackend(), backend);
    for (const dialect of ['postgresql', 'transactsql', 'mariadb', 'db2', 'flinksql', 'generic'] as const) assert.ok(backend.supports(dialect));
  });

  it('throws StatementParseError with the library line and column', () => {
    assert.throws(
      () => backend.parse('SELECT a\nFROM t\nWHERE x = = 1', 'postgresql'),
      (error: unknown) => error instanceof StatementParseError && error.line === 3 && error.column === 11 && /Expected/.test(error.message),
    );
  });

  it('survives a statement that crashes the WASM module', async () => {
    const chain = 'SELECT a FROM t WHERE ' + Array.from({ length: 1500 }, (_, i) => `c${i} = 1`).join(' OR ');
    assert.throws(() => backend.parse(chain, 'postgresql'), StatementParseError);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(columns(select('SELECT a FROM t WHERE b = 1').where), ['b']);
    assert.throws(() => backend.parse('SELEC 1', 'postgresql'), (e: unknown) => e instanceof StatementParseError && e.line === 1);
  });
});

describe('queries', () => {
  it('reads projection items, aliases, stars and bare flags', () => {
    const q = select('SELECT a, t.b AS x, count(*) AS n, t.*, *, "Q", a + 1 AS y FROM s.t AS t');
    assert.deepEqual(q.items.map((i) => columns(i.expr)), [['a'], ['t.b'], [], [], [], ['"Q"'], ['a']]);
    assert.deepEqual(q.items.map((i) => i.alias?.value), [undefined, 'x', 'n', undefined, undefined, undefined, 'y']);
    assert.deepEqual(q.items.map((i) => i.bare === true), [true, true, false, false, false, true, false]);
    assert.deepEqual(q.items[3]?.star, { qualifier: [{ value: 't', quoted: false }] });
    assert.deepEqual(q.items[4]?.star, {});
    assert.equal(q.items[5]?.expr.columns[0]?.[0]?.quoted, true);
    assert.deepEqual(q.from, [{ kind: 'table', name: [{ value: 's', quoted: false }, { value: 't', quoted: false }], alias: { value: 't', quoted: false } }]);
  });

  it('keeps columns and subqueries but drops functions, types, literals and date parts', () => {
    const q = select(
      `SELECT EXTRACT(year FROM d1), d2 + INTERVAL '1 day', CAST(c AS numeric(10,2)), substring(s FROM i FOR 2),
              sum(x) FILTER (WHERE y > 0) OVER (PARTITION BY p ORDER BY o), CASE WHEN w1 THEN w2 ELSE w3 END,
              k IN (1, k2), b BETWEEN lo AND hi, CURRENT_DATE, current_user, now(), coalesce(n1, 'x'),
              (SELECT max(z) FROM q) AS sub
       FROM t WHERE EXISTS (SELECT 1 FROM e WHERE e.id = t.id) AND v IN (SELECT v FROM u)`,
    );
    assert.deepEqual(q.items.map((i) => columns(i.expr)), [['d1'], ['d2'], ['c'], ['s', 'i'], ['x', 'y', 'p', 'o'], ['w1', 'w2', 'w3'], ['k', 'k2'], ['b', 'lo', 'hi'], [], [], [], ['n1'], []]);
    assert.equal(q.items[12]?.expr.subqueries.length, 1);
    assert.deepEqual(columns(q.where), ['v']);
    assert.equal(q.where?.subqueries.length, 2);
    const exists = asSelect(q.where?.subqueries[0]);
    assert.deepEqual(columns(exists.where), ['e.id', 't.id']);
  });

  it('skips T-SQL date parts and variables', () => {
    const q = select('SELECT TOP 10 DATEADD(day, 1, x) AS d, DATEDIFF(mm, a, b), @v FROM t WITH (NOLOCK)', 'transactsql');
    assert.deepEqual(q.items.map((i) => columns(i.expr)), [['x'], ['a', 'b'], []]);
    assert.deepEqual(q.from.map(tableNames), [['t']]);
  });

  it('reads joins, derived tables, table functions, UNNEST and LATERAL', () => {
    const q = select(
      `SELECT * FROM (SELECT a FROM t) AS d(x) NATURAL LEFT JOIN generate_series(1, y) g
         JOIN u USING (id, k) LEFT OUTER JOIN v ON v.id = u.id, LATERAL (SELECT 1) l, unnest(arr) AS n(val) CROSS JOIN w`,
    );
    assert.equal(q.from.length, 3);
    const [first, lateral, unnest] = q.from as [TableRef, TableRef, TableRef];
    assert.deepEqual(tableNames(first), ['(derived d)', 'generate_series g', 'u', 'v']);
    assert.ok(first.kind === 'join' && first.left.kind === 'join');
    assert.deepEqual(columns(first.kind === 'join' ? first.on : undefined), ['v.id', 'u.id']);
    const usingJoin = first.kind === 'join' && first.left.kind === 'join' ? first.left : undefined;
    assert.deepEqual(usingJoin?.using?.map((p) => p.value), ['id', 'k']);
    const derived = first.kind === 'join' && first.left.kind === 'join' && first.left.left.kind === 'join' ? first.left.left.left : undefined;
    assert.equal(derived?.kind, 'derived');
    assert.deepEqual(derived?.kind === 'derived' ? derived.columnAliases?.map((p) => p.value) : [], ['x']);
    const fn = first.kind === 'join' && first.left.kind === 'join' && first.left.left.kind === 'join' ? first.left.left.right : undefined;
    assert.deepEqual(fn?.kind === 'function' ? columns(fn.args) : [], ['y']);
    assert.equal(lateral.kind, 'derived');
    assert.deepEqual(tableNames(unnest), ['unnest n', 'w']);
  });

  it('reads WITH RECURSIVE, set operations, ORDER BY, LIMIT, VALUES and SELECT INTO', () => {
    const stmt = one('WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r ORDER BY n LIMIT lim');
    assert.ok(stmt.kind === 'query' && stmt.query.kind === 'select');
    assert.equal(stmt.query.recursive, true);
    assert.equal(stmt.query.with?.[0]?.name.value, 'r');
    assert.deepEqual(stmt.query.with?.[0]?.columns?.map((c) => c.value), ['n']);
    assert.equal(stmt.query.with?.[0]?.query.kind, 'setop');
    assert.equal(stmt.query.with?.[0]?.query.kind === 'setop' && stmt.query.with[0].query.op, 'union all');
    assert.deepEqual(columns(stmt.query.orderBy), ['n']);
    assert.deepEqual(columns(stmt.query.other), ['lim']);

    const setop = one('SELECT a FROM t UNION SELECT b FROM u EXCEPT SELECT c FROM v ORDER BY 1');
    assert.ok(setop.kind === 'query' && setop.query.kind === 'setop');
    assert.equal(setop.query.op, 'except');
    assert.equal(setop.query.left.kind === 'setop' && setop.query.left.op, 'union');

    const values = one("VALUES (1, a), (2, 'x')");
    assert.ok(values.kind === 'query' && values.query.kind === 'values');
    assert.deepEqual(values.query.rows.map((row) => row.map(columns)), [[[], ['a']], [[], []]]);

    assert.deepEqual(select('SELECT a INTO newt FROM t').into?.map((p) => p.value), ['newt']);
    assert.deepEqual(select('SELECT a INTO dbo.newt FROM t', 'transactsql').into?.map((p) => p.value), ['dbo', 'newt']);
  });

  it('keeps GROUP BY, HAVING, QUALIFY and window specs', () => {
    const q = select('SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c) AS rn FROM t GROUP BY a, b HAVING sum(d) > 1 QUALIFY rn = 1', 'snowflake');
    assert.deepEqual(columns(q.groupBy), ['a', 'b']);
    assert.deepEqual(columns(q.having), ['d']);
    assert.deepEqual(columns(q.other), ['rn']);
    assert.deepEqual(columns(q.items[1]?.expr), ['b', 'c']);
  });
});

describe('TPC-H', () => {
  const files = readdirSync(TPCH).filter((f) => f.endsWith('.sql')).sort();

  it('parses all 22 queries', () => {
    assert.equal(files.length, 22);
    for (const file of files) {
      const out = backend.parse(readFileSync(join(TPCH, file), 'utf8').trim().replace(/;$/, ''), 'postgresql');
      assert.equal(out.length, 1, file);
      assert.equal(out[0]?.kind, 'query', file);
    }
  });

  it('q13: derived table with alias and column aliases', () => {
    const q = select(readFileSync(join(TPCH, 'q13.sql'), 'utf8').trim().replace(/;$/, ''));
    const derived = q.from[0];
    assert.ok(derived?.kind === 'derived');
    assert.equal(derived.alias?.value, 'c_orders');
    assert.deepEqual(derived.columnAliases?.map((p) => p.value), ['c_custkey', 'c_count']);
    const inner = asSelect(derived.query);
    assert.deepEqual(tableNames(inner.from[0] as TableRef), ['customer', 'orders']);
    const outerJoin = inner.from[0];
    assert.deepEqual(columns(outerJoin?.kind === 'join' ? outerJoin.on : undefined), ['c_custkey', 'o_custkey', 'o_comment']);
    assert.deepEqual(q.items.map((i) => i.alias?.value), [undefined, 'custdist']);
    assert.deepEqual(columns(q.orderBy), ['custdist', 'c_count']);
  });

  it('q15: CTE with aliases and a scalar subquery in WHERE', () => {
    const q = select(readFileSync(join(TPCH, 'q15.sql'), 'utf8').trim().replace(/;$/, ''));
    const cte = q.with?.[0];
    assert.equal(cte?.name.value, 'revenue');
    const body = asSelect(cte?.query);
    assert.deepEqual(body.items.map((i) => [i.alias?.value, columns(i.expr)]), [
      ['supplier_no', ['l_suppkey']],
      ['total_revenue', ['l_extendedprice', 'l_discount']],
    ]);
    assert.deepEqual(columns(body.groupBy), ['supplier_no']);
    assert.deepEqual(q.from.flatMap(tableNames), ['supplier', 'revenue']);
    assert.deepEqual(columns(q.where), ['s_suppkey', 'supplier_no', 'total_revenue']);
    assert.deepEqual(columns(asSelect(q.where?.subqueries[0]).items[0]?.expr), ['total_revenue']);
  });
});

describe('DDL', () => {
  it('CREATE TABLE with types, keys, references and AS / LIKE / TEMPORARY', () => {
    const stmt = one(
      `CREATE TEMPORARY TABLE s.t (id int PRIMARY KEY, b varchar(10) NOT NULL REFERENCES u(x), c numeric(10,2),
         d timestamp with time zone, e public.mytype, CONSTRAINT fk FOREIGN KEY (c, b) REFERENCES v (p, q))`,
    );
    assert.ok(stmt.kind === 'createTable');
    assert.equal(dotted(stmt.name), 's.t');
    assert.equal(stmt.temporary, true);
    assert.deepEqual(stmt.columns.map((c) => [c.name.value, c.dataType]), [
      ['id', 'INT'],
      ['b', 'VARCHAR(10)'],
      ['c', 'NUMERIC(10,2)'],
      ['d', 'TIMESTAMP WITH TIME ZONE'],
      ['e', 'public.mytype'],
    ]);
    assert.equal(stmt.columns[0]?.primaryKey, true);
    assert.deepEqual(stmt.columns[1]?.references, { table: [{ value: 'u', quoted: false }], columns: [{ value: 'x', quoted: false }] });
    assert.deepEqual(stmt.foreignKeys.map((fk) => [fk.name?.value, fk.columns.map((c) => c.value), dotted(fk.refTable), fk.refColumns.map((c) => c.value)]), [
      ['fk', ['c', 'b'], 'v', ['p', 'q']],
    ]);
    const pk = one('CREATE TABLE t (a int, b text, PRIMARY KEY (a, b))');
    assert.deepEqual(pk.kind === 'createTable' ? pk.primaryKey?.map((c) => c.value) : [], ['a', 'b']);
    const ctas = one('CREATE TABLE t2 AS SELECT x FROM t');
    assert.ok(ctas.kind === 'createTable' && ctas.as?.kind === 'select');
    const like = one('CREATE TABLE t3 LIKE t', 'mysql');
    assert.deepEqual(like.kind === 'createTable' ? dotted(like.like) : '', 't');
  });

  it('CREATE VIEW and MATERIALIZED VIEW with a column list', () => {
    const view = one('CREATE MATERIALIZED VIEW mv (a, b) AS SELECT x, y FROM t');
    assert.ok(view.kind === 'createView');
    assert.equal(view.materialized, true);
    assert.deepEqual(view.columns?.map((c) => c.value), ['a', 'b']);
    assert.deepEqual(asSelect(view.query).from.flatMap(tableNames), ['t']);
    const plain = one('CREATE OR REPLACE VIEW v AS SELECT 1');
    assert.ok(plain.kind === 'createView' && !plain.materialized && plain.columns === undefined);
  });

  it("ALTER TABLE: pg_dump's ONLY ... ADD CONSTRAINT FOREIGN KEY / PRIMARY KEY, ADD COLUMN, RENAME", () => {
    const fk = one('ALTER TABLE ONLY public.address\n    ADD CONSTRAINT address_city_id_fkey FOREIGN KEY (city_id) REFERENCES public.city(city_id) ON UPDATE CASCADE ON DELETE RESTRICT');
    assert.ok(fk.kind === 'alterTable');
    assert.equal(dotted(fk.name), 'public.address');
    assert.deepEqual(fk.foreignKeys, [
      { name: { value: 'address_city_id_fkey', quoted: false }, columns: [{ value: 'city_id', quoted: false }], refTable: [{ value: 'public', quoted: false }, { value: 'city', quoted: false }], refColumns: [{ value: 'city_id', quoted: false }] },
    ]);
    const pk = one('ALTER TABLE ONLY public.actor ADD CONSTRAINT actor_pkey PRIMARY KEY (actor_id)');
    assert.deepEqual(pk.kind === 'alterTable' ? pk.primaryKey?.map((c) => c.value) : [], ['actor_id']);
    const add = one('ALTER TABLE t ADD COLUMN x int REFERENCES y, RENAME TO t2');
    assert.ok(add.kind === 'alterTable');
    assert.deepEqual(add.addColumns.map((c) => [c.name.value, c.dataType, dotted(c.references?.table)]), [['x', 'INT', 'y']]);
    assert.equal(dotted(add.renameTo), 't2');
  });

  it('CREATE INDEX / SEQUENCE / SCHEMA / DATABASE and DROP', () => {
    const index = one('CREATE UNIQUE INDEX idx ON public.t USING btree (a, lower(b))');
    assert.ok(index.kind === 'createIndex');
    assert.equal(dotted(index.name), 'idx');
    assert.equal(dotted(index.table), 'public.t');
    assert.deepEqual(index.columns.map((c) => c.value), ['a', 'b']);
    assert.deepEqual(one('CREATE SEQUENCE s.q START 1'), { kind: 'createSequence', name: [{ value: 's', quoted: false }, { value: 'q', quoted: false }] });
    assert.deepEqual(one('CREATE SCHEMA IF NOT EXISTS "Foo"'), { kind: 'createSchema', name: [{ value: 'Foo', quoted: true }] });
    assert.deepEqual(one('CREATE DATABASE shop', 'mysql'), { kind: 'createDatabase', name: { value: 'shop', quoted: false } });
    const drop = one('DROP TABLE IF EXISTS a, s.b CASCADE');
    assert.ok(drop.kind === 'drop' && drop.objectKind === 'table');
    assert.deepEqual(drop.names.map(dotted), ['a', 's.b']);
    assert.deepEqual(one('DROP MATERIALIZED VIEW mv'), { kind: 'drop', objectKind: 'materialized_view', names: [[{ value: 'mv', quoted: false }]] });
    const fn = one('DROP FUNCTION f(int), g');
    assert.ok(fn.kind === 'drop' && fn.objectKind === 'function');
    assert.deepEqual(fn.names.map(dotted), ['f', 'g']);
    assert.equal(one('DROP TRIGGER tr ON t').kind, 'drop');
  });

  it('CREATE FUNCTION: dollar-quoted body text with its offset, RETURN bodies parsed', () => {
    const text = 'CREATE FUNCTION public.f(p int) RETURNS int\n    LANGUAGE plpgsql\n    AS $_$\nBEGIN\n  RETURN 1;\nEND $_$';
    const fn = one(text);
    assert.ok(fn.kind === 'createRoutine' && fn.routine === 'function');
    assert.equal(dotted(fn.name), 'public.f');
    assert.equal(fn.bodyText?.text, '\nBEGIN\n  RETURN 1;\nEND ');
    assert.equal(fn.bodyText?.offset, text.indexOf('$_$') + 3);
    const sqlFn = "CREATE FUNCTION f2(a int) RETURNS int LANGUAGE sql AS 'select a+1'";
    const fn2 = one(sqlFn);
    assert.ok(fn2.kind === 'createRoutine');
    assert.deepEqual(fn2.bodyText, { text: 'select a+1', offset: sqlFn.indexOf("'") + 1 });
    const tvf = one('CREATE FUNCTION dbo.f(@a int) RETURNS TABLE AS RETURN (SELECT x FROM t WHERE y = @a)', 'transactsql');
    assert.ok(tvf.kind === 'createRoutine' && tvf.body?.[0]?.kind === 'query');
    assert.deepEqual(tvf.body[0].kind === 'query' ? asSelect(tvf.body[0].query).from.flatMap(tableNames) : [], ['t']);
  });

  it('CREATE PROCEDURE body statements, flattened through IF', () => {
    const proc = one('CREATE PROCEDURE dbo.p AS BEGIN SET NOCOUNT ON; IF EXISTS (SELECT 1 FROM a) BEGIN INSERT INTO b SELECT * FROM a; END ELSE UPDATE c SET d = 1; END', 'transactsql');
    assert.ok(proc.kind === 'createRoutine' && proc.routine === 'procedure');
    assert.deepEqual(proc.body?.map((s) => s.kind), ['other', 'query', 'insert', 'update']);
  });

  it('CREATE TRIGGER ... EXECUTE FUNCTION', () => {
    const trigger = one('CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor FOR EACH ROW EXECUTE FUNCTION public.last_updated()');
    assert.ok(trigger.kind === 'createTrigger');
    assert.equal(dotted(trigger.name), 'last_updated');
    assert.equal(dotted(trigger.table), 'public.actor');
    assert.equal(dotted(trigger.executes), 'public.last_updated');
  });
});

describe('DML and session statements', () => {
  it('INSERT with columns, WITH, VALUES, SET form and DEFAULT VALUES', () => {
    const insert = one('WITH w AS (SELECT 1 AS k) INSERT INTO s.t (a, b) SELECT k, y FROM w');
    assert.ok(insert.kind === 'insert');
    assert.equal(dotted(insert.target), 's.t');
    assert.deepEqual(insert.columns?.map((c) => c.value), ['a', 'b']);
    assert.equal(insert.with?.[0]?.name.value, 'w');
    assert.deepEqual(asSelect(insert.source).from.flatMap(tableNames), ['w']);
    const values = one('INSERT INTO t VALUES (1, x)');
    assert.ok(values.kind === 'insert' && values.source?.kind === 'values');
    assert.deepEqual(values.source.rows[0]?.map(columns), [[], ['x']]);
    const set = one('INSERT INTO t SET a = 1, b = c', 'mysql');
    assert.ok(set.kind === 'insert' && set.source?.kind === 'values');
    assert.deepEqual(set.columns?.map((c) => c.value), ['a', 'b']);
    assert.deepEqual(one('INSERT INTO t DEFAULT VALUES'), { kind: 'insert', target: [{ value: 't', quoted: false }] });
  });

  it('UPDATE in PostgreSQL, MySQL and T-SQL forms', () => {
    const pg = one('UPDATE t AS x SET a = u.b, c = 1 FROM u WHERE x.id = u.id');
    assert.ok(pg.kind === 'update');
    assert.equal(dotted(pg.target), 't');
    assert.equal(pg.alias?.value, 'x');
    assert.deepEqual(pg.from.flatMap(tableNames), ['u']);
    assert.deepEqual(pg.set.map((s) => [dotted(s.column), columns(s.value)]), [['a', ['u.b']], ['c', []]]);
    assert.deepEqual(columns(pg.where), ['x.id', 'u.id']);
    const mysql = one('UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.b WHERE t2.c > 0', 'mysql');
    assert.ok(mysql.kind === 'update');
    assert.equal(dotted(mysql.target), 't1');
    assert.deepEqual(mysql.from.flatMap(tableNames), ['t1', 't2']);
    const tsql = one('UPDATE a SET a.x = b.y FROM a JOIN b ON a.id = b.id', 'transactsql');
    assert.ok(tsql.kind === 'update');
    assert.deepEqual(tsql.from.flatMap(tableNames), ['a', 'b']);
    assert.deepEqual(tsql.set.map((s) => dotted(s.column)), ['a.x']);
  });

  it('DELETE with USING, alias and the MySQL multi-table form', () => {
    const pg = one('DELETE FROM t AS x USING u WHERE x.id = u.id');
    assert.ok(pg.kind === 'delete');
    assert.equal(dotted(pg.target), 't');
    assert.equal(pg.alias?.value, 'x');
    assert.deepEqual(pg.using.flatMap(tableNames), ['u']);
    assert.deepEqual(columns(pg.where), ['x.id', 'u.id']);
    const mysql = one('DELETE a FROM orders a JOIN t2 ON a.id = t2.id WHERE t2.x = 1', 'mysql');
    assert.ok(mysql.kind === 'delete');
    assert.equal(dotted(mysql.target), 'orders');
    assert.equal(mysql.alias?.value, 'a');
    assert.deepEqual(mysql.using.flatMap(tableNames), ['orders a', 't2']);
  });

  it('data-modifying CTEs come out as their own statements', () => {
    const out = backend.parse('WITH d AS (DELETE FROM old RETURNING *) INSERT INTO arch SELECT * FROM d', 'postgresql');
    assert.deepEqual(out.map((s) => s.kind), ['insert', 'delete']);
  });

  it('MERGE with matched update, not-matched insert and predicates', () => {
    const merge = one(
      'MERGE INTO tgt AS t USING (SELECT * FROM src) AS s ON t.id = s.id WHEN MATCHED AND s.d = 1 THEN DELETE WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)',
      'transactsql',
    );
    assert.ok(merge.kind === 'merge');
    assert.equal(dotted(merge.target), 'tgt');
    assert.equal(merge.alias?.value, 't');
    assert.ok(merge.source.kind === 'derived' && merge.source.alias?.value === 's');
    assert.deepEqual(columns(merge.on), ['t.id', 's.id']);
    assert.deepEqual(merge.set.map((s) => [dotted(s.column), columns(s.value)]), [['t.v', ['s.v']]]);
    assert.deepEqual(merge.insertColumns?.map((c) => c.value), ['id', 'v']);
    assert.deepEqual(merge.insertValues?.map(columns), [['s.id'], ['s.v']]);
    assert.deepEqual(columns(merge.other), ['s.d']);
  });

  it('COPY, USE, SET search_path and other statements', () => {
    assert.deepEqual(one('COPY public.actor (actor_id, name) FROM stdin'), {
      kind: 'copy',
      direction: 'from',
      table: [{ value: 'public', quoted: false }, { value: 'actor', quoted: false }],
      columns: [{ value: 'actor_id', quoted: false }, { value: 'name', quoted: false }],
    });
    const copyOut = one("COPY (SELECT a FROM t) TO '/tmp/x'");
    assert.ok(copyOut.kind === 'copy' && copyOut.direction === 'to' && copyOut.query?.kind === 'select');
    assert.deepEqual(one('USE [shop]', 'transactsql'), { kind: 'use', database: { value: 'shop', quoted: true } });
    assert.deepEqual(one('USE SCHEMA db.s', 'snowflake'), { kind: 'use', database: { value: 'db', quoted: false }, schema: { value: 's', quoted: false } });
    assert.deepEqual(one("SET search_path = '$user', public"), { kind: 'use', schema: { value: 'public', quoted: false } });
    assert.deepEqual(one('SET search_path TO myschema, public'), { kind: 'use', schema: { value: 'myschema', quoted: false } });
    assert.deepEqual(one('SET statement_timeout = 0'), { kind: 'other', verb: 'SET' });
    assert.deepEqual(one('GRANT SELECT ON t TO bob'), { kind: 'other', verb: 'GRANT' });
    assert.deepEqual(one('CREATE EXTENSION IF NOT EXISTS hstore'), { kind: 'other', verb: 'CREATE EXTENSION' });
    assert.deepEqual(one('BEGIN'), { kind: 'other', verb: 'BEGIN' });
  });
});

describe('pg-pagila schema', () => {
  const statements = splitDump(readFileSync(PAGILA, 'utf8'));
  const find = (prefix: string): string => {
    const found = statements.find((s) => s.startsWith(prefix));
    assert.ok(found, prefix);
    return found;
  };

  it('parses most statements and every failure is a StatementParseError', () => {
    let parsed = 0;
    for (const statement of statements) {
      try {
        backend.parse(statement, 'postgresql');
        parsed++;
      } catch (error) {
        assert.ok(error instanceof StatementParseError, String(error));
        assert.ok(error.line !== undefined && error.column !== undefined);
      }
    }
    assert.ok(statements.length > 350);
    assert.ok(parsed / statements.length > 0.75, `${parsed}/${statements.length}`);
  });

  it('reads the actor table, a view, a function body and a foreign key', () => {
    const actor = one(find('CREATE TABLE public.actor ('));
    assert.ok(actor.kind === 'createTable');
    assert.deepEqual(actor.columns.map((c) => c.name.value), ['actor_id', 'first_name', 'last_name', 'last_update']);
    assert.equal(actor.columns[3]?.dataType, 'TIMESTAMP WITH TIME ZONE');

    const view = one(find('CREATE VIEW public.actor_info AS'));
    assert.ok(view.kind === 'createView');
    const body = asSelect(view.query);
    assert.deepEqual(body.from.flatMap(tableNames), ['public.actor a', 'public.film_actor fa', 'public.film_category fc', 'public.category c']);
    assert.equal(body.items[3]?.alias?.value, 'film_info');
    assert.equal(body.items[3]?.expr.subqueries.length, 1);

    const fnText = find('CREATE FUNCTION public.film_in_stock(');
    const fn = one(fnText);
    assert.ok(fn.kind === 'createRoutine' && fn.bodyText);
    assert.equal(fnText.slice(fn.bodyText.offset, fn.bodyText.offset + fn.bodyText.text.length), fn.bodyText.text);
    assert.match(fn.bodyText.text, /FROM inventory/);

    const fk = one(find('ALTER TABLE ONLY public.address\n    ADD CONSTRAINT address_city_id_fkey'));
    assert.ok(fk.kind === 'alterTable');
    assert.deepEqual(fk.foreignKeys.map((k) => [dotted(k.refTable), k.columns.map((c) => c.value)]), [['public.city', ['city_id']]]);

    const trigger = one(find('CREATE TRIGGER last_updated BEFORE UPDATE ON public.actor'));
    assert.ok(trigger.kind === 'createTrigger' && dotted(trigger.executes) === 'public.last_updated');
    assert.deepEqual(one(find('SET default_tablespace')), { kind: 'other', verb: 'SET' });
  });
});
