import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DialectMemory, guessDialects } from '../../src/engine/parse/dialectDetect.ts';

test('content tells the dialect: GO and brackets, backticks and ENGINE=, dollar quotes and ::casts', () => {
  assert.equal(guessDialects('x.sql', 'SELECT [Name] FROM [dbo].[People]\nGO\n').candidates[0], 'transactsql');
  assert.equal(guessDialects('x.sql', 'CREATE TABLE `t` (`id` int AUTO_INCREMENT) ENGINE=InnoDB;').candidates[0], 'mysql');
  assert.equal(guessDialects('x.sql', 'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1::int $$ LANGUAGE sql;').candidates[0], 'postgresql');
  assert.equal(guessDialects('x.sql', 'CREATE TABLE t (n NUMBER(10), s VARCHAR2(20));').candidates[0], 'oracle');
});

test('the path tells the dialect when the content does not', () => {
  const guess = guessDialects('db/sql-server/seed.sql', 'SELECT 1;');
  assert.equal(guess.candidates[0], 'transactsql');
  assert.equal(guess.confident, true);
  assert.equal(guessDialects('queries/q1.sql', 'SELECT a FROM t;').confident, false);
});

test('with no evidence the candidates still come in a fixed order, for a retry', () => {
  const { candidates } = guessDialects('a.sql', 'SELECT 1');
  assert.deepEqual(candidates.slice(0, 3), ['postgresql', 'mysql', 'transactsql']);
});

test('a huge file is judged by its head, and many matches count as five', () => {
  const filler = 'SELECT a, b FROM plain_table;\n'.repeat(1000); // ~30 KB with no dialect hint
  assert.equal(guessDialects('x.sql', `${filler}SELECT 1::int, $$x$$;`).confident, false, 'hints past the head are not read');
  const many = 'SELECT 1::int;\n'.repeat(1000);
  const few = 'CREATE TABLE `a` (`id` int) ENGINE=InnoDB;\n';
  // 1,000 casts weigh as much as five: two MySQL hints of weight 2+3 per line, five lines, win.
  assert.equal(guessDialects('x.sql', few.repeat(5) + many.slice(0, 2000)).candidates[0], 'mysql');
});

test('folder memory prefers the dialect that parsed the most statements', () => {
  const memory = new DialectMemory();
  memory.record('a', 'mysql', 3);
  memory.record('a', 'postgresql', 5);
  memory.record('b', 'transactsql', 1);
  assert.equal(memory.best('a'), 'postgresql');
  assert.equal(memory.best('b'), 'transactsql');
  assert.equal(memory.best('c'), undefined);
});
