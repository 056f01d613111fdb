/**
 * The resolve memo (large files re-resolve only changed statements) must
 * always answer exactly what a fresh resolution does: random edits to a
 * real-parsed file (changed, inserted and deleted statements, shifted lines,
 * USE statements, DDL that changes the catalog) are resolved both ways and
 * compared.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCatalog } from '../../src/engine/extract/catalog.ts';
import { nameOptionsFor } from '../../src/engine/extract/extractFiles.ts';
import { FileResolver, resolveFile } from '../../src/engine/extract/resolve.ts';
import { MEMO_MIN_STATEMENTS, ResolveMemo, sameValue } from '../../src/engine/extract/resolveMemo.ts';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import { parseSql } from '../helpers/engine.ts';
import { prng } from '../helpers/prng.ts';

/** One random statement over a small set of tables, so statements share keys (and first-seen entities matter). */
function randomStatement(random: () => number, dialect: Dialect): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const t = () => pick(['orders', 'customers', 'items', 'sales.facts', 'v_orders', 'tmp_x']);
  const c = () => pick(['id', 'name', 'amount', 'customer_id', 'created_at']);
  switch (Math.floor(random() * 12)) {
    case 0:
      return `CREATE TABLE ${t()} (id INT PRIMARY KEY, ${c()} TEXT, ${pick(['amount', 'total', 'qty'])} INT)`;
    case 1:
      return `CREATE VIEW v_${pick(['orders', 'a', 'b'])} AS SELECT ${c()}, ${c()} FROM ${t()}`;
    case 2:
      return `INSERT INTO ${t()} (${c()}) SELECT ${c()} FROM ${t()} WHERE ${c()} > ${Math.floor(random() * 9)}`;
    case 3:
      return `UPDATE ${t()} SET ${c()} = ${c()} + 1 WHERE ${c()} = 2`;
    case 4:
      return `DELETE FROM ${t()} WHERE ${c()} IN (SELECT ${c()} FROM ${t()})`;
    case 5:
      return dialect === 'mysql' ? `USE ${pick(['db1', 'db2'])}` : `SELECT o.${c()}, x.${c()} FROM ${t()} o JOIN ${t()} x ON o.id = x.id`;
    case 6:
      return `SELECT *, ${c()} FROM ${t()}`;
    case 7:
      return `CREATE INDEX ix_${Math.floor(random() * 5)} ON ${t()} (${c()})`;
    case 8:
      return `ALTER TABLE ${t()} ADD COLUMN extra_${Math.floor(random() * 3)} INT`;
    case 9:
      return `SELEC broken FROM ${t()} WHERE`; // unparsable: the token scan's fallback relations
    case 10:
      // A routine: its body statements carry the routine as their owner.
      return dialect === 'mysql'
        ? `CREATE PROCEDURE p_${Math.floor(random() * 2)}() BEGIN INSERT INTO ${t()} SELECT ${c()} FROM orders; END`
        : `CREATE FUNCTION f_${Math.floor(random() * 2)}() RETURNS void AS $$ BEGIN INSERT INTO ${t()} SELECT ${c()} FROM orders; END $$ LANGUAGE plpgsql`;
    default:
      return `WITH w AS (SELECT ${c()} FROM ${t()}) SELECT ${c()} FROM w`;
  }
}

const render = (statements: string[], gaps: number[]): string => statements.map((s, i) => `${'\n'.repeat(gaps[i] ?? 0)}${s};\n`).join('');
/** As the pipeline sees it: fresh objects from JSON, nothing shared with the last version. */
const fromJson = (file: ParsedFile): ParsedFile => JSON.parse(JSON.stringify(file)) as ParsedFile;

async function runSequence(seed: number, dialect: Dialect): Promise<{ reused: number; steps: number }> {
  const random = prng(seed);
  const statements = Array.from({ length: MEMO_MIN_STATEMENTS + 20 }, () => randomStatement(random, dialect));
  const gaps = statements.map(() => 0);
  const other = await parseSql('CREATE TABLE orders (id INT, customer_id INT);\nCREATE TABLE items (id INT, amount INT);\n', { path: 'a/ddl.sql', dialect });
  const memo = new ResolveMemo();
  let reused = 0;
  const steps = 14;
  for (let step = 0; step < steps; step++) {
    if (step > 0) {
      for (let n = 1 + Math.floor(random() * 2); n > 0; n--) {
        const i = Math.floor(random() * statements.length);
        const roll = random();
        if (roll < 0.5) statements[i] = randomStatement(random, dialect);
        else if (roll < 0.65) {
          statements.splice(i, 0, randomStatement(random, dialect));
          gaps.splice(i, 0, 0);
        } else if (roll < 0.8) {
          statements.splice(i, 1);
          gaps.splice(i, 1);
        } else gaps[i] = (gaps[i] ?? 0) + 1; // moves every later statement down a line
      }
    }
    const parsed = fromJson(await parseSql(render(statements, gaps), { path: 'big.sql', dialect }));
    // Sometimes the other file's DDL changes: a new catalog instance, some relations different.
    const others = step % 4 === 3 ? [fromJson({ ...other, statements: other.statements.slice(0, 1) })] : [other];
    const catalog = buildCatalog([parsed, ...others], (f) => nameOptionsFor(f, undefined));
    const options = nameOptionsFor(parsed, undefined);
    const expected = new FileResolver(parsed, catalog, options).run();
    assert.deepEqual(memo.resolve(parsed, catalog, options), expected, `seed ${seed} step ${step}`);
    // Resolving the same content again reuses every statement.
    assert.deepEqual(memo.resolve(fromJson(parsed), catalog, options), expected, `seed ${seed} step ${step} (again)`);
    assert.equal(memo.lastResolved, 0, `seed ${seed} step ${step}`);
    if (step > 0) reused += memo.lastReused;
  }
  return { reused, steps };
}

test('memoised resolution equals a fresh one after random edits (postgresql, mysql with USE)', async () => {
  let reused = 0;
  for (let seed = 1; seed <= 6; seed++) reused += (await runSequence(seed, seed % 2 === 0 ? 'mysql' : 'postgresql')).reused;
  assert.ok(reused > 0, 'the memo was never used');
});

test('a statement is analysed again when a relation it looked up changes in the catalog', async () => {
  const body = Array.from({ length: MEMO_MIN_STATEMENTS }, (_, i) => `INSERT INTO log_${i} SELECT * FROM orders`).join(';\n');
  const parsed = await parseSql(`${body};\nSELECT id FROM items;\n`, { path: 'big.sql', dialect: 'postgresql' });
  const ddl = (columns: string) => parseSql(`CREATE TABLE orders (${columns});\n`, { path: 'ddl.sql', dialect: 'postgresql' });
  const options = nameOptionsFor(parsed, undefined);
  const memo = new ResolveMemo();
  const first = buildCatalog([parsed, await ddl('id INT, total INT')], () => options);
  assert.deepEqual(memo.resolve(parsed, first, options), new FileResolver(parsed, first, options).run());
  const second = buildCatalog([parsed, await ddl('id INT, total INT, note TEXT')], () => options);
  const again = memo.resolve(fromJson(parsed), second, options);
  assert.deepEqual(again, new FileResolver(parsed, second, options).run());
  // Every INSERT … SELECT * FROM orders depends on orders' columns; the last SELECT does not.
  assert.equal(memo.lastResolved, MEMO_MIN_STATEMENTS);
  assert.equal(memo.lastReused, 1);
  assert.ok(again.entities.some((e) => e.key.endsWith('.note')));
});

test('resolveFile takes the memo for large files and stays equal to a fresh resolution', async () => {
  const text = Array.from({ length: MEMO_MIN_STATEMENTS + 1 }, (_, i) => `SELECT a, b FROM t${i % 7} WHERE c = ${i}`).join(';\n');
  const parsed = await parseSql(text, { path: 'memo/big.sql', dialect: 'postgresql' });
  const catalog = buildCatalog([parsed], () => nameOptionsFor(parsed, undefined));
  const options = nameOptionsFor(parsed, undefined);
  const fresh = new FileResolver(parsed, catalog, options).run();
  assert.deepEqual(resolveFile(fromJson(parsed), catalog, options), fresh);
  assert.deepEqual(resolveFile(fromJson(parsed), catalog, options), fresh);
});

test('a statement whose fallback relations or owning routine changed is analysed again', async () => {
  const filler = Array.from({ length: MEMO_MIN_STATEMENTS }, (_, i) => `SELECT id FROM t${i}`).join(';\n');
  const versions = [
    'SELEC broken FROM orders WHERE;\nCREATE FUNCTION f_0() RETURNS void AS $$ BEGIN INSERT INTO log SELECT id FROM orders; END $$ LANGUAGE plpgsql',
    'SELEC broken FROM customers WHERE;\nCREATE FUNCTION f_0() RETURNS void AS $$ BEGIN INSERT INTO log SELECT id FROM orders; END $$ LANGUAGE plpgsql',
    'SELEC broken FROM customers WHERE;\nCREATE FUNCTION f_1() RETURNS void AS $$ BEGIN INSERT INTO log SELECT id FROM orders; END $$ LANGUAGE plpgsql',
  ];
  const memo = new ResolveMemo();
  for (const version of versions) {
    const parsed = fromJson(await parseSql(`${filler};\n${version};\n${filler};\n`, { path: 'big.sql', dialect: 'postgresql' }));
    const catalog = buildCatalog([parsed], () => nameOptionsFor(parsed, undefined));
    const options = nameOptionsFor(parsed, undefined);
    assert.deepEqual(memo.resolve(parsed, catalog, options), new FileResolver(parsed, catalog, options).run(), version);
  }
  assert.ok(memo.lastReused >= 2 * MEMO_MIN_STATEMENTS);
});

test('sameValue compares JSON-like values structurally', () => {
  assert.ok(sameValue({ a: [1, { b: 'x' }], c: undefined }, { a: [1, { b: 'x' }] }));
  assert.ok(!sameValue({ a: [1, { b: 'x' }] }, { a: [1, { b: 'y' }] }));
  assert.ok(!sameValue({ a: 1 }, { a: 1, b: 2 }));
  assert.ok(!sameValue([1, 2], { 0: 1, 1: 2 }));
  assert.ok(!sameValue([1], [1, 2]));
  assert.ok(!sameValue(null, {}));
});
