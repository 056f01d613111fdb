/**
 * The packed per-file rows and the postings behind the graph store, and the
 * store behaviours that depend on them: rollbacks inside a transaction, a
 * first load whose key cache is lost, and hub keys mentioned by more files
 * than the decoded-file cache holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entity, GraphFragment, Relationship } from '../../src/engine/model/graph.ts';
import type { Range } from '../../src/engine/model/range.ts';
import { TYPE } from '../../src/engine/store/codes.ts';
import { openGraphStore } from '../../src/engine/store/graphStore.ts';
import {
  E_KEY, E_PARENT, ENTITY_STRIDE, packContribution, R_CONFIDENCE, R_FROM, R_OPERATION, R_TO, RELATIONSHIP_STRIDE, renameKey, repackContribution,
  unpackContribution,
} from '../../src/engine/store/packedContribution.ts';
import { filesWithRole, mergePostings, onlyNewFiles, postingsBlob, unpackPostings } from '../../src/engine/store/postings.ts';
import { ROLE } from '../../src/engine/store/roles.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';

const META: FileMeta = { contentHash: 'h', dialect: 'generic', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };

function at(line: number, character = 0): Range {
  return { start: { line, character }, end: { line: line + 1, character: character + 300 } };
}

function interner(): { idOf: (key: string) => number; ids: Map<string, number> } {
  const ids = new Map<string, number>();
  return { ids, idOf: (key) => ids.get(key) ?? ids.set(key, 1000 + ids.size * 70_000).get(key)! };
}

describe('packed contributions', () => {
  const entities: Entity[] = [
    { key: 'rel:s.orders', kind: 'table', name: 'Orders', schema: 's', database: 'db', file: 'a.sql', range: at(1), defined: true },
    { key: 'col:s.orders.id', kind: 'column', name: 'id', parent: 'rel:s.orders', file: 'a.sql', range: at(200, 5), defined: false },
  ];
  const read: Relationship = { type: 'READS_FROM', from: 'file:a.sql', to: 'rel:s.orders', file: 'a.sql', range: at(3), confidence: 'low' };
  const write: Relationship = { type: 'WRITES_TO', from: 'file:a.sql', to: 'rel:s.orders', file: 'a.sql', range: at(4), confidence: 'high', operation: 'INSERT' };

  it('round-trips entities and relationships with global key ids, large values included', () => {
    const keys = interner();
    const { ids } = keys;
    const packed = packContribution(entities, [read, write], keys);
    const c = unpackContribution(packed.blob, packed.strings);
    assert.equal(c.entities.length, 2 * ENTITY_STRIDE);
    assert.equal(c.entities[E_KEY], ids.get('rel:s.orders'));
    assert.equal(c.entities[ENTITY_STRIDE + E_PARENT], ids.get('rel:s.orders'));
    assert.deepEqual([...c.entities.subarray(ENTITY_STRIDE + 7, ENTITY_STRIDE + 11)], [200, 5, 201, 305]);
    assert.equal(c.relationships.length, 2 * RELATIONSHIP_STRIDE);
    assert.equal(c.relationships[R_FROM], ids.get('file:a.sql'));
    assert.equal(c.relationships[R_OPERATION], -1);
    assert.equal(c.strings[c.relationships[RELATIONSHIP_STRIDE + R_OPERATION]!], 'INSERT');
    assert.deepEqual(packed.typeCounts[TYPE.code.get('WRITES_TO')!], 1);
  });

  it('records what the file does with each key as role bits', () => {
    const keys = interner();
    const { ids } = keys;
    const packed = packContribution(entities, [read, write], keys);
    const roles = new Map(packed.keyIds.map((id, i) => [id, packed.roles[i]!]));
    const reads = TYPE.code.get('READS_FROM')!;
    const writes = TYPE.code.get('WRITES_TO')!;
    assert.equal(roles.get(ids.get('rel:s.orders')!), ROLE.DEFINED | ROLE.PARENT | (ROLE.TO << reads) | (ROLE.TO << writes));
    assert.equal(roles.get(ids.get('col:s.orders.id')!), ROLE.REFERENCED);
    assert.equal(roles.get(ids.get('file:a.sql')!), (ROLE.FROM << reads) | (ROLE.FROM << writes));
  });

  it('keeps the first copy of a duplicated edge, upgraded to high confidence', () => {
    const keys = interner();
    const packed = packContribution([], [read, write, { ...read, confidence: 'high' }, read], keys);
    assert.equal(packed.relationshipCount, 2);
    const c = unpackContribution(packed.blob, packed.strings);
    assert.equal(c.relationships[R_TO], c.relationships[RELATIONSHIP_STRIDE + R_TO]);
    assert.equal(c.relationships[R_CONFIDENCE], 0, 'high');
    assert.equal(c.relationships[RELATIONSHIP_STRIDE + R_OPERATION], 0);
  });

  it('refuses values it cannot store rather than corrupting the row', () => {
    const keys = interner();
    assert.throws(() => packContribution([], [{ ...read, range: { start: { line: -1, character: 0 }, end: { line: 0, character: 0 } } }], keys), RangeError);
    assert.throws(() => packContribution([{ ...entities[0]!, kind: 'nope' as Entity['kind'] }], [], keys), TypeError);
  });

  it('repacks a renamed key, merging its roles with a key the file already had', () => {
    const keys = interner();
    const { ids } = keys;
    const packed = packContribution(entities, [read], keys);
    const c = unpackContribution(packed.blob, packed.strings);
    renameKey(c, ids.get('file:a.sql')!, ids.get('rel:s.orders')!);
    const again = repackContribution(c);
    assert.equal(again.keyIds.length, 2);
    const back = unpackContribution(again.blob, again.strings);
    assert.equal(back.relationships[R_FROM], ids.get('rel:s.orders'));
    const reads = TYPE.code.get('READS_FROM')!;
    assert.equal(again.roles[again.keyIds.indexOf(ids.get('rel:s.orders')!)], ROLE.DEFINED | ROLE.PARENT | (ROLE.TO << reads) | (ROLE.FROM << reads));
  });
});

describe('postings', () => {
  const words = (blob: Buffer | null) => [...unpackPostings(blob)];

  it('applies changes in order: a later change of a file overrides, roles 0 removes', () => {
    const stored = unpackPostings(mergePostings(new Uint32Array(0), [1, 3, 2, 4])).slice(); // the result shares memory with the next merge
    assert.deepEqual([...stored], [1, 3, 2, 4]);
    assert.deepEqual(words(mergePostings(stored, [1, 0, 5, 1, 5, 2])), [2, 4, 5, 2]);
    assert.deepEqual(words(mergePostings(stored, [1, 0, 1, 8])), [2, 4, 1, 8]);
    assert.equal(mergePostings(stored, [1, 0, 2, 0]), null);
  });

  it('appends changes that only add new files, byte for byte as the merge would', () => {
    const stored = new Uint32Array([3, 1, 9, 2, 4, 8]);
    const changes = [10, 1, 11, 6, 40, 2];
    assert.equal(onlyNewFiles(changes, 9), true);
    const merged = Buffer.from(mergePostings(stored, changes)!);
    assert.deepEqual(Buffer.concat([Buffer.from(stored.buffer), postingsBlob(changes)]), merged);
    assert.equal(onlyNewFiles(changes, 10), false, 'file 10 is not new');
    assert.equal(onlyNewFiles([10, 1, 11, 0], 9), false, 'roles 0 removes');
    assert.equal(onlyNewFiles([11, 1, 10, 1], 9), false, 'ids out of order');
    assert.equal(onlyNewFiles([10, 1, 10, 2], 9), false, 'a file changed twice');
  });

  it('handles many changes to one key (a hub touched by a whole batch)', () => {
    const changes: number[] = [];
    for (let f = 1; f <= 100; f++) changes.push(f, f);
    for (let f = 1; f <= 100; f += 2) changes.push(f, 0);
    const merged = unpackPostings(mergePostings(new Uint32Array([700, 1, 2, 9]), changes));
    assert.equal(merged.length, 2 + 100);
    assert.deepEqual(filesWithRole(merged, 1), [700]);
    const evens = Array.from({ length: 50 }, (_, i) => 2 * (i + 1));
    assert.deepEqual(filesWithRole(merged, ~0), [700, ...evens]);
  });
});

describe('graph store on packed rows', () => {
  function reader(path: string, table: string, line = 1): GraphFragment {
    return {
      entities: [{ key: `rel:${table}`, kind: 'table', name: table, file: path, range: at(line), defined: false }],
      relationships: [{ type: 'READS_FROM', from: `file:${path}`, to: `rel:${table}`, file: path, range: at(line), confidence: 'high' }],
    };
  }

  it('undoes exactly a failed inner transaction while the outer one goes on', () => {
    const store = openGraphStore(':memory:');
    const fresh = openGraphStore(':memory:');
    store.transaction(() => {
      store.applyFile('a.sql', reader('a.sql', 'hub'), META);
      assert.throws(() => store.transaction(() => {
        store.applyFile('b.sql', reader('b.sql', 'hub'), META);
        store.removeFile('a.sql');
        throw new Error('boom');
      }), /boom/);
      store.applyFile('c.sql', reader('c.sql', 'hub', 0), META);
    });
    fresh.applyFile('c.sql', reader('c.sql', 'hub', 0), META);
    fresh.applyFile('a.sql', reader('a.sql', 'hub'), META);
    assert.deepEqual(store.exportAll(), fresh.exportAll());
    assert.deepEqual(store.counts(), fresh.counts());
    assert.deepEqual(store.readersOf('rel:hub').map((r) => r.file), ['a.sql', 'c.sql']);
    assert.equal(store.file('b.sql'), undefined);
    store.close();
    fresh.close();
  });

  it('finds existing keys after a rollback during a first load, without duplicating them', () => {
    const store = openGraphStore(':memory:');
    store.applyFiles([{ path: 'a.sql', fragment: reader('a.sql', 'hub'), meta: META }]);
    const broken = { entities: [{ ...reader('x.sql', 'x').entities[0]!, name: null as unknown as string }], relationships: [] };
    assert.throws(() => store.applyFiles([{ path: 'x.sql', fragment: broken, meta: META }]));
    store.applyFiles([{ path: 'b.sql', fragment: reader('b.sql', 'hub'), meta: META }]);
    assert.deepEqual(store.exportAll().entities.map((e) => e.key), ['rel:hub']);
    assert.deepEqual(store.readersOf('rel:hub').map((r) => r.file), ['a.sql', 'b.sql']);
    assert.deepEqual(store.filesContributing(['rel:hub']), ['a.sql', 'b.sql']);
    store.close();
  });

  it('keeps the same postings whether files arrive in one transaction or one each (appends), with edits and removals between', () => {
    const batched = openGraphStore(':memory:');
    const oneByOne = openGraphStore(':memory:');
    const files = Array.from({ length: 40 }, (_, i) => `f${String(i).padStart(2, '0')}.sql`);
    const fragment = (path: string, i: number): GraphFragment => ({
      entities: [...reader(path, 'hub', i).entities, ...reader(path, `t${i % 3}`).entities],
      relationships: [...reader(path, 'hub', i).relationships, ...reader(path, `t${i % 3}`).relationships],
    });
    batched.applyFiles(files.map((path, i) => ({ path, fragment: fragment(path, i), meta: META })));
    files.forEach((path, i) => {
      oneByOne.applyFile(path, fragment(path, i), META);
      if (i === 20) oneByOne.removeFile(files[3]!);
      if (i === 30) oneByOne.applyFile(files[5]!, reader(files[5]!, 't1'), META);
    });
    batched.removeFile(files[3]!);
    batched.applyFile(files[5]!, reader(files[5]!, 't1'), META);
    for (const key of ['rel:hub', 'rel:t0', 'rel:t1', 'rel:t2']) {
      assert.deepEqual(oneByOne.readersOf(key).map((r) => r.file), batched.readersOf(key).map((r) => r.file), key);
      assert.deepEqual(oneByOne.filesContributing([key]), batched.filesContributing([key]), key);
      assert.deepEqual(oneByOne.entity(key), batched.entity(key), key);
    }
    assert.deepEqual(oneByOne.exportAll(), batched.exportAll());
    batched.close();
    oneByOne.close();
  });

  it('answers for a hub key mentioned by more files than the decoded-file cache holds', () => {
    const store = openGraphStore(':memory:');
    const files = Array.from({ length: 3000 }, (_, i) => `f${String(i).padStart(4, '0')}.sql`);
    store.applyFiles(files.map((path) => ({ path, fragment: reader(path, 'hub'), meta: META })));
    for (let round = 0; round < 2; round++) {
      const readers = store.readersOf('rel:hub');
      assert.equal(readers.length, files.length);
      assert.deepEqual(readers.map((r) => r.file), files);
    }
    // The winner is the smallest path; removing it makes the next one win.
    assert.equal(store.entity('rel:hub')?.file, files[0]);
    store.removeFile(files[0]!);
    assert.equal(store.entity('rel:hub')?.file, files[1]);
    const lineage = store.lineage('rel:hub', { direction: 'downstream', depth: 1 });
    assert.equal(lineage.nodes.length, files.length);
    assert.deepEqual(store.counts().relationships, { READS_FROM: files.length - 1 });
    store.close();
  });
});
