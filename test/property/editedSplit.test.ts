/**
 * splitEditedText must answer exactly what splitting the edited text from
 * scratch answers, whatever the edit: random scripts in several dialects,
 * random chains of edits that insert, delete and replace text, including the
 * constructs that carry state across statements or look ahead (custom
 * delimiters, GO, slash lines, COPY data, BEGIN...END, dollar quotes,
 * comments, unterminated quotes). It must also reuse: a small edit in a
 * large script re-splits only a few statements.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import { splitEditedText, commonPrefix, commonSuffix, type SplitMemo } from '../../src/engine/text/editedSplit.ts';
import { LineIndex } from '../../src/engine/text/lineIndex.ts';
import { splitStatements } from '../../src/engine/text/splitter.ts';
import { prng } from '../helpers/prng.ts';

const PIECES = [
  'SELECT a, b FROM t WHERE x = 1;\n',
  "INSERT INTO t VALUES ('it''s', E'\\'q');\n",
  'CREATE TABLE t (id INT, name TEXT);\n',
  'CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n',
  'CREATE PROCEDURE p() BEGIN IF x THEN SELECT 1; END IF; WHILE y DO SET y = 0; END WHILE; END;\n',
  'BEGIN\n  UPDATE t SET a = 1;\n  DELETE FROM t;\nEND;\n',
  'DELIMITER $$\nCREATE PROCEDURE q() BEGIN SELECT 1; END$$\nDELIMITER ;\n',
  'SELECT 1\nGO\n',
  'CREATE OR REPLACE PROCEDURE o AS BEGIN NULL; END;\n/\n',
  'COPY t (a, b) FROM stdin;\n1\t2\n3\t4\n\\.\n',
  '-- a comment; with a semicolon\n',
  '/* block; comment */\n',
  '\\set ON_ERROR_STOP on\n',
  '--#SET TERMINATOR @\nSELECT 1@\n--#SET TERMINATOR ;\n',
  'SELECT CASE WHEN a THEN 1 ELSE 2 END FROM t;\n',
  'SELECT "quoted;name", `back;tick`, [bra;cket] FROM t;\n',
  '\n\n',
  'END\n',
  // No line break: the next piece's client command (GO, /, \set, DELIMITER) is then not at a line start.
  'SELECT 3; ',
  'SELECT 4;',
];

/** Edits that can open or close the constructs the splitter tracks. */
const FRAGMENTS = [';', "'", '"', '$$', '/*', '*/', '--', '\n', 'BEGIN ', 'END', ' END IF;', 'GO\n', '\nGO\n', 'DELIMITER //\n', '//', '\\.\n', 'COPY x FROM stdin;\n', 'CASE ', '\n/\n', 'E', 'x', ' ', 'SELECT 2;', '\r\n', '\r'];

const DIALECTS: Dialect[] = ['postgresql', 'mysql', 'transactsql', 'oracle', 'generic', 'db2', 'bigquery'];

function script(random: () => number, pieces: number): string {
  let text = '';
  for (let i = 0; i < pieces; i++) text += PIECES[Math.floor(random() * PIECES.length)];
  return text;
}

function edit(random: () => number, text: string): string {
  const at = Math.floor(random() * (text.length + 1));
  const fragment = random() < 0.7 ? FRAGMENTS[Math.floor(random() * FRAGMENTS.length)]! : PIECES[Math.floor(random() * PIECES.length)]!;
  const removed = random() < 0.4 ? Math.floor(random() * 12) : 0;
  return text.slice(0, at) + (random() < 0.85 ? fragment : '') + text.slice(at + removed);
}

function fresh(text: string, dialect: Dialect) {
  return splitStatements(text, { dialect });
}

test('an edited split equals a split from scratch, over random chains of edits in every dialect', () => {
  const random = prng(20261129);
  let reusedSome = 0;
  for (let round = 0; round < 1000; round++) {
    const dialect = DIALECTS[round % DIALECTS.length]!;
    let text = script(random, 5 + Math.floor(random() * 40));
    let memo: SplitMemo | undefined;
    for (let step = 0; step < 8; step++) {
      const split = splitEditedText(memo, text, dialect, new LineIndex(text));
      const expected = fresh(text, dialect);
      const where = `round ${round} step ${step} (${dialect}): ${JSON.stringify(text)}`;
      assert.deepEqual(split.statements, expected.statements, where);
      assert.deepEqual(split.diagnostics, expected.diagnostics, where);
      assert.equal(split.previousIndex.length, split.statements.length);
      split.previousIndex.forEach((p, i) => {
        if (p >= 0) assert.equal(memo?.statements[p]?.text, split.statements[i]!.text, `${where}: statement ${i} said to be the old ${p}`);
      });
      if (split.previousIndex.some((p) => p >= 0)) reusedSome++;
      memo = split.memo;
      text = edit(random, text);
    }
  }
  assert.ok(reusedSome > 4000, `edited splits reused earlier statements (${reusedSome} times)`);
});

test('one edit in the middle of a large script re-splits a few statements and reuses the rest', () => {
  const random = prng(7);
  const text = script(random, 3000);
  const lines = new LineIndex(text);
  const first = splitEditedText(undefined, text, 'postgresql', lines);
  const at = text.indexOf('WHERE x = 1', Math.floor(text.length / 2));
  const edited = `${text.slice(0, at)}WHERE 1 = 1 AND ${text.slice(at + 6)}`;
  const second = splitEditedText(first.memo, edited, 'postgresql', new LineIndex(edited));
  assert.deepEqual(second.statements, fresh(edited, 'postgresql').statements);
  const renewed = [...second.previousIndex].filter((p) => p < 0).length;
  assert.ok(renewed >= 1 && renewed <= 3, `${renewed} statements split again`);
  // Before the edit, the same objects; after it, the same text (moved).
  assert.equal(second.statements[0], first.statements[0]);
  const last = second.statements.length - 1;
  assert.equal(second.statements[last]!.text, first.statements[first.statements.length - 1]!.text);
  assert.equal(second.statements[last]!.start, first.statements[first.statements.length - 1]!.start + (edited.length - text.length));

  // And a chain of further edits there stays exact.
  let memo = second.memo;
  let current = edited;
  for (let i = 0; i < 5; i++) {
    const where = current.indexOf('WHERE', Math.floor(current.length / 2));
    current = `${current.slice(0, where)}WHERE ${i} = ${i} AND ${current.slice(where + 6)}`;
    const next = splitEditedText(memo, current, 'postgresql', new LineIndex(current));
    assert.deepEqual(next.statements, fresh(current, 'postgresql').statements, `edit ${i}`);
    memo = next.memo;
  }
});

test('a dialect change splits from scratch', () => {
  const text = 'DELIMITER //\nSELECT 1//\nSELECT 2//\n';
  const first = splitEditedText(undefined, text, 'mysql', new LineIndex(text));
  const second = splitEditedText(first.memo, text, 'postgresql', new LineIndex(text));
  assert.deepEqual(second.statements, fresh(text, 'postgresql').statements);
  assert.ok([...second.previousIndex].every((p) => p === -1));
});

test('common prefix and suffix lengths', () => {
  const random = prng(3);
  for (let i = 0; i < 200; i++) {
    const a = script(random, 1 + Math.floor(random() * 300));
    const b = edit(random, a);
    const p = commonPrefix(a, b);
    let q = 0;
    while (q < Math.min(a.length, b.length) && a[q] === b[q]) q++;
    assert.equal(p, q);
    const max = Math.min(a.length, b.length) - p;
    let r = 0;
    while (r < max && a[a.length - 1 - r] === b[b.length - 1 - r]) r++;
    assert.equal(commonSuffix(a, b, max), r);
  }
});
