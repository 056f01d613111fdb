/**
 * Rows Neo4j refuses are isolated exactly: the rest of the batch commits and
 * only they reach the dead-letter log, from which replay re-submits them.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DeadLetterLog, type DeadLetter } from '../../src/engine/neo4j/deadLetters.ts';
import type { Entity, GraphFragment } from '../../src/engine/model/graph.ts';
import { connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 10 } };
const meta = { contentHash: 'h1', dialect: 'postgresql', statements: 100, parsed: 100, fallback: 0, diagnostics: [] };

function table(name: string, line: number): Entity {
  return { key: `rel:public.${name}`, kind: 'table', name, schema: 'public', file: 'wide.sql', range: { ...range, start: { line, character: 0 } }, defined: true };
}

/** 100 tables; two have names too long for Neo4j's key index (its range index refuses values over ~8 KB). */
function wideFile(poison: boolean): GraphFragment {
  const entities = Array.from({ length: 100 }, (_, i) => table(poison && (i === 17 || i === 64) ? `t${i}_${'x'.repeat(9000)}` : `t${i}`, i));
  return { entities, relationships: [] };
}

test('a batch of 100 with 2 refused rows commits 98 and dead-letters exactly 2; replay re-submits them', { skip, timeout: 120_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  const ws = await openWorkspace();
  try {
    ws.store.applyFile('wide.sql', wideFile(true), meta);
    const sync = newSync(neo4j, ws, { batchSize: 100 });
    const report = await sync.syncPending();
    assert.equal(report.deadLetters, 2);
    assert.equal(report.entities, 98);
    assert.equal(ws.store.pendingCount(), 0, 'the file is acknowledged: its refused rows are in the log');
    const [count] = await neo4j.query('MATCH (n:Table) RETURN count(n) AS n');
    assert.equal(Number(count?.['n']), 98);

    const { letters, skipped } = ws.deadLetters.read();
    assert.equal(skipped, 0);
    assert.equal(letters.length, 2);
    for (const l of letters) {
      assert.equal(l.code, 'Neo.DatabaseError.Statement.ExecutionFailed');
      assert.match(l.message, /too large to index/);
      assert.equal(l.file, 'wide.sql');
      assert.equal(l.contentHash, 'h1');
      assert.equal(l.stage, 'entity');
      assert.equal(l.group, 'Table');
      assert.equal((l.row as { key: string }).key.length, 'rel:public.t17_'.length + 9000);
    }

    // Still refused: replay keeps them.
    const again = await sync.replay();
    assert.deepEqual([again.letters, again.succeeded, again.stillRefused], [2, 0, 2]);
    assert.equal(ws.deadLetters.read().letters.length, 2);

    // Once Neo4j accepts them (here: without the key index), replay writes them and empties the log.
    await neo4j.query('DROP CONSTRAINT sqlgraph_entity_key');
    try {
      const replay = await sync.replay();
      assert.deepEqual([replay.succeeded, replay.stillRefused], [2, 0]);
      assert.equal(ws.deadLetters.read().letters.length, 0);
      const [all] = await neo4j.query('MATCH (n:Table) RETURN count(n) AS n');
      assert.equal(Number(all?.['n']), 100);
    } finally {
      await neo4j.clear();
      await neo4j.query('CREATE CONSTRAINT sqlgraph_entity_key IF NOT EXISTS FOR (n:Entity) REQUIRE n.key IS UNIQUE');
    }

    // A letter whose file changed since is obsolete: the file's new state was synced instead.
    await resetNeo4j(neo4j);
    ws.store.applyFile('wide.sql', wideFile(true), { ...meta, contentHash: 'h2' });
    await newSync(neo4j, ws, { batchSize: 100 }).syncPending();
    assert.equal(ws.deadLetters.read().letters.length, 2);
    ws.store.applyFile('wide.sql', wideFile(false), { ...meta, contentHash: 'h3' });
    const clean = await sync.syncPending();
    assert.equal(clean.deadLetters, 0);
    const obsolete = await sync.replay();
    assert.deepEqual([obsolete.obsolete, obsolete.stillRefused], [2, 0]);
    assert.equal(ws.deadLetters.read().letters.length, 0);
  } finally {
    await ws.close();
  }
});

test('the dead-letter reader tolerates a torn last line, and the next append starts a fresh line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-dl-'));
  try {
    const log = new DeadLetterLog(join(dir, '.sqlgraph', 'neo4j-dead-letters.jsonl'));
    const letter = (n: number): DeadLetter => ({ at: 't', code: 'Neo.ClientError.Statement.TypeError', message: 'm', file: `f${n}.sql`, contentHash: 'h', stage: 'entity', group: 'Table', row: { key: `k${n}` } });
    log.append([letter(1), letter(2)]);
    appendFileSync(log.path, '{"at":"t","code":"Neo.Cl'); // a crash mid-write
    assert.deepEqual(log.read(), { letters: [letter(1), letter(2)], skipped: 1 });
    log.append([letter(3)]);
    assert.deepEqual(log.read().letters, [letter(1), letter(2), letter(3)]);
    assert.equal(log.read().skipped, 1);
    log.rewrite([letter(2)]);
    assert.equal(readFileSync(log.path, 'utf8'), `${JSON.stringify(letter(2))}\n`);
    writeFileSync(log.path, '');
    assert.deepEqual(log.read(), { letters: [], skipped: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
