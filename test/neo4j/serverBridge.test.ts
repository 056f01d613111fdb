/**
 * The language server's Neo4j bridge against the real Neo4j: connect, push
 * what the workspace's store has pending after each batch, stay converged.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../scripts/accuracy/corpus.ts';
import { EngineNeo4jBridge } from '../../src/server/neo4j/engineNeo4jBridge.ts';
import { assertConverged, connectTestNeo4j, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

async function until(what: string, condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the server bridge connects, syncs each applied batch, and reports its state', { skip, timeout: 5 * 60_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  const ws = await openWorkspace('sqlgraph-bridge-');
  cpSync(join(REPO_ROOT, 'samples', 'workspace'), ws.root, { recursive: true });
  const logs: string[] = [];
  const bridge = new EngineNeo4jBridge({ stores: () => [{ folder: ws.root, store: ws.store }], log: (_level, m) => logs.push(m) });
  try {
    await ws.pipeline.ingestAll();
    assert.ok(ws.store.pendingCount() > 0);
    await bridge.connect({ uri: neo4j.config.uri, user: neo4j.config.user, password: neo4j.config.password, batchSize: 1000 });
    await until('the first sync', () => ws.store.pendingCount() === 0 && bridge.state().state === 'connected');
    await assertConverged(neo4j, ws.store, 'after connect');

    writeFileSync(join(ws.root, 'warehouse', 'refunds.sql'), 'CREATE TABLE shop.refunds (refund_id int PRIMARY KEY, order_id int REFERENCES shop.orders (order_id));\n');
    ws.pipeline.handleEvent({ kind: 'save', path: join(ws.root, 'warehouse', 'refunds.sql') });
    await ws.pipeline.flush();
    bridge.graphChanged();
    await until('the save to reach Neo4j', () => ws.store.pendingCount() === 0);
    await until('the run to end', () => bridge.state().state === 'connected');
    await assertConverged(neo4j, ws.store, 'after a save');
    assert.equal(bridge.state().deadLetters, 0);
  } finally {
    await bridge.dispose();
    await ws.close();
  }
  assert.equal(bridge.state().state, 'disabled');
});

test('a wrong password is a clear error and the work stays pending', { skip, timeout: 2 * 60_000 }, async () => {
  if (!neo4j) return;
  const ws = await openWorkspace('sqlgraph-bridge-auth-');
  writeFileSync(join(ws.root, 'a.sql'), 'CREATE TABLE a (x int);\n');
  const bridge = new EngineNeo4jBridge({ stores: () => [{ folder: ws.root, store: ws.store }], log: () => undefined });
  try {
    await ws.pipeline.ingestAll();
    await assert.rejects(bridge.connect({ uri: neo4j.config.uri, user: neo4j.config.user, password: 'not-the-password', batchSize: 1000 }), /auth|password|credentials/i);
    assert.equal(bridge.state().state, 'error');
    assert.equal(ws.store.pendingCount(), 1);
  } finally {
    await bridge.dispose();
    await ws.close();
  }
});
