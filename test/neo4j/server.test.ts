/**
 * The development Neo4j server (`npm run neo4j:start`) is a real Neo4j that
 * speaks Bolt, keeps data and enforces its password. Skips when none is
 * running, unless SQLGRAPH_REQUIRE_NEO4J=1 (CI), where that is a failure.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import neo4j from 'neo4j-driver';
import { readNeo4jState } from '../../tools/neo4j/state.ts';
import type { Neo4jConnection } from '../../tools/neo4j/state.ts';

function serverOrSkip(t: { skip: (message: string) => void }): Neo4jConnection | undefined {
  const server = readNeo4jState();
  if (server !== undefined) return server;
  if (process.env['SQLGRAPH_REQUIRE_NEO4J'] === '1') {
    assert.fail('SQLGRAPH_REQUIRE_NEO4J=1 but no Neo4j is running: .neo4j/state.json is missing or its process is gone (npm run neo4j:start)');
  }
  t.skip('no Neo4j running (npm run neo4j:start); Neo4j tests did not run');
  return undefined;
}

test('the Neo4j server answers Bolt queries and keeps what is written', async (t) => {
  const server = serverOrSkip(t);
  if (server === undefined) return;
  const driver = neo4j.driver(server.uri, neo4j.auth.basic(server.user, server.password));
  try {
    const one = await driver.executeQuery('RETURN 1 AS one');
    assert.equal(one.records[0]?.get('one').toNumber(), 1);

    const components = await driver.executeQuery('CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition');
    const kernel = components.records[0];
    assert.equal(kernel?.get('name'), 'Neo4j Kernel');
    assert.equal(kernel?.get('edition'), 'community');
    assert.match(String(kernel?.get('versions')[0]), /^5\.26\./);

    const id = randomUUID();
    await driver.executeQuery('CREATE (:SqlGraphServerTest {id: $id, name: $name})', { id, name: 'orders' });
    const read = await driver.executeQuery('MATCH (n:SqlGraphServerTest {id: $id}) RETURN n.name AS name, count(*) AS n', { id });
    assert.equal(read.records.length, 1);
    assert.equal(read.records[0]?.get('name'), 'orders');
    assert.equal(read.records[0]?.get('n').toNumber(), 1);
    const deleted = await driver.executeQuery('MATCH (n:SqlGraphServerTest {id: $id}) DELETE n', { id });
    assert.equal(deleted.summary.counters.updates().nodesDeleted, 1);
  } finally {
    await driver.close();
  }
});

test('the Neo4j server rejects a wrong password', async (t) => {
  const server = serverOrSkip(t);
  if (server === undefined) return;
  const driver = neo4j.driver(server.uri, neo4j.auth.basic(server.user, `${server.password}-wrong`));
  try {
    await assert.rejects(driver.executeQuery('RETURN 1'), (error: unknown) => {
      assert.equal((error as { code?: unknown }).code, 'Neo.ClientError.Security.Unauthorized');
      return true;
    });
  } finally {
    await driver.close();
  }
});
