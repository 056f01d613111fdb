import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UnitApplier } from '../../src/engine/pipeline/applyUnits.ts';
import { mayDefineRelations } from '../../src/engine/pipeline/catalogCandidates.ts';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

void test('units grow to the time budget, run one at a time, and drain applies the rest', async () => {
  const units: number[][] = [];
  let running = 0;
  let overlapped = false;
  const applier = new UnitApplier<number, string>({
    apply: async (items) => {
      running++;
      if (running > 1) overlapped = true;
      units.push(items);
      // 1 ms per item, measured by the applier.
      const until = performance.now() + items.length;
      while (performance.now() < until) await tick();
      running--;
    },
    budgetMs: () => 20,
    minItems: 4,
    maxItems: 1000,
  });
  for (let i = 0; i < 100; i++) {
    applier.add([i]);
    await tick();
  }
  await applier.drain();
  assert.equal(overlapped, false, 'two units applied at once');
  assert.deepEqual(units.flat(), Array.from({ length: 100 }, (_, i) => i), 'every item once, in order');
  // The first unit uses the 1 ms guess (20 items for 20 ms); after that, ~20 items at ~1 ms each.
  for (const unit of units.slice(0, -1)) assert.ok(unit.length >= 4 && unit.length <= 40, `unit of ${unit.length}`);
});

void test('a failing unit stops the applier and drain rejects with its error', async () => {
  let calls = 0;
  const applier = new UnitApplier<number, never>({
    apply: () => {
      calls++;
      return Promise.reject(new Error('disk full'));
    },
    budgetMs: () => 0,
    minItems: 1,
    maxItems: 1,
  });
  applier.add([1]);
  applier.add([2]);
  await assert.rejects(applier.drain(), /disk full/);
  assert.equal(calls, 1);
  applier.add([3]);
  await assert.rejects(applier.drain(), /disk full/);
  assert.equal(calls, 1, 'nothing applied after a failure');
});

void test('the early-parse guess: DDL, ALTER, USE, SELECT INTO and templating yes; plain DML no', () => {
  const yes = [
    'CREATE TABLE a (x int);',
    'create or replace view v as select 1',
    'CREATE TEMPORARY TABLE IF NOT EXISTS t AS SELECT 1',
    'CREATE PROCEDURE p AS BEGIN CREATE TABLE #t (a int); END',
    'ALTER TABLE t ADD COLUMN c int;',
    'USE warehouse;',
    'SELECT a INTO newt FROM b;',
    "select * from {{ ref('orders') }}",
  ];
  const no = ['INSERT INTO t SELECT a FROM b;', 'UPDATE t SET a = 1;', 'CREATE INDEX i ON t (a);', 'CREATE FUNCTION f() RETURNS int AS $$ BEGIN INSERT INTO t VALUES (1); RETURN 1; END $$;', 'SELECT * FROM my_table_view;'];
  for (const text of yes) assert.equal(mayDefineRelations(Buffer.from(text)), true, text);
  for (const text of no) assert.equal(mayDefineRelations(Buffer.from(text)), false, text);
  assert.equal(mayDefineRelations(Buffer.from('\ufeffSELECT 1', 'utf16le')), true, 'UTF-16 is parsed early rather than guessed at');
});
