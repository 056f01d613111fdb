import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entityChildren, graphChildren, LOAD_MORE_COMMAND, OPEN_LOCATION_COMMAND, problemChildren, ROOT_LABELS, rootNodes } from '../../src/client/treeModel.ts';
import type { EntityItem } from '../../src/shared/protocol.ts';
import { status } from './statusFixture.ts';

test('the six top-level nodes, in order, exactly labelled', () => {
  assert.deepEqual(rootNodes(status()).map((n) => n.label), [...ROOT_LABELS]);
  assert.deepEqual(rootNodes(undefined).map((n) => n.label), ['Status', 'Cache', 'Batches', 'Neo4j', 'Graph', 'Problems']);
});

test('children labels of Status, Cache, Batches and Neo4j', () => {
  const [s, cache, batches, neo4j, graph, problems] = rootNodes(status({ busyWorkers: 1 }));
  assert.ok(s?.children?.some((c) => c.label === 'Entities: 1234'));
  assert.deepEqual(cache?.children?.map((c) => c.label), ['Hit rate: 98.0%', 'Entries: 6', 'Size: 64.0 KB', 'Evictions: 0']);
  assert.deepEqual(batches?.children?.slice(0, 3).map((c) => c.label), ['Batches: 3', 'Workers: 1/2 busy', 'Queue: 0']);
  assert.deepEqual(neo4j?.children?.slice(0, 3).map((c) => c.label), ['State: unavailable', 'Pending: 12', 'Dead letters: 0']);
  assert.ok(neo4j?.children?.some((c) => /not available in this build/.test(c.label)));
  assert.deepEqual(graph?.lazy, { type: 'graph' });
  assert.deepEqual(problems?.lazy, { type: 'problems' });
});

test('Graph: one expandable node per kind', () => {
  const nodes = graphChildren([
    { kind: 'table', count: 5 },
    { kind: 'column', count: 31 },
  ]);
  assert.deepEqual(nodes.map((n) => [n.label, n.collapsible]), [
    ['table (5)', 'collapsed'],
    ['column (31)', 'collapsed'],
  ]);
  assert.deepEqual(nodes[0]?.lazy, { type: 'kind', kind: 'table' });
  assert.equal(graphChildren([])[0]?.label, 'No entities yet');
});

test('entities open their definition on click; a last node loads the next page', () => {
  const range = { start: { line: 3, character: 0 }, end: { line: 8, character: 2 } };
  const items: EntityItem[] = [{ key: 'table:public.shop.customers', name: 'customers', kind: 'table', schema: 'shop', defined: true, uri: 'file:///w/schema.sql', range }];
  const nodes = entityChildren('table', items, 5);
  assert.equal(nodes[0]?.label, 'customers');
  assert.deepEqual(nodes[0]?.command, { command: OPEN_LOCATION_COMMAND, title: 'Open Definition', arguments: ['file:///w/schema.sql', range] });
  assert.equal(nodes[1]?.label, 'Load more… (4 more)');
  assert.equal(nodes[1]?.command?.command, LOAD_MORE_COMMAND);
  assert.equal(entityChildren('table', items, 1).length, 1);
});

test('Problems: one node per file', () => {
  const nodes = problemChildren([{ uri: 'file:///w/broken.sql', path: 'warehouse/broken.sql', errors: 2, warnings: 1, first: { message: 'boom', range: { start: { line: 3, character: 0 }, end: { line: 3, character: 5 } } } }]);
  assert.equal(nodes.length, 1);
  assert.equal(nodes[0]?.label, 'warehouse/broken.sql');
  assert.equal(nodes[0]?.description, '2 errors, 1 warning');
  assert.equal(nodes[0]?.icon, 'error');
  assert.equal(problemChildren([])[0]?.label, 'No parse failures');
});
