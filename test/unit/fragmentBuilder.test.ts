import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FragmentBuilder, relationshipId } from '../../src/engine/extract/fragmentBuilder.ts';
import { mergeFragments } from '../../src/engine/extract/merge.ts';
import type { Relationship } from '../../src/engine/model/graph.ts';

const at = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 9 } });

void test('relate keeps one relationship per type, ends, range and operation, in first-seen order', () => {
  const b = new FragmentBuilder('f.sql');
  b.relate('READS_FROM', 'file:f.sql', 'rel:a', at(1), 'high');
  b.relate('READS_FROM', 'file:f.sql', 'rel:a', at(1), 'low'); // same edge (equal range, another object)
  b.relate('READS_FROM', 'file:f.sql', 'rel:a', at(2), 'high');
  b.relate('WRITES_TO', 'file:f.sql', 'rel:a', at(1), 'high', 'INSERT');
  b.relate('WRITES_TO', 'file:f.sql', 'rel:a', at(1), 'high', 'UPDATE');
  b.relate('WRITES_TO', 'file:f.sql', 'rel:a', at(1), 'high', 'INSERT');
  b.relate('READS_FROM', 'file:f.sql', 'rel:b', at(1), 'high');
  b.relate('DEPENDS_ON', 'rel:v', 'rel:a', at(1), 'high', '');
  b.relate('DEPENDS_ON', 'rel:v', 'rel:a', at(1), 'high');
  const rels = b.result().relationships;
  assert.deepEqual(
    rels.map((r) => `${r.type} ${r.from}>${r.to} ${r.range.start.line} ${r.operation ?? '-'} ${r.confidence}`),
    ['READS_FROM file:f.sql>rel:a 1 - high', 'READS_FROM file:f.sql>rel:a 2 - high', 'WRITES_TO file:f.sql>rel:a 1 INSERT high', 'WRITES_TO file:f.sql>rel:a 1 UPDATE high', 'READS_FROM file:f.sql>rel:b 1 - high', 'DEPENDS_ON rel:v>rel:a 1 - high'],
  );
  assert.ok(!('operation' in (rels[5] as Relationship)));
});

void test('column keys are built once per relation and column, and escape dots', () => {
  const b = new FragmentBuilder('f.sql');
  const k1 = b.column('rel:s.t', 'a.b', 'A.B', at(0), false);
  const k2 = b.column('rel:s.t', 'a.b', 'a.b', at(3), true);
  assert.equal(k1, 'col:s.t.a\\.b');
  assert.equal(k2, k1);
  const [entity] = b.result().entities;
  // The definition replaces the reference, with its own range and spelling.
  assert.deepEqual(entity, { key: k1, kind: 'column', name: 'a.b', file: 'f.sql', range: at(3), defined: true, parent: 'rel:s.t' });
});

void test('relationshipId is stable (the graph store keys edges with it)', () => {
  assert.equal(relationshipId('READS_FROM', 'a', 'b', 'f', at(1), undefined), 'READS_FROM\u0000a\u0000b\u0000f\u00001:0-1:9\u0000');
  assert.equal(relationshipId('WRITES_TO', 'a', 'b', '', at(0), 'INSERT'), 'WRITES_TO\u0000a\u0000b\u0000\u00000:0-0:9\u0000INSERT');
});

void test('merge keeps the first of equal copies and a parsed copy over a scanned one, across fragments', () => {
  const edge = (confidence: 'high' | 'low', file = 'x.sql'): Relationship => ({ type: 'READS_FROM', from: 'file:x.sql', to: 'rel:a', file, range: at(0), confidence });
  const first = edge('high');
  const second = edge('high');
  const low = edge('low');
  const merged = mergeFragments([{ entities: [], relationships: [low] }, { entities: [], relationships: [first, edge('low')] }, { entities: [], relationships: [second] }]);
  assert.equal(merged.relationships.length, 1);
  assert.equal(merged.relationships[0], first);
  // Only low copies: the first one stays.
  const lows = mergeFragments([{ entities: [], relationships: [low, edge('low')] }]);
  assert.equal(lows.relationships[0], low);
  // Another file is another edge.
  assert.equal(mergeFragments([{ entities: [], relationships: [first, edge('high', 'y.sql')] }]).relationships.length, 2);
});
