/** Connectivity errors are classified and worded; a wrong password is never retried; the schema refuses a newer graph. */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { closeNeo4jDriver, neo4jDriver, verifyNeo4j } from '../../src/engine/neo4j/driver.ts';
import { Neo4jConnectionError } from '../../src/engine/neo4j/errors.ts';
import { ensureSchema, MIGRATIONS, readSchemaVersion, SCHEMA_VERSION } from '../../src/engine/neo4j/schema.ts';
import { connectTestNeo4j, newSync, openWorkspace } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

async function connectionFailure(uri: string, password: string): Promise<Neo4jConnectionError> {
  const config = { uri, user: 'neo4j', password };
  try {
    await verifyNeo4j(neo4jDriver(config, { connectionTimeoutMs: 3000 }), config, 10_000);
  } catch (error) {
    assert.ok(error instanceof Neo4jConnectionError, String(error));
    return error;
  } finally {
    await closeNeo4jDriver(config);
  }
  assert.fail(`connecting to ${uri} succeeded`);
}

test('a wrong password is a clear error, never retried and never dead-lettered', { skip }, async () => {
  if (!neo4j) return;
  const wrong = `${neo4j.config.password}-wrong`;
  const error = await connectionFailure(neo4j.config.uri, wrong);
  assert.equal(error.reason, 'auth');
  assert.match(error.message, /rejected the credentials of user "neo4j" \(wrong user name or password\)/);
  assert.ok(!error.message.includes(wrong), 'the password is never printed');

  const ws = await openWorkspace();
  try {
    writeFileSync(join(ws.root, 'a.sql'), 'CREATE TABLE t (id int);\n');
    await ws.pipeline.ingestAll();
    const config = { ...neo4j.config, password: wrong };
    const warnings: string[] = [];
    const sync = newSync(neo4j, ws, { driver: neo4jDriver(config), log: (_l, m) => warnings.push(m) });
    const started = performance.now();
    await assert.rejects(sync.syncPending(), (e: unknown) => e instanceof Neo4jConnectionError && e.reason === 'auth');
    assert.ok(performance.now() - started < 5000, 'failed at once');
    assert.deepEqual(warnings, [], 'no retries');
    assert.equal(sync.transactions, 1);
    assert.equal(existsSync(ws.deadLetters.path), false, 'nothing dead-lettered');
    assert.equal(ws.store.pendingCount(), 1, 'the work stays pending');
    await closeNeo4jDriver(config);
  } finally {
    await ws.close();
  }
});

test('an unreachable host and a TLS mismatch say so', { skip }, async () => {
  if (!neo4j) return;
  const unreachable = await connectionFailure('bolt://127.0.0.1:1', 'x');
  assert.equal(unreachable.reason, 'unreachable');
  assert.match(unreachable.message, /^Cannot reach Neo4j at bolt:\/\/127\.0\.0\.1:1/);
  const port = new URL(neo4j.config.uri.replace(/^bolt/, 'http')).port;
  const tls = await connectionFailure(`bolt+s://127.0.0.1:${port}`, neo4j.config.password);
  assert.equal(tls.reason, 'tls', tls.message);
  assert.match(tls.message, /^TLS mismatch talking to Neo4j at bolt\+s:\/\/127\.0\.0\.1:\d+/);
});

test('schema: migrations run in order once; a newer graph is refused without writes', { skip }, async () => {
  if (!neo4j) return;
  await neo4j.clear();
  const first = await ensureSchema(neo4j.driver, 'neo4j');
  assert.deepEqual(first.applied, MIGRATIONS.map((m) => m.version));
  assert.equal(await readSchemaVersion(neo4j.driver, 'neo4j'), SCHEMA_VERSION);
  assert.deepEqual((await ensureSchema(neo4j.driver, 'neo4j')).applied, []);
  const constraints = await neo4j.query("SHOW CONSTRAINTS YIELD name WHERE name STARTS WITH 'sqlgraph_' RETURN name ORDER BY name");
  assert.deepEqual(constraints.map((r) => r['name']), ['sqlgraph_entity_key', 'sqlgraph_file_path', 'sqlgraph_schema_id']);

  // A later migration is applied on top of the recorded version, and only it.
  const extra = { version: SCHEMA_VERSION + 1, description: 'test', statements: ['CREATE INDEX sqlgraph_test_extra IF NOT EXISTS FOR (n:Entity) ON (n.name)'] };
  assert.deepEqual((await ensureSchema(neo4j.driver, 'neo4j', [...MIGRATIONS, extra])).applied, [SCHEMA_VERSION + 1]);
  await neo4j.query('DROP INDEX sqlgraph_test_extra IF EXISTS');

  const ws = await openWorkspace();
  try {
    writeFileSync(join(ws.root, 'a.sql'), 'CREATE TABLE t (id int);\n');
    await ws.pipeline.ingestAll();
    const before = await neo4j.query('MATCH (n) RETURN count(n) AS n');
    await assert.rejects(ensureSchema(neo4j.driver, 'neo4j'), (e: unknown) => e instanceof Neo4jConnectionError && e.reason === 'schema' && /newer than this SQL Graph understands/.test(e.message));
    assert.deepEqual(await neo4j.query('MATCH (n) RETURN count(n) AS n'), before, 'nothing written');
    assert.equal(ws.store.pendingCount(), 1);
  } finally {
    await neo4j.query('MATCH (s:SqlGraphSchema) SET s.version = $v', { v: SCHEMA_VERSION });
    await ws.close();
  }
});
