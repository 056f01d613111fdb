import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatement, DEFAULT_GUARD_LIMITS } from '../../src/engine/text/guards.ts';

test('defaults', () => {
  assert.deepEqual(DEFAULT_GUARD_LIMITS, { maxStatementBytes: 512 * 1024, maxNesting: 200, maxListItems: 5000 });
});

test('normal statements pass', () => {
  assert.equal(checkStatement('SELECT a, b, (SELECT max(x) FROM (SELECT 1 AS x) s) FROM t WHERE c IN (1, 2, 3)'), undefined);
  assert.equal(checkStatement(`SELECT '${'('.repeat(5000)}', "${','.repeat(9000)}" -- ${'('.repeat(500)}\n/* ${'('.repeat(500)} */`), undefined);
  assert.equal(checkStatement(`SELECT $$${'('.repeat(500)}$$`, {}, 'postgresql'), undefined);
  assert.equal(checkStatement(`SELECT '${'é'.repeat(100_000)}'`), undefined);
});

test('10,000-deep parentheses are too deep, reported where the limit is crossed', () => {
  const sql = 'SELECT ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000);
  const started = performance.now();
  const v = checkStatement(sql);
  assert.ok(performance.now() - started < 100);
  assert.equal(v?.code, 'too-deep');
  assert.equal(v?.offset, 7 + 200);
  assert.equal(checkStatement('SELECT ' + '('.repeat(200) + '1' + ')'.repeat(200)), undefined);
  assert.equal(checkStatement('SELECT ' + '('.repeat(50), { maxNesting: 10 })?.code, 'too-deep');
});

test('a 10,000-item IN list is too many items', () => {
  const list = Array.from({ length: 10_000 }, (_, i) => i).join(', ');
  const v = checkStatement(`SELECT * FROM t WHERE id IN (${list})`);
  assert.equal(v?.code, 'too-many-items');
  assert.ok((v?.offset ?? 0) > 0);
  const ok = Array.from({ length: 5000 }, (_, i) => i).join(',');
  assert.equal(checkStatement(`SELECT * FROM t WHERE id IN (${ok})`), undefined);
  // Commas at different levels do not add up.
  const nested = Array.from({ length: 3000 }, () => '(1, 2)').join(', ');
  assert.equal(checkStatement(`INSERT INTO t VALUES ${nested}`), undefined);
});

test('a 1 MB statement is too large; UTF-8 bytes count, not characters', () => {
  const v = checkStatement(`SELECT '${'x'.repeat(1024 * 1024)}'`);
  assert.equal(v?.code, 'too-large');
  assert.equal(v?.offset, 0);
  assert.equal(checkStatement(`SELECT '${'é'.repeat(300_000)}'`)?.code, 'too-large');
  assert.equal(checkStatement('SELECT 1', { maxStatementBytes: 4 })?.code, 'too-large');
});

test('unterminated quotes end the scan instead of failing', () => {
  assert.equal(checkStatement("SELECT '" + '('.repeat(1000)), undefined);
  assert.equal(checkStatement('SELECT /* ' + '('.repeat(1000)), undefined);
});
