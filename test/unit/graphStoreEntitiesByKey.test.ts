/** entitiesByKey: the bulk read equals entity() key by key, across chunks, with unknown keys left out. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Entity, GraphFragment } from '../../src/engine/model/graph.ts';
import { openGraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';

const meta: FileMeta = { contentHash: 'h', dialect: 'postgresql', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };

/** File i defines table t<i> with two columns (parent, schema and database set on some) and references t<i-1>. */
function fileOf(i: number): GraphFragment {
  const file = `f${i}.sql`;
  const range = (line: number) => ({ start: { line, character: 1 }, end: { line, character: 9 } });
  const table: Entity = { key: `rel:s.t${i}`, kind: 'table', name: `t${i}`, schema: 's', file, range: range(1), defined: true };
  if (i % 3 === 0) table.database = 'db';
  const columns: Entity[] = ['a', 'b'].map((c, j) => ({ key: `col:s.t${i}.${c}`, kind: 'column', name: c, parent: table.key, file, range: range(2 + j), defined: true }));
  const referenced: Entity[] = i > 0 ? [{ key: `rel:s.t${i - 1}`, kind: 'table', name: `t${i - 1}`, file, range: range(9), defined: false }] : [];
  return { entities: [table, ...columns, ...referenced], relationships: [] };
}

it('reads the merged view of many keys at once, as entity() does', () => {
  const store = openGraphStore(':memory:');
  try {
    const files = 1200;
    for (let i = 0; i < files; i++) store.applyFile(`f${i}.sql`, fileOf(i), meta);
    store.applyFile('late.sql', { entities: [{ key: 'rel:s.t5', kind: 'view', name: 't5', file: 'late.sql', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, defined: false }], relationships: [] }, meta);
    const keys: string[] = [];
    for (let i = 0; i < files; i++) keys.push(`rel:s.t${i}`, `col:s.t${i}.a`, `col:s.t${i}.b`);
    keys.push('rel:nowhere', 'col:s.t7.a');
    const bulk = store.entitiesByKey(keys);
    // More keys than one query takes; every known key once, the unknown one left out.
    assert.equal(bulk.size, files * 3);
    assert.equal(bulk.has('rel:nowhere'), false);
    for (const key of keys) assert.deepEqual(bulk.get(key), store.entity(key), key);
    // Spot checks against the input: the merged winner (the definition), optional fields only when set.
    assert.deepEqual(bulk.get('rel:s.t5'), fileOf(5).entities[0]);
    assert.deepEqual(bulk.get('col:s.t3.b'), fileOf(3).entities[2]);
    assert.equal(bulk.get('rel:s.t3')?.database, 'db');
    assert.equal('database' in (bulk.get('rel:s.t4') ?? {}), false);
    assert.equal(store.entitiesByKey([]).size, 0);
  } finally {
    store.close();
  }
});
