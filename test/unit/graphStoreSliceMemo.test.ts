/**
 * The store skips writing a catalog slice it was handed before (the same
 * object) for the same path; whatever removes, moves or rolls back a slice
 * must make it write again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openGraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';

const META: FileMeta = { contentHash: 'h', dialect: 'postgresql', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };

function slices(store: ReturnType<typeof openGraphStore>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of store.catalogSlices()) out[s.path] = s.signature;
  return out;
}

test('a slice handed again is written again after a rollback, a removal or a rename', () => {
  const store = openGraphStore(':memory:');
  const a = { signature: 'A', json: '{"a":1}' };
  const b = { signature: 'B', json: '{"b":1}' };
  store.setCatalogSlice('p.sql', a);
  assert.throws(() =>
    store.transaction(() => {
      store.setCatalogSlice('p.sql', b);
      throw new Error('rolled back');
    }),
  );
  assert.deepEqual(slices(store), { 'p.sql': 'A' });
  store.setCatalogSlice('p.sql', b);
  assert.deepEqual(slices(store), { 'p.sql': 'B' }, 'after a rollback');

  store.removeFile('p.sql');
  store.setCatalogSlice('p.sql', b);
  assert.deepEqual(slices(store), { 'p.sql': 'B' }, 'after a removal');

  store.applyFile('p.sql', { entities: [], relationships: [] }, META);
  store.renameFile('p.sql', 'q.sql');
  store.setCatalogSlice('p.sql', b);
  assert.deepEqual(slices(store), { 'p.sql': 'B', 'q.sql': 'B' }, 'after a rename');

  store.clear();
  store.setCatalogSlice('q.sql', b);
  assert.deepEqual(slices(store), { 'q.sql': 'B' }, 'after a clear');
  store.close();
});

test('a preloaded contribution is the one the next replacement diffs against', () => {
  const store = openGraphStore(':memory:');
  assert.equal(store.preloadContribution('p.sql'), false, 'unknown file');
  const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 9 } };
  const v1 = { entities: [{ key: 'rel:public.t', kind: 'table' as const, name: 't', schema: 'public', file: 'p.sql', range, defined: true }], relationships: [] };
  store.applyFile('p.sql', v1, META);
  assert.equal(store.preloadContribution('p.sql'), true);
  store.applyFile('p.sql', { entities: [], relationships: [] }, META);
  assert.deepEqual(store.counts().entities, {}, 'the table went with its only definition');
  assert.equal(store.entity('rel:public.t'), undefined);
  store.close();
});
