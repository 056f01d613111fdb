/**
 * Edits to one large file (statement cache, resolve memo, the store's diff
 * replace all in play) must leave the graph equal to a from-scratch ingest of
 * the same folder: a changed WHERE clause, a DDL change that moves the
 * catalog, lines inserted at the top (every statement moves), statements
 * deleted, keys gone, and another file's DDL changing under the large file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';

function bigFile(): string {
  const parts: string[] = ['CREATE TABLE big_a (id INT PRIMARY KEY, name TEXT, amount INT);'];
  for (let i = 0; i < 400; i++) {
    parts.push(`INSERT INTO log_${i % 23} (id, note) SELECT a.id, o.note FROM big_a a JOIN other_t o ON o.id = a.id WHERE a.amount > ${i};`);
    if (i % 40 === 0) parts.push(`CREATE VIEW v_${i} AS SELECT * FROM big_a;`);
  }
  return `${parts.join('\n')}\n`;
}

/**
 * A from-scratch ingest in another process: resolve memos are per process
 * and keyed by path, so one here would share big.sql's memo with the
 * pipeline under test and could repeat its mistakes.
 */
function fromScratch(root: string): unknown {
  const script = `
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    import { IngestPipeline } from ${JSON.stringify(new URL('../../src/engine/pipeline/ingestPipeline.ts', import.meta.url).href)};
    const state = mkdtempSync(join(tmpdir(), 'sqlgraph-scratch-'));
    const pipeline = await IngestPipeline.open({ root: process.argv[1], dialect: 'postgresql', workers: 0, storePath: join(state, 'graph.db'), cache: false });
    await pipeline.ingestAll();
    process.stdout.write(JSON.stringify({ all: pipeline.store.exportAll(), counts: pipeline.store.counts() }));
    await pipeline.close();
    rmSync(state, { recursive: true, force: true });`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, root], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }));
}

test('edits to a large file converge to a from-scratch ingest', async () => {
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-bigedit-'));
  const state = mkdtempSync(join(tmpdir(), 'sqlgraph-bigedit-state-'));
  const big = join(root, 'big.sql');
  const other = join(root, 'other.sql');
  writeFileSync(big, bigFile());
  writeFileSync(other, 'CREATE TABLE other_t (id INT, note TEXT);\n');
  assert.ok(readFileSync(big).length > 32 * 1024, 'large enough for the statement cache');
  const pipeline = await IngestPipeline.open({
    root, dialect: 'postgresql', workers: 1, storePath: join(state, 'graph.db'), cache: { path: join(state, 'cache.db') }, batcher: { realtime: true },
  });
  const edits: [string, string, (text: string) => string][] = [
    ['a WHERE clause', big, (t) => t.replace('a.amount > 200;', 'a.amount > 200 AND a.name = a.name;')],
    ['a DDL column', big, (t) => t.replace('name TEXT, amount INT', 'name TEXT, amount INT, note TEXT')],
    ['lines at the top', big, (t) => `-- moved\n\n${t}`],
    ['a statement deleted', big, (t) => t.replace(/INSERT INTO log_3 [^;]*a\.amount > 3;\n/, '')],
    ['a view deleted, a table renamed', big, (t) => t.replace('CREATE VIEW v_40 AS SELECT * FROM big_a;\n', '').replaceAll('log_22 ', 'log_x ')],
    ['another file\'s DDL', other, () => 'CREATE TABLE other_t (id INT, note TEXT, extra INT);\n'],
    ['a WHERE clause again', big, (t) => t.replace('a.amount > 200 AND', 'a.amount > 201 AND')],
  ];
  try {
    await pipeline.ingestAll();
    for (const [what, path, edit] of edits) {
      writeFileSync(path, edit(readFileSync(path, 'utf8')));
      pipeline.handleEvent({ kind: 'save', path });
      await pipeline.flush();
      const actual: unknown = JSON.parse(JSON.stringify({ all: pipeline.store.exportAll(), counts: pipeline.store.counts() }));
      assert.deepEqual(actual, fromScratch(root), what);
    }
  } finally {
    await pipeline.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(state, { recursive: true, force: true });
  }
});
