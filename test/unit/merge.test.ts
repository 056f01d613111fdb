import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Entity, GraphFragment, Relationship } from '../../src/engine/model/graph.ts';
import { mergeFragments } from '../../src/engine/extract/merge.ts';

const r = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 5 } });
const entity = (key: string, file: string, line: number, defined: boolean, kind: Entity['kind'] = 'table'): Entity => ({ key, kind, name: key.slice(4), file, range: r(line), defined });
const rel = (type: Relationship['type'], from: string, to: string, file: string, line: number, extra: Partial<Relationship> = {}): Relationship => ({
  type,
  from,
  to,
  file,
  range: r(line),
  confidence: 'high',
  ...extra,
});

void test('a defining entity wins over references, whatever the order', () => {
  const ref: GraphFragment = { entities: [entity('rel:t', 'a.sql', 0, false)], relationships: [] };
  const def: GraphFragment = { entities: [entity('rel:t', 'z.sql', 9, true, 'view')], relationships: [] };
  for (const order of [[ref, def], [def, ref]]) {
    const merged = mergeFragments(order);
    assert.equal(merged.entities.length, 1);
    assert.equal(merged.entities[0]?.file, 'z.sql');
    assert.equal(merged.entities[0]?.kind, 'view');
    assert.equal(merged.entities[0]?.defined, true);
  }
});

void test('ties are broken by file, then range', () => {
  const a: GraphFragment = { entities: [entity('rel:t', 'b.sql', 1, true)], relationships: [] };
  const b: GraphFragment = { entities: [entity('rel:t', 'a.sql', 5, true)], relationships: [] };
  const c: GraphFragment = { entities: [entity('rel:t', 'a.sql', 2, true)], relationships: [] };
  assert.equal(mergeFragments([a, b, c]).entities[0]?.range.start.line, 2);
  assert.equal(mergeFragments([c, b, a]).entities[0]?.file, 'a.sql');
});

void test('relationships are deduplicated on type, ends, file, range and operation; output is sorted', () => {
  const f1: GraphFragment = {
    entities: [entity('rel:b', 'x.sql', 0, false), entity('rel:a', 'x.sql', 0, false)],
    relationships: [
      rel('WRITES_TO', 'file:x.sql', 'rel:a', 'x.sql', 0, { operation: 'INSERT' }),
      rel('READS_FROM', 'file:x.sql', 'rel:b', 'x.sql', 0),
      rel('READS_FROM', 'file:x.sql', 'rel:a', 'x.sql', 0),
    ],
  };
  const f2: GraphFragment = {
    entities: [],
    relationships: [
      rel('READS_FROM', 'file:x.sql', 'rel:a', 'x.sql', 0, { confidence: 'low' }),
      rel('READS_FROM', 'file:x.sql', 'rel:a', 'x.sql', 3),
      rel('WRITES_TO', 'file:x.sql', 'rel:a', 'x.sql', 0, { operation: 'UPDATE' }),
    ],
  };
  const merged = mergeFragments([f2, f1]);
  assert.deepEqual(merged.entities.map((e) => e.key), ['rel:a', 'rel:b']);
  assert.deepEqual(
    merged.relationships.map((x) => `${x.type} ${x.to} ${x.range.start.line} ${x.operation ?? ''} ${x.confidence}`),
    ['READS_FROM rel:a 0  high', 'READS_FROM rel:a 3  high', 'READS_FROM rel:b 0  high', 'WRITES_TO rel:a 0 INSERT high', 'WRITES_TO rel:a 0 UPDATE high'],
  );
  assert.deepEqual(mergeFragments([f1, f2]), merged);
});
