import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { ObjectName } from '../../src/engine/model/statements.ts';
import { decodeSql } from '../../src/engine/text/decode.ts';
import { scanRelations } from '../../src/engine/text/fallbackScan.ts';
import { splitStatements } from '../../src/engine/text/splitter.ts';

const show = (name: ObjectName): string => name.map((p) => (p.quoted ? `"${p.value}"` : p.value)).join('.');

function scan(sql: string, dialect: Dialect = 'generic'): { reads: string[]; writes: string[]; references: string[]; creates: string[] } {
  const r = scanRelations(sql, dialect);
  return {
    reads: r.reads.map(show),
    writes: r.writes.map((w) => `${w.operation} ${show(w.name)}`),
    references: r.references.map(show),
    creates: r.creates.map((c) => `${c.kind} ${show(c.name)}`),
  };
}

test('reads after FROM and every JOIN, skipping subqueries, functions, CTEs and aliases', () => {
  const r = scan(`WITH recent AS (SELECT * FROM s.orders o), b (x) AS (SELECT 1)
    SELECT * FROM recent, public.customers AS c, b
    LEFT OUTER JOIN "Line Items" li ON 1 = 1 CROSS JOIN lateral_t NATURAL JOIN x.y.z
    JOIN (SELECT 1 FROM inner_t) q ON true JOIN generate_series(1, 3) g ON true
    WHERE EXTRACT(YEAR FROM d) = 1 AND a IS DISTINCT FROM b AND EXISTS (SELECT 1 FROM audit)`);
  assert.deepEqual(r.reads, ['s.orders', 'public.customers', '"Line Items"', 'lateral_t', 'x.y.z', 'inner_t', 'audit']);
  assert.deepEqual(r.writes, []);
});

test('writes: INSERT/REPLACE INTO, UPDATE, DELETE, MERGE, TRUNCATE, COPY, SELECT INTO (T-SQL only)', () => {
  assert.deepEqual(scan('INSERT INTO a.t (x) SELECT x FROM src').writes, ['insert a.t']);
  assert.deepEqual(scan('INSERT IGNORE INTO t VALUES (1); REPLACE INTO u VALUES (2)', 'mysql').writes, ['insert t', 'insert u']);
  assert.deepEqual(scan('UPDATE ONLY t SET a = 1 FROM u WHERE t.id = u.id'), { reads: ['u'], writes: ['update t'], references: [], creates: [] });
  assert.deepEqual(scan('DELETE FROM t USING u WHERE t.id = u.id'), { reads: ['u'], writes: ['delete t'], references: [], creates: [] });
  assert.deepEqual(scan('MERGE INTO tgt t USING src s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a'), {
    reads: ['src'],
    writes: ['merge tgt'],
    references: [],
    creates: [],
  });
  assert.deepEqual(scan('TRUNCATE TABLE a, b').writes, ['truncate a', 'truncate b']);
  assert.deepEqual(scan('COPY public.t (a, b) FROM stdin').writes, ['copy public.t']);
  assert.deepEqual(scan("COPY t TO '/tmp/x'").reads, ['t']);
  assert.deepEqual(scan('SELECT * INTO #tmp FROM t', 'transactsql'), { reads: ['t'], writes: ['select into #tmp'], references: [], creates: [] });
  assert.deepEqual(scan('SELECT count(*) INTO v_count FROM t', 'postgresql').writes, []);
});

test('event and privilege keywords are not statements', () => {
  const r = scan(`CREATE TABLE c (id int REFERENCES p (id) ON DELETE CASCADE ON UPDATE SET NULL);
    CREATE TRIGGER trg BEFORE UPDATE OR DELETE ON c FOR EACH ROW EXECUTE FUNCTION f();
    GRANT SELECT, INSERT, UPDATE ON c TO bob; SELECT * FROM c FOR UPDATE;
    INSERT INTO c VALUES (1) ON DUPLICATE KEY UPDATE id = 2`);
  assert.deepEqual(r.writes, ['insert c']);
  assert.deepEqual(r.references, ['p']);
  assert.deepEqual(r.creates, ['table c', 'trigger trg']);
  assert.deepEqual(r.reads, ['c']);
});

test('DDL: CREATE kinds, ALTER/DROP TABLE, IF [NOT] EXISTS, MySQL DEFINER', () => {
  const r = scan(`CREATE OR REPLACE TEMPORARY TABLE IF NOT EXISTS s.t1 (a int);
    CREATE MATERIALIZED VIEW mv AS SELECT * FROM t1; CREATE VIEW v AS SELECT 1;
    CREATE DEFINER=\`root\`@\`localhost\` PROCEDURE p() BEGIN END;
    CREATE FUNCTION f() RETURNS int; CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix ON t1 (a);
    CREATE SEQUENCE seq; ALTER TABLE ONLY t1 ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES t2 (id);
    DROP TABLE IF EXISTS old1, old2`, 'mysql');
  assert.deepEqual(r.creates, ['table s.t1', 'materialized_view mv', 'view v', 'procedure p', 'function f', 'index ix', 'sequence seq']);
  assert.deepEqual(r.writes, ['alter t1', 'drop old1', 'drop old2']);
  assert.deepEqual(r.references, ['t2']);
  assert.deepEqual(r.reads, ['t1']);
});

test('T-SQL: brackets are quoted parts, @table variables skipped, #temp kept, aliases resolved', () => {
  const r = scan(`ALTER PROCEDURE [dbo].[P] AS
    DECLARE @t TABLE (id int)
    INSERT INTO @t SELECT id FROM [dbo].[Source] WITH (NOLOCK)
    UPDATE q SET q.a = 1 FROM dbo.[Queue] q INNER JOIN @t v ON v.id = q.id
    UPDATE tv SET a = 2 FROM @t tv
    SELECT * INTO #work FROM tempdb..#Stage
    DELETE #work WHERE 1 = 0
    FETCH NEXT FROM cur INTO @x`, 'transactsql');
  assert.deepEqual(r.creates, ['procedure "dbo"."P"']);
  assert.deepEqual(r.reads, ['"dbo"."Source"', 'dbo."Queue"', 'tempdb.#Stage']);
  assert.deepEqual(r.writes, ['update dbo."Queue"', 'select into #work', 'delete #work']);
  const parts = scanRelations('SELECT * FROM [a b].dbo.[c]]d]', 'transactsql').reads[0];
  assert.deepEqual(parts, [{ value: 'a b', quoted: true }, { value: 'dbo', quoted: false }, { value: 'c]d', quoted: true }]);
});

test('deduplicates', () => {
  assert.deepEqual(scan('SELECT * FROM t JOIN t ON 1=1 JOIN T2 x ON 1=1 WHERE a IN (SELECT 1 FROM t)').reads, ['t', 'T2']);
});

test('olahallengren CommandExecute: the procedure body yields its real tables', () => {
  const text = decodeSql(readFileSync('/work/shared/corpus/tsql-olahallengren/CommandExecute.sql')).text;
  const body = splitStatements(text, { dialect: 'transactsql' }).statements.find((s) => s.text.startsWith('ALTER PROCEDURE'));
  assert.ok(body);
  const r = scan(body.text, 'transactsql');
  assert.deepEqual(r.creates, ['procedure "dbo"."CommandExecute"']);
  assert.deepEqual(r.writes.sort(), ['insert dbo.CommandLog', 'update dbo.CommandLog']);
  assert.ok(r.reads.includes('sys.databases'));
  assert.ok(r.reads.every((name) => !name.startsWith('@')));
});

test('olahallengren IndexOptimize: temp tables and the queue tables', () => {
  const text = decodeSql(readFileSync('/work/shared/corpus/tsql-olahallengren/IndexOptimize.sql')).text;
  const body = splitStatements(text, { dialect: 'transactsql' }).statements.find((s) => s.text.startsWith('ALTER PROCEDURE'));
  assert.ok(body);
  const r = scan(body.text, 'transactsql');
  for (const w of ['insert dbo.[Queue]', 'insert dbo.QueueDatabase', 'delete dbo.QueueDatabase', 'insert #Indexes', 'truncate #Stats']) {
    assert.ok(r.writes.includes(w.replace(/\[(\w+)\]/, '"$1"')), w);
  }
  assert.ok(r.creates.includes('table #SelectedIndexes'));
});

test('hostile input never throws and stays fast', () => {
  const inputs = [
    '',
    'FROM',
    'FROM FROM FROM . . . ,,,',
    'SELECT * FROM ' + '('.repeat(100_000),
    'SELECT * FROM a' + '.'.repeat(100_000),
    'INSERT INTO '.repeat(50_000),
    'COPY t ('.repeat(100_000),
    'WITH a AS ('.repeat(50_000),
    'WITH x ('.repeat(50_000),
    "SELECT 'unterminated FROM t",
    'SELECT * FROM "unterminated',
    'CREATE '.repeat(50_000) + 'TABLE t',
    'UPDATE'.padEnd(200_000, ' x'),
    '\u0000\uffff\ud800 FROM \ud800x',
  ];
  for (const input of inputs) {
    const started = performance.now();
    for (const dialect of ['transactsql', 'mysql', 'postgresql'] as const) scanRelations(input, dialect);
    // A hang detector, not a benchmark: each input takes well under 0.5 s alone, but CI shares 2 cores.
    assert.ok(performance.now() - started < 10_000, input.slice(0, 20));
  }
  assert.deepEqual(scan("SELECT 'x FROM fake' FROM real_t -- FROM fake2\n/* JOIN fake3 */").reads, ['real_t']);
});

test('a CREATE TABLE no parser accepts still yields its column names, not its constraints', () => {
  const sql = `CREATE TABLE public.film (
    film_id integer DEFAULT nextval('public.film_film_id_seq'::regclass) NOT NULL,
    "Title" text NOT NULL,
    special_features text[],
    fulltext tsvector NOT NULL,
    length_hours numeric GENERATED ALWAYS AS (length / 60) VIRTUAL,
    CONSTRAINT film_pkey PRIMARY KEY (film_id),
    FULLTEXT KEY ft_title (title),
    FOREIGN KEY (language_id) REFERENCES public.language (language_id)
  )`;
  const created = scanRelations(sql, 'postgresql').creates[0];
  assert.deepEqual(
    created?.columns?.map((c) => `${c.value}${c.quoted ? '!' : ''}`),
    ['film_id', 'Title!', 'special_features', 'fulltext', 'length_hours'],
  );
});
