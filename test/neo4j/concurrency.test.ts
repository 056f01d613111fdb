/** Two writers syncing overlapping files at once end with one copy of everything; deadlocks are retried. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateCorpus, Prng, writeCorpus } from '../../scripts/bench/synthCorpus.ts';
import { assertConverged, connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';
import { randomSqlFile } from '../helpers/randomSql.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

async function countOf(cypher: string): Promise<number> {
  const rows = (await neo4j?.query(cypher)) ?? [];
  return Number(rows[0]?.['n'] ?? -1);
}

test('two concurrent writers over the same pending files converge without duplicates', { skip, timeout: 10 * 60_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  const ws = await openWorkspace();
  try {
    const corpus = generateCorpus({ files: 240, seed: 11 });
    writeCorpus(ws.root, corpus);
    await ws.pipeline.ingestAll();
    const rng = new Prng(5);
    for (let round = 0; round < 3; round++) {
      if (round > 0) {
        for (let i = 0; i < 40; i++) writeFileSync(join(ws.root, rng.pick(corpus).path), randomSqlFile(rng));
        await ws.pipeline.ingestAll();
      }
      // Different batch sizes: the writers' batches overlap without lining up.
      const warnings: string[] = [];
      const a = newSync(neo4j, ws, { batchSize: 700, log: (_l, m) => warnings.push(m) });
      const b = newSync(neo4j, ws, { batchSize: 2500, log: (_l, m) => warnings.push(m) });
      const [ra, rb] = await Promise.all([a.syncPending(), b.syncPending()]);
      assert.equal(ra.deadLetters + rb.deadLetters, 0);
      for (const w of warnings) assert.match(w, /TransientError|DeadlockDetected|LockClient/, 'only transient conflicts are retried');
      await assertConverged(neo4j, ws.store, `round ${round}`);
      assert.equal(await countOf('MATCH (f:File) WITH f.path AS p, count(*) AS n WHERE n > 1 RETURN count(*) AS n'), 0, 'duplicated files');
      assert.equal(await countOf('MATCH (f:File)-[c:CONTRIBUTES]->(n) WITH f, n, count(c) AS k WHERE k > 1 RETURN count(*) AS n'), 0, 'duplicated provenance');
    }
  } finally {
    await ws.close();
  }
});
