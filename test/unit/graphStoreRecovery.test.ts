import assert from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { GraphFragment } from '../../src/engine/model/graph.ts';
import { openGraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';

const META: FileMeta = { contentHash: 'h', dialect: 'generic', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };

function tableFile(path: string, name: string): GraphFragment {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 9 } };
  return {
    entities: [{ key: `rel:${name}`, kind: 'table', name, file: path, range, defined: true }],
    relationships: [{ type: 'DEFINES', from: `file:${path}`, to: `rel:${name}`, file: path, range, confidence: 'high' }],
  };
}

describe('graph store on disk', () => {
  let dir = '';
  let path = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlgraph-store-'));
    path = join(dir, 'graph.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data, pending marks and the version counter across reopen', () => {
    let store = openGraphStore(path);
    assert.equal(store.recovered, false);
    store.applyFile('a.sql', tableFile('a.sql', 'orders'), META);
    const [first] = store.pendingFiles();
    store.acknowledge('a.sql', first!.version);
    store.close();
    store = openGraphStore(path);
    assert.equal(store.recovered, false);
    assert.equal(store.entity('rel:orders')?.file, 'a.sql');
    assert.equal(store.pendingCount(), 0);
    store.applyFile('b.sql', tableFile('b.sql', 'items'), META);
    assert.ok(store.pendingFiles()[0]!.version > first!.version, 'versions never repeat after a reopen');
    assert.equal(store.acknowledge('a.sql', first!.version), false);
    store.close();
  });

  it('restores the entity indexes a first load deferred, even if it never queried them', () => {
    let store = openGraphStore(path);
    store.applyFiles(Array.from({ length: 20 }, (_, i) => ({ path: `f${i}.sql`, fragment: tableFile(`f${i}.sql`, `t${i}`), meta: META })));
    store.close();
    const db = new Database(path);
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entities' ORDER BY name").pluck();
    assert.deepEqual(indexes.all(), [], 'the bulk load committed without them');
    db.close();
    store = openGraphStore(path);
    assert.equal(store.recovered, false);
    store.close();
    const reopened = new Database(path);
    assert.deepEqual(reopened.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'entities' ORDER BY name").pluck().all(),
      ['entities_by_kind', 'entities_by_name', 'entities_by_parent']);
    reopened.close();
  });

  it('moves a file that is not a database aside and starts empty', () => {
    writeFileSync(path, 'this is not a database, just some text that is long enough to look like a header'.repeat(100));
    const store = openGraphStore(path);
    assert.equal(store.recovered, true);
    assert.equal(store.recovery?.reason, 'corrupt');
    assert.ok(store.recovery?.movedTo && readFileSync(store.recovery.movedTo, 'utf8').startsWith('this is not a database'));
    store.applyFile('a.sql', tableFile('a.sql', 'orders'), META);
    assert.equal(store.counts().files, 1);
    store.close();
  });

  it('rebuilds a store whose pages are damaged', () => {
    let store = openGraphStore(path);
    store.applyFiles(Array.from({ length: 400 }, (_, i) => ({ path: `f${i}.sql`, fragment: tableFile(`f${i}.sql`, `t${i}`), meta: META })));
    store.close();
    assert.equal(existsSync(`${path}-wal`), false, 'closing checkpoints the WAL');
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    // Scribble over the middle pages, leaving the header intact.
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    closeSync(fd);
    store = openGraphStore(path);
    assert.equal(store.recovered, true);
    assert.equal(store.recovery?.reason, 'corrupt');
    assert.deepEqual(store.counts(), { entities: {}, relationships: {}, files: 0 });
    store.close();
  });

  it('moves aside a foreign SQLite database or an older schema', () => {
    const foreign = new Database(path);
    foreign.exec('CREATE TABLE mine (x)');
    foreign.close();
    let store = openGraphStore(path);
    assert.equal(store.recovery?.reason, 'schema-mismatch');
    const movedTo = store.recovery?.movedTo ?? '';
    const kept = new Database(movedTo);
    assert.deepEqual(kept.prepare('SELECT name FROM sqlite_master').pluck().all(), ['mine']);
    kept.close();
    store.close();

    const old = new Database(path);
    old.pragma('user_version = 999');
    old.close();
    store = openGraphStore(path);
    assert.equal(store.recovery?.reason, 'schema-mismatch');
    store.close();
  });
});
