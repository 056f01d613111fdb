/**
 * The pipeline keeps every graph update when its parse cache or graph store
 * is damaged, read-only or locked: it warns once and carries on.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../scripts/accuracy/corpus.ts';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';
import type { PipelineOptions } from '../../src/engine/pipeline/pipelineOptions.ts';

function workspace(): string {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-degrade-'));
  cpSync(join(REPO_ROOT, 'samples', 'workspace'), root, { recursive: true });
  rmSync(join(root, '.sqlgraph'), { recursive: true, force: true });
  return root;
}

async function ingest(root: string, extra: Partial<PipelineOptions> = {}): Promise<{ graph: string; warnings: string[]; cacheEnabled: boolean | undefined }> {
  const warnings: string[] = [];
  const pipeline = await IngestPipeline.open({ root, dialect: 'auto', workers: 0, log: (level, m) => level !== 'info' && warnings.push(m), ...extra });
  try {
    await pipeline.ingestAll();
    return { graph: JSON.stringify(pipeline.store.exportAll()), warnings, cacheEnabled: pipeline.cache?.stats().enabled };
  } finally {
    await pipeline.close();
  }
}

async function reference(): Promise<string> {
  const root = workspace();
  try {
    return (await ingest(root, { cache: false, storePath: ':memory:' })).graph;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

test('a corrupt cache file is moved aside and the graph is complete', async () => {
  const root = workspace();
  try {
    mkdirSync(join(root, '.sqlgraph'));
    writeFileSync(join(root, '.sqlgraph', 'cache.db'), 'this is not a database '.repeat(100));
    const { graph, warnings, cacheEnabled } = await ingest(root, { storePath: ':memory:' });
    assert.equal(graph, await reference());
    assert.ok(warnings.some((w) => /corrupt|not a database|moved/i.test(w)), warnings.join('\n'));
    assert.equal(cacheEnabled, true, 'rebuilt, not abandoned');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a cache that cannot be written (its folder is a file) runs without cache, warns once, loses nothing', async () => {
  const root = workspace();
  try {
    writeFileSync(join(root, 'not-a-folder'), 'x');
    const { graph, warnings } = await ingest(root, { storePath: ':memory:', cache: { path: join(root, 'not-a-folder', 'cache.db') } });
    assert.equal(graph, await reference());
    assert.equal(warnings.filter((w) => w.startsWith('parse cache')).length, 1, warnings.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a cache locked by another process costs misses, not waits, and loses nothing', async () => {
  const root = workspace();
  const dbPath = join(root, '.sqlgraph', 'cache.db');
  try {
    await ingest(root, { storePath: ':memory:' }); // creates the cache
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import Database from 'better-sqlite3'; const db = new Database(${JSON.stringify(dbPath)}); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked\\n'); setTimeout(() => process.exit(0), 20000);`,
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
    try {
      const started = performance.now();
      const { graph } = await ingest(root, { storePath: ':memory:' });
      const seconds = (performance.now() - started) / 1000;
      assert.equal(graph, await reference());
      assert.ok(seconds < 10, `took ${seconds} s with the cache locked`);
    } finally {
      holder.kill();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a corrupt graph store is moved aside and rebuilt by re-ingesting', async () => {
  const root = workspace();
  try {
    mkdirSync(join(root, '.sqlgraph'));
    writeFileSync(join(root, '.sqlgraph', 'graph.db'), Buffer.alloc(8192, 0x5a));
    const { graph, warnings } = await ingest(root, { cache: false });
    assert.equal(graph, await reference());
    assert.ok(warnings.some((w) => w.startsWith('graph store')), warnings.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
