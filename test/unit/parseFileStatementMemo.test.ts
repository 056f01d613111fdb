/**
 * Statement-cache results kept in memory (parseFile's recent statements):
 * a large file parsed again after an edit reads only the changed statements
 * from the cache, and the result equals a parse without any cache.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleParsedFile, forgetEditMemos, forgetRecentStatements, parseFile, parseFileListing, parseText, type StatementCache } from '../../src/engine/extract/parseFile.ts';
import { defaultBackends } from '../helpers/engine.ts';

function mapCache(): StatementCache & { gets: number } {
  const entries = new Map<string, string>();
  const cache = {
    gets: 0,
    get: (key: string) => {
      cache.gets++;
      return entries.get(key);
    },
    has: (key: string) => entries.has(key),
    put: (key: string, payload: string) => void entries.set(key, payload),
    keyOf: (text: string, dialects: string) => `${dialects}|${text}`,
  };
  return cache;
}

test('an edited large file reads only its changed statements from the cache and parses as without one', async () => {
  const backends = await defaultBackends();
  const statements = Array.from({ length: 40 }, (_, i) => `SELECT a${i}, b FROM memo_t${i % 5} WHERE c = ${i}`);
  statements.push('SELEC broken FROM memo_bad WHERE', 'CREATE TABLE memo_x (id INT)');
  const cache = mapCache();
  const parse = (text: string, withCache: boolean) => parseText('memo.sql', text, 'utf-8', { dialect: 'postgresql', backends, ...(withCache ? { statementCache: cache } : {}) });
  const v1 = `${statements.join(';\n')};\n`;
  assert.deepEqual(parse(v1, true), parse(v1, false));

  // One statement changed, and a blank line that moves every later statement down.
  const edited = [...statements];
  edited[10] = 'SELECT changed FROM memo_t1';
  edited[20] = `\n${edited[20]}`;
  const v2 = `${edited.join(';\n')};\n`;
  cache.gets = 0;
  const result = parse(v2, true);
  assert.deepEqual(result, parse(v2, false));
  assert.equal(cache.gets, 1, 'only the changed statement: moved ones keep their text');

  // Without the in-memory copies every statement is read from the cache again, with the same result.
  forgetRecentStatements();
  cache.gets = 0;
  assert.deepEqual(parse(v2, true), result);
  assert.equal(cache.gets, statements.length);
});

test('a listing (statement keys) assembles into exactly the ParsedFile, from memory or from the cache alone', async () => {
  const backends = await defaultBackends();
  const text = [
    'CREATE TABLE listing_a (id INT PRIMARY KEY, name TEXT)',
    'SELEC broken FROM listing_b WHERE',
    'CREATE FUNCTION listing_f() RETURNS void AS $$ BEGIN INSERT INTO listing_a SELECT 1, \'x\'; END $$ LANGUAGE plpgsql',
    ...Array.from({ length: 30 }, (_, i) => `SELECT id, name FROM listing_a WHERE id = ${i}`),
  ].join(';\n');
  for (const dialect of ['postgresql', 'auto'] as const) {
    const bytes = Buffer.from(`-- head\n${text};\n`);
    const cache = mapCache();
    const listing = parseFileListing('models/listing.sql', bytes, { dialect, backends, statementCache: cache });
    const expected = parseFile('models/listing.sql', bytes, { dialect, backends });
    assert.equal(listing.keys.length, expected.statementCount);
    // Across a thread, the listing is structured-cloned and the results come from the cache.
    const sent = structuredClone(listing);
    assert.deepEqual(assembleParsedFile(sent, cache), expected, dialect);
    forgetRecentStatements();
    assert.deepEqual(assembleParsedFile(sent, cache), expected, `${dialect}, from the cache alone`);
    forgetRecentStatements();
    assert.equal(assembleParsedFile(sent, mapCache()), undefined, 'a statement in neither: undefined');
  }
  const bad = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
  const listing = parseFileListing('bad.sql', bad, { dialect: 'auto', backends, statementCache: mapCache() });
  assert.deepEqual(assembleParsedFile(listing, mapCache()), parseFile('bad.sql', bad, { dialect: 'auto', backends }));
});

test('a listing checks cached statements once without reading their results, and still assembles as parseFile parses', async () => {
  const backends = await defaultBackends();
  const text = `${Array.from({ length: 30 }, (_, i) => `INSERT INTO known_t${i % 4} SELECT a, b FROM known_s WHERE c = ${i}`).join(';\n')};\n`;
  const bytes = Buffer.from(text);
  const cache = mapCache();
  const expected = parseFile('known.sql', bytes, { dialect: 'postgresql', backends });
  parseText('known.sql', text, 'utf-8', { dialect: 'postgresql', backends, statementCache: cache }); // another thread filled the cache
  forgetRecentStatements(); // this thread (a worker that did not parse the file) holds nothing
  const checks: string[] = [];
  const reads: string[] = [];
  const counting: StatementCache = { ...cache, get: (key) => (reads.push(key), cache.get(key)), has: (key) => (checks.push(key), cache.has(key)) };
  const first = parseFileListing('known.sql', bytes, { dialect: 'postgresql', backends, statementCache: counting });
  assert.equal(checks.length, 30, 'each statement checked once');
  assert.equal(reads.length, 0, 'no result read');
  const second = parseFileListing('known.sql', bytes, { dialect: 'postgresql', backends, statementCache: counting });
  assert.equal(checks.length, 30, 'and not again on the next save');
  assert.deepEqual(second, first);
  assert.deepEqual(assembleParsedFile(first, cache), expected);
});

test('an edited large file re-hashes only the statements around the edit, through a chain of edits', async () => {
  const backends = await defaultBackends();
  forgetEditMemos();
  const cache = mapCache();
  let hashed = 0;
  const counting: StatementCache = { ...cache, keyOf: (text, dialects) => (hashed++, cache.keyOf(text, dialects)) };
  const parse = (text: string, withCache: boolean) => parseText('chain.sql', text, 'utf-8', { dialect: 'postgresql', backends, ...(withCache ? { statementCache: counting } : {}) });
  let statements = Array.from({ length: 60 }, (_, i) => `SELECT a${i} FROM chain_t${i % 7} WHERE c = ${i}`);
  const text = (): string => `${statements.join(';\n')};\n`;
  parse(text(), true);

  // Each edit changes one statement; the key context check costs one more keyOf.
  for (const [at, replacement] of [[30, 'SELECT changed FROM chain_t1'], [5, 'SELECT x FROM chain_t2 WHERE d = 1'], [59, 'SELECT last FROM chain_t3']] as const) {
    statements = statements.map((s, i) => (i === at ? replacement : s));
    hashed = 0;
    const result = parse(text(), true);
    assert.ok(hashed <= 4, `edit at ${at}: ${hashed} statements hashed`);
    assert.deepEqual(result, parse(text(), false), `edit at ${at}`);
  }

  // Another dialect: nothing is reused.
  hashed = 0;
  parseText('chain.sql', text(), 'utf-8', { dialect: 'mysql', backends, statementCache: counting });
  assert.ok(hashed > statements.length, 'every statement hashed for another dialect');
});
