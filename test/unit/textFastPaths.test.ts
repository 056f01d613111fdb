import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStatement } from '../../src/engine/text/guards.ts';
import { maskSql } from '../../src/engine/text/mask.ts';
import { splitStatements } from '../../src/engine/text/splitter.ts';

const texts = (sql: string, dialect: 'postgresql' | 'oracle' | 'mysql' = 'postgresql') => splitStatements(sql, { dialect }).statements.map((s) => s.text);

void test('guards: the counting shortcut keeps the exact limits', () => {
  const limits = { maxNesting: 3, maxListItems: 4 };
  // Exactly at the limits passes; one more fails, at the crossing point.
  assert.equal(checkStatement('select f(g(h(x)))', limits), undefined);
  assert.equal(checkStatement('select f(g(h(i(x))))', limits)?.code, 'too-deep');
  assert.equal(checkStatement('select f(a,b,c,d)', limits), undefined);
  const over = checkStatement('select f(a,b,c,d,e)', limits);
  assert.equal(over?.code, 'too-many-items');
  assert.equal(over?.offset, 'select f(a,b,c,d'.length);
  // Parentheses and commas inside quotes and comments do not count, even when the total is over.
  assert.equal(checkStatement("select '((((((,,,,,,' -- ((((((,,,,,\n, x", limits), undefined);
  // Commas spread over several lists stay under the per-list limit.
  assert.equal(checkStatement('select f(a,b), g(c,d), h(e,f)', limits), undefined);
});

void test('maskSql blanks quotes and comments, keeps length and line breaks, returns clean text unchanged', () => {
  const plain = 'select a from t where b = 1';
  assert.equal(maskSql(plain), plain);
  const cases: [string, string][] = [
    ["select 'a;b' x", "select '   ' x"],
    ["'it''s' y", "'     ' y"],
    ['"we""ird" -- c\nz', '"       "     \nz'],
    ['a /* x\r\ny */ b', 'a     \r\n     b'],
    ['[col name] `q`', '[        ] ` `'],
    ['$tag$ BEGIN $$ $tag$ end', '$tag$          $tag$ end'],
    ['$1 + $$x$$', '$1 + $$ $$'],
    ["'never closed\nBEGIN", "'            \n     "],
    ['/* open', '       '],
  ];
  for (const [input, expected] of cases) {
    const masked = maskSql(input);
    assert.equal(masked.length, input.length);
    assert.equal(masked, expected, input);
  }
  // A dollar tag longer than 64 characters is not a tag.
  const long = `$${'a'.repeat(70)}$ 'x'`;
  assert.equal(maskSql(long), `$${'a'.repeat(70)}$ ' '`);
});

void test('splitter: keywords after the leading words are found in any case, look-alike names are not keywords', () => {
  const body = 'create function f() returns int language plpgsql as $$ begin return 1; end $$; select 2';
  assert.deepEqual(texts(body), ['create function f() returns int language plpgsql as $$ begin return 1; end $$', 'select 2']);
  const oracle = 'create or replace procedure p is begin\n  if x then y := 1; ElSe y := 2; End If;\n  update t set endpoint = 1, begin_date = 2;\nEnd;\n/\nselect 1 from dual';
  const out = texts(oracle, 'oracle');
  assert.equal(out.length, 2);
  assert.match(out[0] ?? '', /begin_date = 2;\nEnd$/);
  assert.equal(out[1], 'select 1 from dual');
  // `endpoint`, `begin_date`, `ifnull` and `do_stuff` are names, not block keywords.
  assert.deepEqual(texts('select endpoint, begin_date, ifnull(a, b), do_stuff from t; select 1', 'mysql'), [
    'select endpoint, begin_date, ifnull(a, b), do_stuff from t',
    'select 1',
  ]);
  // COPY ... FROM stdin still skips its data when FROM/STDIN come late in the statement.
  assert.deepEqual(texts('COPY public.some_table (a, b, c, d) from stdin;\n1\t2\n\\.\nselect 1'), ['COPY public.some_table (a, b, c, d) from stdin', 'select 1']);
});
