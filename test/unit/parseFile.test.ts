import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFile } from '../../src/engine/extract/parseFile.ts';
import { defaultBackends, parseSql } from '../helpers/engine.ts';

test('one bad statement costs only itself, with a diagnostic at its line', async () => {
  const file = await parseSql('SELECT a FROM t1;\n\nSELEC b FROM t2 WHERE;\n\nSELECT c FROM t3;\n', { dialect: 'postgresql' });
  assert.equal(file.statementCount, 3);
  const parsed = file.statements.filter((s) => s.backend);
  assert.equal(parsed.length, 2);
  const errors = file.diagnostics.filter((d) => d.severity !== 'info');
  assert.equal(errors.length, 1);
  assert.equal(errors[0]?.range.start.line, 2);
  assert.match(errors[0]?.message ?? '', /Could not parse/);
  // The token scan still found the relation of the bad statement.
  const fallback = file.statements.find((s) => s.fallback);
  assert.deepEqual(fallback?.fallback?.reads.map((n) => n.map((p) => p.value).join('.')), ['t2']);
  assert.equal(errors[0]?.code, 'fallback-extraction');
  assert.equal(errors[0]?.severity, 'warning');
});

test('a PNG renamed .sql gets one binary-file diagnostic and no parse', async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0]);
  const file = parseFile('image.sql', png, { dialect: 'auto', backends: await defaultBackends() });
  assert.equal(file.statements.length, 0);
  assert.equal(file.diagnostics.length, 1);
  assert.equal(file.diagnostics[0]?.code, 'binary-file');
  assert.equal(file.diagnostics[0]?.severity, 'error');
});

test('10,000-deep parentheses are refused by the guard; the next statement still parses', async () => {
  const deep = `SELECT ${'('.repeat(10000)}1${')'.repeat(10000)} FROM deep_t;\nSELECT x FROM after_t;`;
  const file = await parseSql(deep, { dialect: 'postgresql' });
  assert.ok(file.diagnostics.some((d) => d.code === 'too-deep'));
  assert.equal(file.statements.filter((s) => s.backend).length, 1);
});

test('a 10,000-item IN list is refused cheaply and its table still found', async () => {
  const items = Array.from({ length: 10000 }, (_, i) => String(i)).join(', ');
  const started = performance.now();
  const file = await parseSql(`SELECT id FROM big_in WHERE id IN (${items});`, { dialect: 'mysql' });
  assert.ok(performance.now() - started < 10_000); // a hang detector: the guard answers in milliseconds
  assert.ok(file.diagnostics.some((d) => d.code === 'too-many-items'));
  assert.deepEqual(file.statements[0]?.fallback?.reads.map((n) => n.map((p) => p.value).join('.')), ['big_in']);
});

test('a 1 MB statement is refused with too-large', async () => {
  const big = `INSERT INTO bulk_t VALUES ${Array.from({ length: 60000 }, (_, i) => `(${i}, 'xxxxxx')`).join(',')};`;
  assert.ok(big.length > 1_000_000);
  const file = await parseSql(big, { dialect: 'mysql' });
  assert.ok(file.diagnostics.some((d) => d.code === 'too-large'));
  assert.deepEqual(file.statements[0]?.fallback?.writes.map((w) => w.name.map((p) => p.value).join('.')), ['bulk_t']);
});

test('unterminated quote and comment give diagnostics, earlier statements survive', async () => {
  for (const tail of ["SELECT 'oops FROM t2;", 'SELECT 1 /* never closed FROM t2;']) {
    const file = await parseSql(`SELECT a FROM t1;\n${tail}\n`, { dialect: 'postgresql' });
    assert.ok(file.statements[0]?.backend, 'first statement parsed');
    assert.ok(file.diagnostics.some((d) => d.code === 'unterminated-quote' || d.code === 'unterminated-comment'));
  }
});

test('a PostgreSQL function body is parsed on the function\'s behalf', async () => {
  const sql = `CREATE FUNCTION refresh() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM daily WHERE d > 1;
  INSERT INTO daily (d) SELECT x FROM src;
END;
$$;`;
  const file = await parseSql(sql, { dialect: 'postgresql' });
  const owned = file.statements.filter((s) => s.owner);
  assert.ok(owned.length >= 2, `body statements: ${owned.length}`);
  assert.ok(owned.every((s) => s.owner?.name.at(-1)?.value === 'refresh'));
  const kinds = owned.flatMap((s) => s.statements.map((x) => x.kind));
  assert.ok(kinds.includes('delete') && kinds.includes('insert'), kinds.join(','));
});

test('a T-SQL procedure no parser accepts whole still yields its body statements', async () => {
  const sql = `CREATE PROCEDURE [dbo].[Load_Sales] @Day date AS
BEGIN
  SET NOCOUNT ON;
  INSERT INTO dbo.Sales (Day, Amount) SELECT @Day, SUM(Amount) FROM dbo.Staging WHERE Day = @Day;
  UPDATE dbo.Watermark SET LastDay = @Day;
END
GO
SELECT 1;`;
  const file = await parseSql(sql, { dialect: 'transactsql', path: 'proc.sql' });
  const defining = file.statements.find((s) => s.statements.some((x) => x.kind === 'createRoutine'));
  assert.ok(defining, 'routine defined');
  const owned = file.statements.filter((s) => s.owner?.name.at(-1)?.value === 'Load_Sales');
  const touched = owned.flatMap((s) => [
    ...s.statements.map((x) => x.kind),
    ...(s.fallback ? s.fallback.writes.map((w) => `write:${w.name.at(-1)?.value}`) : []),
  ]);
  assert.ok(touched.includes('insert') || touched.includes('write:Sales'), touched.join(','));
  assert.ok(touched.includes('update') || touched.includes('write:Watermark'), touched.join(','));
});

test('a dbt model file records its model name, refs and sources', async () => {
  const file = await parseSql("{{ config(materialized='table') }}\nselect * from {{ ref('stg_orders') }} o join {{ source('raw', 'pay') }} p on p.id = o.id\n", {
    path: 'project/models/marts/orders.sql',
  });
  assert.equal(file.dbtModel?.name, 'orders');
  assert.deepEqual(file.dbtModel?.template.refs.map((r) => r.name), ['stg_orders']);
  assert.deepEqual(file.dbtModel?.template.sources.map((s) => `${s.source}.${s.table}`), ['raw.pay']);
  assert.equal(file.statements.filter((s) => s.backend).length, 1);
});
