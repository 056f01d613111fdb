/**
 * A file's first write into Neo4j leaves its edges without a gen (nothing of
 * the file can be there to clean up); a later write of the file stamps the
 * edges it keeps and deletes the rest, gen or none.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertConverged, connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

const ORDERS = `CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id), total numeric);
CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100;
`;
const CUSTOMERS = 'CREATE TABLE customers (id int PRIMARY KEY, name text);\n';

test("a file's first write carries no gen; its next write stamps what it keeps and drops the rest", { skip, timeout: 120_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  const ws = await openWorkspace();
  try {
    writeFileSync(join(ws.root, 'orders.sql'), ORDERS);
    writeFileSync(join(ws.root, 'customers.sql'), CUSTOMERS);
    await ws.pipeline.ingestAll();
    await newSync(neo4j, ws).syncPending();
    await assertConverged(neo4j, ws.store, 'first write');
    const [first] = await neo4j.query('MATCH ()-[r]->() RETURN count(r) AS all, count(r.gen) AS stamped');
    assert.ok(Number(first?.['all']) > 5, 'the files gave edges');
    assert.equal(Number(first?.['stamped']), 0, 'no edge of a first write has a gen');

    // The view now reads another column and the foreign key is gone: some edges stay, some go, some are new.
    writeFileSync(join(ws.root, 'orders.sql'), ORDERS.replace(' REFERENCES customers (id)', '').replace('SELECT id, total', 'SELECT id, customer_id'));
    await ws.pipeline.ingestAll();
    await newSync(neo4j, ws).syncPending();
    await assertConverged(neo4j, ws.store, 'second write');
    const [second] = await neo4j.query(
      'MATCH (f:File {path: "orders.sql"}) OPTIONAL MATCH ()-[r {file: "orders.sql"}]->() WITH f, collect(r) AS rs ' +
        'RETURN size(rs) AS edges, size([r IN rs WHERE r.gen = f.gen]) AS current, [(f)-[c:CONTRIBUTES]->() | c.gen = f.gen] AS provenance',
    );
    assert.ok(Number(second?.['edges']) > 0);
    assert.equal(second?.['current'], second?.['edges'], "every edge of the rewritten file has the file's gen");
    assert.ok((second?.['provenance'] as boolean[]).every((stamped) => stamped), "every provenance edge of the rewritten file has the file's gen");
    const [untouched] = await neo4j.query('MATCH ()-[r {file: "customers.sql"}]->() RETURN count(r) AS all, count(r.gen) AS stamped');
    assert.ok(Number(untouched?.['all']) > 0);
    assert.equal(Number(untouched?.['stamped']), 0, 'the other file was not rewritten');
  } finally {
    await ws.close();
  }
});
