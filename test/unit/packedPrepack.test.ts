import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveFile } from '../../src/engine/extract/resolve.ts';
import { emptyCatalog } from '../../src/engine/extract/catalog.ts';
import { globalisePacked, packContribution, prepackContribution } from '../../src/engine/store/packedContribution.ts';
import { parseSql } from '../helpers/engine.ts';

/** A key interner like the store's: some keys known already (ids out of order), new ones numbered from the top. */
function interner(known: readonly string[]): { idOf: (key: string) => number; calls: string[] } {
  const ids = new Map(known.map((key, i) => [key, 1000 - i * 7]));
  let next = 5000;
  const calls: string[] = [];
  return {
    calls,
    idOf: (key) => {
      calls.push(key);
      let id = ids.get(key);
      if (id === undefined) ids.set(key, (id = next++));
      return id;
    },
  };
}

void test('a contribution packed in a worker and renumbered in the store equals one packed in the store', async () => {
  const file = await parseSql(
    [
      'CREATE TABLE s.a (id int PRIMARY KEY, x text, y int REFERENCES s.b(id));',
      'CREATE VIEW s.v AS SELECT a.id, a.x, b.z FROM s.a a JOIN s.b b ON a.y = b.id;',
      'INSERT INTO s.c (id, total) SELECT id, sum(y) FROM s.a GROUP BY id;',
      'INSERT INTO s.c (id, total) SELECT id, sum(y) FROM s.a GROUP BY id;',
      'UPDATE s.a SET x = (SELECT max(z) FROM s.b) WHERE id > 3;',
    ].join('\n'),
    { path: 'p.sql', dialect: 'postgresql' },
  );
  const fragment = resolveFile(file, emptyCatalog, { dialect: 'postgresql' });
  assert.ok(fragment.relationships.length > 10);
  const known = ['rel:s.b', 'col:s.a.x', 'file:p.sql'];

  const direct = interner(known);
  const expected = packContribution(fragment.entities, fragment.relationships, direct);
  // Through a structured clone, as a worker's answer travels.
  const prepacked = structuredClone(prepackContribution(fragment.entities, fragment.relationships));
  const later = interner(known);
  const actual = globalisePacked(prepacked, later);

  assert.deepEqual(later.calls, direct.calls, 'keys interned in the same order, so new keys get the same ids');
  assert.deepEqual(Buffer.from(actual.blob), Buffer.from(expected.blob));
  assert.deepEqual(actual.keyIds, expected.keyIds);
  assert.deepEqual(actual.roles, expected.roles);
  assert.deepEqual(actual.entityWords, expected.entityWords);
  assert.deepEqual(actual.typeCounts, expected.typeCounts);
  assert.equal(actual.relationshipCount, expected.relationshipCount);
  assert.equal(actual.strings, expected.strings);
  assert.deepEqual(actual.entities, expected.entities);
});
