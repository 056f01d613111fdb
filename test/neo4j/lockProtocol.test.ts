/**
 * The locking that lets concurrent writers skip unchanged entities: an
 * upsert that finds a node already right writes nothing to it (so writers do
 * not queue on hub nodes), yet a concurrent strip of the same node can never
 * leave it bare while a file supports it. Two explicit transactions are
 * interleaved by hand, in both orders, against the real Neo4j.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ManagedTransaction, Transaction } from 'neo4j-driver';
import { STRIP_UNSUPPORTED, upsertEntitiesQuery, upsertRelationshipsQuery } from '../../src/engine/neo4j/cypher.ts';
import { entityParams, relationshipParams, type EntityRow, type RelationshipRow } from '../../src/engine/neo4j/rows.ts';
import { connectTestNeo4j, resetNeo4j, type TestNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

const KEY = 'table:public.orders';
const BLOCKED_FOR_MS = 600;

function tableRow(file: string): EntityRow {
  return { key: KEY, kind: 'table', name: 'orders', schema: 'public', database: null, parent: null, file: 'a.sql', sl: 1, sc: 0, el: 3, ec: 1, defined: true, files: [{ path: file, gen: 7, fresh: true }] };
}

/** The table is defined by a.sql and read by a view in c.sql (so a strip keeps it as a bare key rather than deleting it). */
async function seed(db: TestNeo4j): Promise<void> {
  await resetNeo4j(db);
  const session = db.driver.session({ database: 'neo4j' });
  try {
    await session.executeWrite(async (tx: ManagedTransaction) => {
      await tx.run(upsertEntitiesQuery('Table'), entityParams([tableRow('a.sql')]));
      const view: EntityRow = { ...tableRow('c.sql'), key: 'view:public.v', kind: 'view', name: 'v', file: 'c.sql', files: [{ path: 'c.sql', gen: 3, fresh: true }] };
      await tx.run(upsertEntitiesQuery('View'), entityParams([view]));
      const read: RelationshipRow = { from: 'view:public.v', to: KEY, file: 'c.sql', rid: 1, sl: 1, sc: 0, el: 1, ec: 5, confidence: 'high', operation: null, gen: 3 };
      await tx.run(upsertRelationshipsQuery({ type: 'READS_FROM', from: 'entity', to: 'entity' }, 'create'), relationshipParams([read]));
    });
  } finally {
    await session.close();
  }
}

/**
 * a.sql stops defining the table: its provenance edge goes, then the clean-up
 * strips what nothing supports. `dropFirst`: the edge went in an earlier
 * transaction (a clean-up run in steps), so the strip's own lock is all that
 * orders it against the upsert.
 */
function stripAfterDroppingA(dropFirst: boolean) {
  return async (tx: Transaction): Promise<void> => {
    if (!dropFirst) await tx.run(DROP_A);
    await tx.run(STRIP_UNSUPPORTED, { keys: [KEY] });
  };
}
const DROP_A = 'MATCH (:File {path: "a.sql"})-[c:CONTRIBUTES]->() DELETE c';

/** b.sql starts defining the same table, with the very properties the node has: the upsert finds nothing to set. */
async function upsertFromB(tx: Transaction): Promise<void> {
  await tx.run(upsertEntitiesQuery('Table'), entityParams([tableRow('b.sql')]));
}

/** Settles within `ms`, or not. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([p.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function assertTableSupportedByB(db: TestNeo4j): Promise<void> {
  const rows = await db.query('MATCH (n:Entity {key: $key}) RETURN labels(n) AS labels, n.name AS name, n.schema AS schema, [(f:File)-[:CONTRIBUTES]->(n) | f.path] AS files', { key: KEY });
  assert.equal(rows.length, 1);
  assert.deepEqual([...(rows[0]?.['labels'] as string[])].sort(), ['Entity', 'Table'], 'the node keeps its kind label');
  assert.equal(rows[0]?.['name'], 'orders', 'the node keeps its properties');
  assert.equal(rows[0]?.['schema'], 'public');
  assert.deepEqual(rows[0]?.['files'], ['b.sql']);
}

/** Seeds the graph, then runs `body` with a stripping and an upserting transaction open at once (both closed after). */
async function withTwoWriters(db: TestNeo4j, dropFirst: boolean, body: (stripper: Transaction, upserter: Transaction) => Promise<void>): Promise<void> {
  await seed(db);
  if (dropFirst) await db.query(DROP_A);
  const s1 = db.driver.session({ database: 'neo4j' });
  const s2 = db.driver.session({ database: 'neo4j' });
  const stripper = s1.beginTransaction();
  const upserter = s2.beginTransaction();
  try {
    await body(stripper, upserter);
  } finally {
    await Promise.allSettled([stripper.close(), upserter.close()]);
    await Promise.allSettled([s1.close(), s2.close()]);
  }
}

for (const dropFirst of [false, true]) {
  const variant = dropFirst ? ' (provenance dropped earlier)' : '';

  test(`a strip that goes first makes a concurrent upsert wait, and the upsert then restores the node${variant}`, { skip, timeout: 60_000 }, async () => {
    if (!neo4j) return;
    await withTwoWriters(neo4j, dropFirst, async (stripper, upserter) => {
      await stripAfterDroppingA(dropFirst)(stripper);
      const upsert = upsertFromB(upserter);
      upsert.catch(() => undefined);
      assert.equal(await settlesWithin(upsert, BLOCKED_FOR_MS), false, 'the upsert waits for the strip to commit');
      await stripper.commit();
      await upsert;
      await upserter.commit();
    });
    await assertTableSupportedByB(neo4j);
  });

  test(`an upsert that goes first makes a concurrent strip wait, and the strip then sees the new support${variant}`, { skip, timeout: 60_000 }, async () => {
    if (!neo4j) return;
    const db = neo4j;
    await withTwoWriters(db, dropFirst, async (stripper, upserter) => {
      await upsertFromB(upserter);
      const [written] = await db.query('MATCH (n:Entity {key: $key}) RETURN n.name AS name', { key: KEY });
      assert.equal(written?.['name'], 'orders');
      const strip = stripAfterDroppingA(dropFirst)(stripper);
      strip.catch(() => undefined);
      assert.equal(await settlesWithin(strip, BLOCKED_FOR_MS), false, 'the strip waits for the upsert to commit');
      // The strip holds the node's lock from deleting a's edge, which the upsert's commit may need: Neo4j may pick either as a
      // deadlock victim. The sync retries a transient error with the whole transaction; so does this test.
      const upserted = await deadlockVictim(upserter.commit());
      const stripped = (await deadlockVictim(strip)) && (await deadlockVictim(stripper.commit()));
      if (!stripped) await rerun(db, stripAfterDroppingA(dropFirst));
      if (!upserted) await rerun(db, upsertFromB);
    });
    await assertTableSupportedByB(neo4j);
  });
}

/** True when the step succeeded, false when Neo4j chose it as a deadlock victim; any other error fails the test. */
async function deadlockVictim(step: Promise<unknown>): Promise<boolean> {
  try {
    await step;
    return true;
  } catch (error) {
    assert.equal((error as { code?: string }).code, 'Neo.TransientError.Transaction.DeadlockDetected', String(error));
    return false;
  }
}

async function rerun(db: TestNeo4j, work: (tx: Transaction) => Promise<void>): Promise<void> {
  const session = db.driver.session({ database: 'neo4j' });
  const tx = session.beginTransaction();
  try {
    await work(tx);
    await tx.commit();
  } finally {
    await tx.close();
    await session.close();
  }
}
