import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../scripts/accuracy/corpus.ts';
import { generateCorpus } from '../../scripts/bench/synthCorpus.ts';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-pipeline-'));
  cpSync(join(REPO_ROOT, 'samples', 'workspace'), root, { recursive: true });
  rmSync(join(root, '.sqlgraph'), { recursive: true, force: true });
  return root;
}

test('ingest with workers, then saves and deletes reach the graph; a re-ingest skips unchanged files', async () => {
  const root = workspace();
  const pipeline = await IngestPipeline.open({ root, dialect: 'auto', workers: 1, batcher: { realtime: true } });
  try {
    const first = await pipeline.ingestAll();
    assert.equal(first.files, 6);
    assert.equal(first.parsed, 6);
    assert.ok(pipeline.store.entity('rel:shop.orders'));

    writeFileSync(join(root, 'warehouse', 'extra.sql'), 'CREATE TABLE shop.refunds (refund_id int PRIMARY KEY, order_id int REFERENCES shop.orders (order_id));\n');
    pipeline.handleEvent({ kind: 'save', path: join(root, 'warehouse', 'extra.sql') });
    await pipeline.flush();
    assert.equal(pipeline.store.entity('rel:shop.refunds')?.defined, true);
    assert.ok(pipeline.store.readersOf('rel:shop.orders').length > 0);
    assert.equal(pipeline.snapshot().latency.count, 1);

    unlinkSync(join(root, 'warehouse', 'extra.sql'));
    pipeline.handleEvent({ kind: 'delete', path: join(root, 'warehouse', 'extra.sql') });
    await pipeline.flush();
    assert.equal(pipeline.store.entity('rel:shop.refunds'), undefined);

    const again = await pipeline.ingestAll();
    assert.equal(again.parsed, 0);
    assert.equal(again.unchanged, 6);
  } finally {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a DDL change re-resolves the files that depend on it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-catalog-'));
  writeFileSync(join(root, 'ddl.sql'), 'CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n');
  writeFileSync(join(root, 'query.sql'), 'SELECT z FROM a, b;\n');
  const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 0, batcher: { realtime: true }, cache: false });
  try {
    await pipeline.ingestAll();
    // z belongs to neither known table: unresolved.
    assert.equal(pipeline.store.readersOf('col:public.b.z').length, 0);
    writeFileSync(join(root, 'ddl.sql'), 'CREATE TABLE a (x int);\nCREATE TABLE b (y int, z int);\n');
    pipeline.handleEvent({ kind: 'change', path: join(root, 'ddl.sql') });
    await pipeline.flush();
    assert.deepEqual(pipeline.store.readersOf('col:public.b.z').map((r) => r.file), ['query.sql']);
  } finally {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file over the parse budget gets a parse-timeout diagnostic and the rest of the workspace is ingested', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-timeout-'));
  const files = generateCorpus({ files: 60, seed: 3 });
  writeFileSync(join(root, 'huge.sql'), files.map((f) => f.text).join('\n'));
  writeFileSync(join(root, 'small.sql'), 'CREATE TABLE t (a int);\n');
  const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 1, taskTimeoutMs: 20, cache: false, storePath: ':memory:' });
  try {
    await pipeline.ingestAll();
    const huge = pipeline.store.file('huge.sql');
    assert.ok(huge?.diagnostics.some((d) => d.code === 'parse-timeout'), JSON.stringify(huge?.diagnostics));
    assert.ok(pipeline.store.entity('rel:public.t'));
    assert.ok((pipeline.snapshot().errorsByKind['parse-timeout'] ?? 0) >= 1);
  } finally {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test("a watcher's echo of a save is dropped at once; the same content after a delete is not an echo", async () => {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-echo-'));
  const file = join(root, 'a.sql');
  writeFileSync(file, 'CREATE TABLE echo_t (a int);\n');
  const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 0, cache: false, storePath: ':memory:' });
  try {
    await pipeline.ingestAll();
    pipeline.handleEvent({ kind: 'change', path: file });
    assert.equal(pipeline.snapshot().pendingEvents, 0, 'nothing new: not queued behind the 5 s watcher window');

    unlinkSync(file);
    pipeline.handleEvent({ kind: 'delete', path: file });
    writeFileSync(file, 'CREATE TABLE echo_t (a int);\n');
    pipeline.handleEvent({ kind: 'create', path: file });
    await pipeline.flush();
    assert.equal(pipeline.store.entity('rel:public.echo_t')?.defined, true);
  } finally {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a file guessed not to define relations that does (SELECT … INTO) still ends with the right graph', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-guess-'));
  writeFileSync(join(root, 'ddl.sql'), 'CREATE TABLE b (y int);\n');
  // Readers first in discovery order, so workers resolve many of them before the hidden definition is parsed.
  for (let i = 0; i < 40; i++) writeFileSync(join(root, `r${String(i).padStart(2, '0')}.sql`), `SELECT top, y FROM derived_t, b WHERE ${i} > 0;\n`);
  // The cheap guess misses this SELECT … INTO (a FROM comes first), so it is parsed late.
  writeFileSync(join(root, 'zz_hidden.sql'), 'SELECT (SELECT max(y) FROM b) AS top INTO derived_t;\n');
  const exports: string[] = [];
  try {
    for (const workers of [2, 0]) {
      rmSync(join(root, '.sqlgraph'), { recursive: true, force: true });
      const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers });
      try {
        const summary = await pipeline.ingestAll();
        assert.equal(summary.parsed, 42);
        const readers = pipeline.store.readersOf('col:public.derived_t.top').map((r) => r.file);
        assert.equal(new Set(readers).size, 40, `workers=${workers}: every reader attributes top to derived_t, got ${readers.length}`);
        exports.push(JSON.stringify(pipeline.store.exportAll()));
      } finally {
        await pipeline.close();
      }
    }
    assert.equal(exports[0], exports[1], 'resolving in workers and on the main thread give the same graph');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
