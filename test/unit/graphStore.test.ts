import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Entity, EntityKind, GraphFragment, Relationship, RelationshipType } from '../../src/engine/model/graph.ts';
import type { Range } from '../../src/engine/model/range.ts';
import { openGraphStore, type GraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileMeta } from '../../src/engine/store/types.ts';

function at(line: number, character = 0, length = 5): Range {
  return { start: { line, character }, end: { line, character: character + length } };
}

function entity(file: string, key: string, kind: EntityKind, defined: boolean, line = 0, extra: Partial<Entity> = {}): Entity {
  return { key, kind, name: key.replace(/^.*[.:]/, ''), file, range: at(line), defined, ...extra };
}

function rel(file: string, type: RelationshipType, from: string, to: string, line = 0, operation?: string): Relationship {
  const r: Relationship = { type, from, to, file, range: at(line), confidence: 'high' };
  if (operation) r.operation = operation;
  return r;
}

function meta(hash = 'h'): FileMeta {
  return { contentHash: hash, dialect: 'postgresql', statements: 1, parsed: 1, fallback: 0, diagnostics: [] };
}

/** `CREATE TABLE <name>` in `file`, optionally reading from other relations. */
function defining(file: string, name: string, reads: string[] = []): GraphFragment {
  const key = `rel:${name}`;
  return {
    entities: [entity(file, key, 'table', true, 1), ...reads.map((r, i) => entity(file, `rel:${r}`, 'table', false, 2 + i))],
    relationships: [
      rel(file, 'DEFINES', `file:${file}`, key, 1),
      ...reads.map((r, i) => rel(file, 'READS_FROM', key, `rel:${r}`, 2 + i)),
    ],
  };
}

function withStore(test: (store: GraphStore) => void): () => void {
  return () => {
    const store = openGraphStore(':memory:');
    try {
      test(store);
    } finally {
      store.close();
    }
  };
}

describe('graph store: applying files', () => {
  it('replaces a file atomically: nothing of v1 remains after v2', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders', ['customers']), meta('v1'));
    store.applyFile('a.sql', defining('a.sql', 'invoices', ['payments']), meta('v2'));
    const all = store.exportAll();
    assert.deepEqual(all.entities.map((e) => e.key), ['rel:invoices', 'rel:payments']);
    assert.ok(all.relationships.every((r) => !r.to.includes('orders') && !r.to.includes('customers')));
    assert.equal(all.relationships.length, 2);
    assert.equal(store.file('a.sql')?.contentHash, 'v2');
    assert.deepEqual(store.counts(), { entities: { table: 2 }, relationships: { DEFINES: 1, READS_FROM: 1 }, files: 1 });
  }));

  it('rolls back a failing batch completely', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders'), meta('v1'));
    const before = store.exportAll();
    const broken = { entities: [{ ...entity('b.sql', 'rel:x', 'table', true), name: null as unknown as string }], relationships: [] };
    assert.throws(() =>
      store.applyFiles([
        { path: 'a.sql', fragment: defining('a.sql', 'other'), meta: meta('v2') },
        { path: 'b.sql', fragment: broken, meta: meta() },
      ]),
    );
    assert.deepEqual(store.exportAll(), before);
    assert.equal(store.file('a.sql')?.contentHash, 'v1');
    store.applyFile('c.sql', defining('c.sql', 'later'), meta());
    assert.ok(store.entity('rel:later'), 'the store stays usable after a rollback');
  }));

  it('keeps an entity referenced by two files until both stop contributing it', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders', ['customers']), meta());
    store.applyFile('b.sql', defining('b.sql', 'invoices', ['customers']), meta());
    assert.equal(store.removeFile('a.sql'), true);
    assert.equal(store.entity('rel:customers')?.file, 'b.sql');
    assert.equal(store.entity('rel:orders'), undefined);
    store.removeFile('b.sql');
    assert.deepEqual(store.exportAll(), { entities: [], relationships: [] });
    assert.equal(store.removeFile('b.sql'), false);
  }));

  it('lets the definition win over references, whatever the apply order', () => {
    const fragments: Array<[string, GraphFragment]> = [
      ['b.sql', defining('b.sql', 'customers')],
      ['a.sql', defining('a.sql', 'orders', ['customers'])],
      ['c.sql', defining('c.sql', 'invoices', ['customers', 'orders'])],
      ['d.sql', defining('d.sql', 'orders')], // a second definition: the smaller path wins
    ];
    const exports = [fragments, [...fragments].reverse(), [fragments[2]!, fragments[0]!, fragments[3]!, fragments[1]!]].map((order) => {
      const store = openGraphStore(':memory:');
      for (const [path, fragment] of order) store.applyFile(path, fragment, meta());
      const result = store.exportAll();
      assert.equal(store.definitionOf('rel:customers')?.file, 'b.sql');
      assert.deepEqual(store.definitionsOf('rel:orders').map((d) => d.file), ['a.sql', 'd.sql']);
      store.close();
      return result;
    });
    assert.deepEqual(exports[1], exports[0]);
    assert.deepEqual(exports[2], exports[0]);
    const customers = exports[0]!.entities.find((e) => e.key === 'rel:customers');
    assert.deepEqual(customers, { key: 'rel:customers', kind: 'table', name: 'customers', file: 'b.sql', range: at(1), defined: true });
    assert.equal(exports[0]!.entities.find((e) => e.key === 'rel:orders')?.file, 'a.sql');
  });

  it('breaks ties between references by file path then range', withStore((store) => {
    store.applyFile('z.sql', { entities: [entity('z.sql', 'rel:t', 'table', false, 0)], relationships: [] }, meta());
    store.applyFile('m.sql', { entities: [entity('m.sql', 'rel:t', 'view', false, 9)], relationships: [] }, meta());
    assert.equal(store.entity('rel:t')?.file, 'm.sql');
    assert.equal(store.entity('rel:t')?.kind, 'view');
    assert.equal(store.definitionOf('rel:t'), undefined);
    // Duplicates inside one fragment: the definition, then the earlier range, is kept.
    store.applyFile('m.sql', {
      entities: [entity('m.sql', 'rel:t', 'table', false, 3), entity('m.sql', 'rel:t', 'view', true, 7), entity('m.sql', 'rel:t', 'table', true, 5)],
      relationships: [],
    }, meta());
    assert.deepEqual(store.entity('rel:t'), { key: 'rel:t', kind: 'table', name: 't', file: 'm.sql', range: at(5), defined: true });
    assert.equal(store.fileContribution('m.sql')?.entities.length, 1);
  }));

  it('keeps one copy of a duplicated edge, preferring the parsed one', withStore((store) => {
    const low: Relationship = { ...rel('a.sql', 'READS_FROM', 'file:a.sql', 'rel:t', 2), confidence: 'low' };
    store.applyFile('a.sql', { entities: [], relationships: [low, rel('a.sql', 'READS_FROM', 'file:a.sql', 'rel:t', 2), low] }, meta());
    assert.deepEqual(store.exportAll().relationships, [rel('a.sql', 'READS_FROM', 'file:a.sql', 'rel:t', 2)]);
    assert.equal(store.file('a.sql')?.relationshipCount, 1);
  }));

  it('returns a file contribution and the file listing', withStore((store) => {
    const fragment = defining('a.sql', 'orders', ['customers']);
    fragment.entities.push(entity('a.sql', 'col:orders.id', 'column', true, 1, { parent: 'rel:orders', schema: 'public', database: 'shop' }));
    fragment.relationships.push(rel('a.sql', 'HAS_COLUMN', 'rel:orders', 'col:orders.id', 1));
    const diagnostics: FileMeta['diagnostics'] = [{ severity: 'warning', code: 'fallback-extraction', message: 'm', range: at(4) }];
    store.applyFile('a.sql', fragment, { ...meta('abc'), statements: 3, parsed: 2, fallback: 1, diagnostics });
    const back = store.fileContribution('a.sql');
    assert.deepEqual(back?.relationships, fragment.relationships);
    assert.deepEqual(back?.entities, [...fragment.entities].sort((a, b) => (a.key < b.key ? -1 : 1)));
    assert.equal(store.fileContribution('nope.sql'), undefined);
    const [file] = store.files();
    assert.deepEqual({ ...file, updatedAt: 0 }, {
      path: 'a.sql', contentHash: 'abc', dialect: 'postgresql', statements: 3, parsed: 2, fallback: 1, diagnostics,
      entityCount: 3, relationshipCount: 3, updatedAt: 0,
    });
    assert.deepEqual(store.childrenOf('rel:orders').map((e) => e.key), ['col:orders.id']);
    assert.deepEqual(store.entitiesOfKind('table').map((e) => e.key), ['rel:customers', 'rel:orders']);
  }));
});

describe('graph store: incremental merge and bulk load', () => {
  it('orders paths by code point, as SQLite does, whichever way the winner is found', () => {
    // UTF-16 order puts the surrogate pair first; code point (and UTF-8 byte) order puts U+FF00 first.
    const low = 'a\uFF00.sql';
    const high = 'a\u{1F600}.sql';
    const ref = (file: string): GraphFragment => ({ entities: [entity(file, 'rel:t', 'table', false, 0)], relationships: [] });
    for (const order of [[low, high], [high, low]]) {
      const store = openGraphStore(':memory:');
      for (const file of order) store.applyFile(file, ref(file), meta());
      assert.equal(store.entity('rel:t')?.file, low, `applied ${order.join(' then ')}`);
      store.applyFile(low, ref(low), meta('again')); // re-applying the winner recomputes from all sources
      assert.equal(store.entity('rel:t')?.file, low);
      store.removeFile(low);
      assert.equal(store.entity('rel:t')?.file, high);
      store.close();
    }
  });

  it('answers relationship queries after a first load that deferred their indexes', withStore((store) => {
    store.applyFiles([
      { path: 'a.sql', fragment: defining('a.sql', 'orders', ['customers']), meta: meta() },
      { path: 'b.sql', fragment: defining('b.sql', 'invoices', ['customers']), meta: meta() },
    ]);
    store.applyFile('c.sql', defining('c.sql', 'refunds', ['customers']), meta());
    assert.deepEqual(store.readersOf('rel:customers').map((r) => r.file), ['a.sql', 'b.sql', 'c.sql']);
    store.applyFile('d.sql', defining('d.sql', 'payments', ['customers']), meta());
    assert.deepEqual(store.readersOf('rel:customers').map((r) => r.from), ['rel:orders', 'rel:invoices', 'rel:refunds', 'rel:payments']);
    assert.equal(store.lineage('rel:customers', { direction: 'downstream', depth: 1 }).nodes.length, 5);
  }));

  it('keeps each file contribution intact when files are replaced in between', withStore((store) => {
    for (let round = 0; round < 3; round++) {
      for (const file of ['a.sql', 'b.sql', 'c.sql']) store.applyFile(file, defining(file, `${file[0]}${round}`, ['shared', `x${round}`]), meta());
    }
    for (const file of ['a.sql', 'b.sql', 'c.sql']) {
      assert.deepEqual(store.fileContribution(file), defining(file, `${file[0]}2`, ['shared', 'x2']), file);
    }
    assert.deepEqual(store.filesContributing(['rel:shared', 'rel:x1']), ['a.sql', 'b.sql', 'c.sql']);
    assert.deepEqual(store.filesContributing(['rel:x1']), []);
  }));
});

describe('graph store: remove and rename', () => {
  it('renames a file, rewriting provenance and the file actor key', withStore((store) => {
    store.applyFile('old.sql', defining('old.sql', 'orders', ['customers']), meta('x'));
    store.applyFile('other.sql', defining('other.sql', 'customers'), meta());
    assert.equal(store.renameFile('old.sql', 'new.sql'), true);
    const fresh = openGraphStore(':memory:');
    fresh.applyFile('new.sql', defining('new.sql', 'orders', ['customers']), meta('x'));
    fresh.applyFile('other.sql', defining('other.sql', 'customers'), meta());
    assert.deepEqual(store.exportAll(), fresh.exportAll());
    assert.equal(store.file('old.sql'), undefined);
    assert.equal(store.file('new.sql')?.contentHash, 'x');
    assert.equal(store.exportAll().relationships.filter((r) => r.from === 'file:old.sql').length, 0);
    assert.equal(store.renameFile('missing.sql', 'x.sql'), false);
    fresh.close();
  }));

  it('renames over an existing path, replacing its contribution', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders'), meta('a'));
    store.applyFile('b.sql', defining('b.sql', 'invoices'), meta('b'));
    store.renameFile('a.sql', 'b.sql');
    const fresh = openGraphStore(':memory:');
    fresh.applyFile('b.sql', defining('b.sql', 'orders'), meta('a'));
    assert.deepEqual(store.exportAll(), fresh.exportAll());
    assert.deepEqual(store.files().map((f) => [f.path, f.contentHash]), [['b.sql', 'a']]);
    fresh.close();
  }));

  it('re-picks the merged winner when a rename changes the path order', withStore((store) => {
    store.applyFile('b.sql', { entities: [entity('b.sql', 'rel:t', 'table', false, 0)], relationships: [] }, meta());
    store.applyFile('c.sql', { entities: [entity('c.sql', 'rel:t', 'table', false, 0)], relationships: [] }, meta());
    assert.equal(store.entity('rel:t')?.file, 'b.sql');
    store.renameFile('c.sql', 'a.sql');
    assert.equal(store.entity('rel:t')?.file, 'a.sql');
  }));
});

describe('graph store: pending changes for the sync', () => {
  it('marks every change with a rising version and clears only on a matching ack', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders'), meta());
    store.applyFile('b.sql', defining('b.sql', 'invoices'), meta());
    const first = store.pendingFiles(10);
    assert.deepEqual(first.map((p) => [p.path, p.removed]), [['a.sql', false], ['b.sql', false]]);
    assert.ok(first[0]!.version < first[1]!.version);
    // An edit lands while the sync is pushing a.sql's old state.
    store.applyFile('a.sql', defining('a.sql', 'orders2'), meta());
    assert.equal(store.acknowledge('a.sql', first[0]!.version), false);
    assert.equal(store.acknowledge('b.sql', first[1]!.version), true);
    assert.equal(store.pendingCount(), 1);
    const [again] = store.pendingFiles(10);
    assert.ok(again!.version > first[1]!.version);
    assert.equal(store.acknowledge('a.sql', again!.version), true);
    assert.equal(store.pendingCount(), 0);
  }));

  it('keeps removed and renamed-away files as tombstones until acknowledged', withStore((store) => {
    store.applyFiles([
      { path: 'a.sql', fragment: defining('a.sql', 'orders'), meta: meta() },
      { path: 'b.sql', fragment: defining('b.sql', 'invoices'), meta: meta() },
    ]);
    for (const p of store.pendingFiles()) store.acknowledge(p.path, p.version);
    store.removeFile('a.sql');
    store.renameFile('b.sql', 'c.sql');
    const pending = store.pendingFiles();
    assert.deepEqual(pending.map((p) => [p.path, p.removed]), [['a.sql', true], ['b.sql', true], ['c.sql', false]]);
    assert.deepEqual(store.pendingFiles(1).map((p) => p.path), ['a.sql']);
    store.clear();
    assert.deepEqual(store.pendingFiles().map((p) => [p.path, p.removed]), [['a.sql', true], ['b.sql', true], ['c.sql', true]]);
    assert.deepEqual(store.counts(), { entities: {}, relationships: {}, files: 0 });
  }));
});

describe('graph store: queries', () => {
  /**
   * raw -> stage (view) -> mart (view); load_proc reads stage, writes raw
   * (a cycle); report.sql's file actor reads mart.
   */
  function lineageStore(): GraphStore {
    const store = openGraphStore(':memory:');
    store.applyFile('raw.sql', defining('raw.sql', 'raw'), meta());
    store.applyFile('stage.sql', defining('stage.sql', 'stage', ['raw']), meta());
    store.applyFile('mart.sql', defining('mart.sql', 'mart', ['stage']), meta());
    store.applyFile('load.sql', {
      entities: [entity('load.sql', 'proc:load_proc', 'procedure', true, 1), entity('load.sql', 'rel:stage', 'table', false, 2), entity('load.sql', 'rel:raw', 'table', false, 3)],
      relationships: [
        rel('load.sql', 'READS_FROM', 'proc:load_proc', 'rel:stage', 2),
        rel('load.sql', 'WRITES_TO', 'proc:load_proc', 'rel:raw', 3, 'INSERT'),
        rel('load.sql', 'WRITES_TO', 'proc:load_proc', 'rel:raw', 4, 'DELETE'),
      ],
    }, meta());
    store.applyFile('report.sql', {
      entities: [entity('report.sql', 'rel:mart', 'table', false, 1)],
      relationships: [rel('report.sql', 'READS_FROM', 'file:report.sql', 'rel:mart', 1)],
    }, meta());
    return store;
  }

  it('answers readers and writers with operation and location', () => {
    const store = lineageStore();
    assert.deepEqual(store.readersOf('rel:stage').map((r) => [r.from, r.file]), [['proc:load_proc', 'load.sql'], ['rel:mart', 'mart.sql']]);
    assert.deepEqual(store.writersOf('rel:raw').map((r) => [r.from, r.operation, r.range.start.line]), [
      ['proc:load_proc', 'INSERT', 3],
      ['proc:load_proc', 'DELETE', 4],
    ]);
    assert.deepEqual(store.writersOf('rel:mart'), []);
    store.close();
  });

  it('walks lineage downstream and upstream within the depth, through a cycle', () => {
    const store = lineageStore();
    const down1 = store.lineage('rel:raw', { direction: 'downstream', depth: 1 });
    assert.deepEqual(down1.nodes.map((n) => [n.key, n.depth]), [['rel:raw', 0], ['rel:stage', 1]]);
    const down = store.lineage('rel:raw', { direction: 'downstream', depth: 10 });
    assert.deepEqual(down.nodes.map((n) => [n.key, n.depth]), [
      ['rel:raw', 0], ['rel:stage', 1], ['proc:load_proc', 2], ['rel:mart', 2], ['file:report.sql', 3],
    ]);
    assert.equal(down.nodes.find((n) => n.key === 'file:report.sql')?.entity, undefined);
    assert.equal(down.nodes.find((n) => n.key === 'rel:mart')?.entity?.defined, true);
    // The cycle closes: load_proc writes raw (twice), and the walk still ends.
    assert.equal(down.edges.filter((e) => e.type === 'WRITES_TO' && e.to === 'rel:raw').length, 2);
    assert.equal(down.truncated, false);

    const up = store.lineage('file:report.sql', { direction: 'upstream', depth: 2 });
    assert.deepEqual(up.nodes.map((n) => [n.key, n.depth]), [['file:report.sql', 0], ['rel:mart', 1], ['rel:stage', 2]]);
    const upAll = store.lineage('rel:raw', { direction: 'upstream', depth: 5 });
    assert.deepEqual(upAll.nodes.map((n) => n.key), ['rel:raw', 'proc:load_proc', 'rel:stage']);
    const readsOnly = store.lineage('rel:raw', { direction: 'upstream', depth: 5, types: ['READS_FROM'] });
    assert.deepEqual(readsOnly.nodes.map((n) => n.key), ['rel:raw']);
    const capped = store.lineage('rel:raw', { direction: 'downstream', depth: 10, maxNodes: 2 });
    assert.equal(capped.nodes.length, 2);
    assert.equal(capped.truncated, true);
    assert.equal(store.lineage('rel:raw', { direction: 'downstream', depth: 0 }).nodes.length, 1);
    store.close();
  });

  it('finds entities by name, case-insensitively, exact matches first', withStore((store) => {
    store.applyFile('a.sql', {
      entities: [
        entity('a.sql', 'rel:Orders', 'table', true, 1),
        entity('a.sql', 'rel:order_items', 'table', true, 2),
        entity('a.sql', 'rel:ÄRGER', 'view', true, 3),
        entity('a.sql', 'col:Orders.order_id', 'column', true, 4, { parent: 'rel:Orders' }),
        entity('a.sql', 'rel:customers', 'table', true, 5),
      ],
      relationships: [],
    }, meta());
    assert.deepEqual(store.findEntities('ORDERS').map((e) => e.key), ['rel:Orders']);
    assert.deepEqual(store.findEntities('order').map((e) => e.key), ['col:Orders.order_id', 'rel:order_items', 'rel:Orders']);
    assert.deepEqual(store.findEntities('order', { kind: 'table' }).map((e) => e.key), ['rel:order_items', 'rel:Orders']);
    assert.deepEqual(store.findEntities('order', { limit: 1 }).map((e) => e.key), ['col:Orders.order_id']);
    assert.deepEqual(store.findEntities('order', { match: 'exact' }), []);
    assert.deepEqual(store.findEntities('ärg').map((e) => e.key), ['rel:ÄRGER']);
    assert.deepEqual(store.findEntities('x%'), []);
  }));
});

describe('graph store: rehearsing an apply', () => {
  it('writes nothing and interns no key, and the real apply afterwards is unaffected', withStore((store) => {
    store.applyFile('a.sql', defining('a.sql', 'orders', ['customers']), meta('v1'));
    for (const p of store.pendingFiles()) store.acknowledge(p.path, p.version);
    const before = store.exportAll();
    const edited = defining('a.sql', 'orders', ['customers', 'brand_new_relation']);

    store.rehearseApply({ path: 'a.sql', fragment: edited, meta: meta('v2') });
    store.rehearseApply({ path: 'unknown.sql', fragment: defining('unknown.sql', 'x'), meta: meta() });
    assert.deepEqual(store.exportAll(), before);
    assert.equal(store.pendingCount(), 0);
    assert.equal(store.file('a.sql')?.contentHash, 'v1');
    assert.equal(store.entity('rel:brand_new_relation'), undefined);
    assert.equal(store.file('unknown.sql'), undefined);

    store.applyFile('a.sql', edited, meta('v2'));
    assert.equal(store.entity('rel:brand_new_relation')?.file, 'a.sql');
    assert.deepEqual(store.counts(), { entities: { table: 3 }, relationships: { DEFINES: 1, READS_FROM: 2 }, files: 1 });
    assert.equal(store.pendingCount(), 1);
  }));
});
