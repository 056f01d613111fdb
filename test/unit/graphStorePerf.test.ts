/**
 * Throughput of applyFiles on synthetic ~40-entity / 60-relationship
 * fragments, on disk as the pipeline uses it. 2,000 files by default so the
 * suite stays quick; SQLGRAPH_PERF=1 runs the full 10,000.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import type { Entity, GraphFragment, Relationship } from '../../src/engine/model/graph.ts';
import type { Range } from '../../src/engine/model/range.ts';
import { openGraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta, FileUpdate } from '../../src/engine/store/types.ts';

const FILES = process.env.SQLGRAPH_PERF === '1' ? 10_000 : 2_000;
const BATCH = 250;
const SHARED_TABLES = 2_000;
const META: FileMeta = { contentHash: 'h', dialect: 'postgresql', statements: 5, parsed: 5, fallback: 0, diagnostics: [] };

function at(line: number): Range {
  return { start: { line, character: 0 }, end: { line, character: 20 } };
}

/** 5 defined tables with 5 columns each, 10 referenced shared tables: 40 entities, 60 relationships. */
function fragment(path: string, n: number, variant = 0): GraphFragment {
  const entities: Entity[] = [];
  const relationships: Relationship[] = [];
  const rel = (type: Relationship['type'], from: string, to: string, line: number, operation?: string) => {
    const r: Relationship = { type, from, to, file: path, range: at(line), confidence: 'high' };
    if (operation) r.operation = operation;
    relationships.push(r);
  };
  for (let t = 0; t < 5; t++) {
    const key = `rel:app.t${n}_${t}_${variant}`;
    entities.push({ key, kind: 'table', name: `t${n}_${t}_${variant}`, schema: 'app', file: path, range: at(t * 10), defined: true });
    rel('DEFINES', `file:${path}`, key, t * 10);
    for (let c = 0; c < 5; c++) {
      const col = `col:app.t${n}_${t}_${variant}.c${c}`;
      entities.push({ key: col, kind: 'column', name: `c${c}`, parent: key, file: path, range: at(t * 10 + c + 1), defined: true });
      rel('HAS_COLUMN', key, col, t * 10 + c + 1);
    }
  }
  for (let s = 0; s < 10; s++) {
    const key = `rel:app.shared${(n * 7 + s * 13) % SHARED_TABLES}`;
    entities.push({ key, kind: 'table', name: key.slice(8), schema: 'app', file: path, range: at(60 + s), defined: false });
    rel('READS_FROM', `rel:app.t${n}_${s % 5}_${variant}`, key, 60 + s);
    rel('DEPENDS_ON', `rel:app.t${n}_${s % 5}_${variant}`, key, 60 + s);
    rel('WRITES_TO', `file:${path}`, key, 70 + s, 'INSERT');
  }
  for (let d = 0; d < 5; d++) rel('DERIVED_FROM', `col:app.t${n}_${d}_${variant}.c0`, `col:app.t${n}_${(d + 1) % 5}_${variant}.c1`, 80 + d);
  return { entities, relationships };
}

it(`applies ${FILES} synthetic files in batches of ${BATCH}`, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-perf-'));
  let store = openGraphStore(join(dir, 'graph.db'));
  try {
    const updates: FileUpdate[] = Array.from({ length: FILES }, (_, n) => {
      const path = `models/m${n}.sql`;
      return { path, fragment: fragment(path, n), meta: META };
    });
    const rows = updates.reduce((sum, u) => sum + u.fragment.entities.length + u.fragment.relationships.length, 0);
    let started = performance.now();
    for (let i = 0; i < updates.length; i += BATCH) store.applyFiles(updates.slice(i, i + BATCH));
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`initial: ${FILES} files, ${rows} rows in ${seconds.toFixed(2)} s = ${Math.round(FILES / seconds)} files/s, ${Math.round(rows / seconds)} rows/s`);

    const counts = store.counts();
    assert.equal(counts.files, FILES);
    assert.equal(counts.entities.table, FILES * 5 + Math.min(SHARED_TABLES, FILES * 10));
    assert.equal(counts.entities.column, FILES * 25);
    assert.equal(counts.relationships.WRITES_TO, FILES * 10);

    // Re-extracting a tenth of the files with different content: the incremental path.
    const changed = updates.slice(0, FILES / 10).map((u, n) => ({ ...u, fragment: fragment(u.path, n, 1) }));
    started = performance.now();
    for (let i = 0; i < changed.length; i += BATCH) store.applyFiles(changed.slice(i, i + BATCH));
    const replaceSeconds = (performance.now() - started) / 1000;
    t.diagnostic(`replace: ${changed.length} files in ${replaceSeconds.toFixed(2)} s = ${Math.round(changed.length / replaceSeconds)} files/s`);
    assert.equal(store.entity('rel:app.t0_0_0'), undefined);
    assert.equal(store.entity('rel:app.t0_0_1')?.defined, true);

    started = performance.now();
    const found = store.findEntities('t12', { limit: 20 });
    const lineage = store.lineage('rel:app.shared0', { direction: 'downstream', depth: 3 });
    const readers = store.readersOf('rel:app.shared1');
    const querySeconds = (performance.now() - started) / 1000;
    t.diagnostic(`queries: find ${found.length}, lineage ${lineage.nodes.length} nodes, ${readers.length} readers in ${(querySeconds * 1000).toFixed(1)} ms`);
    assert.ok(found.length > 0 && lineage.nodes.length > 1 && readers.length > 0);

    const counts2 = store.counts();
    started = performance.now();
    const exported = store.exportAll();
    t.diagnostic(`exportAll: ${exported.entities.length + exported.relationships.length} rows in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    assert.equal(store.pendingCount(), FILES);

    store.close();
    started = performance.now();
    store = openGraphStore(join(dir, 'graph.db'));
    t.diagnostic(`reopen with quick_check: ${((performance.now() - started) / 1000).toFixed(2)} s, ${(statSync(join(dir, 'graph.db')).size / 1e6).toFixed(0)} MB`);
    assert.equal(store.recovered, false);
    assert.deepEqual(store.counts(), counts2);
    // A floor far below the measured rate, so only a real regression fails.
    assert.ok(FILES / seconds > 100, `${Math.round(FILES / seconds)} files/s`);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
