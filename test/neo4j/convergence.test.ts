/**
 * Property: random sequences of edits, deletes and renames applied to a
 * workspace; after each sync Neo4j holds exactly the store's graph.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Prng } from '../../scripts/bench/synthCorpus.ts';
import { assertConverged, connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';
import { randomSqlFile } from '../helpers/randomSql.ts';

const SEQUENCES = Number(process.env['SQLGRAPH_NEO4J_SEQUENCES'] ?? 24);
const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

function sqlFiles(root: string): string[] {
  const out: string[] = [];
  for (const dir of ['', 'a', 'b']) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) if (name.endsWith('.sql')) out.push(join(dir, name));
  }
  return out;
}

test(`${SEQUENCES} random edit sequences converge after every sync`, { skip, timeout: 20 * 60_000 }, async () => {
  if (!neo4j) return;
  for (let seq = 0; seq < SEQUENCES; seq++) {
    const rng = new Prng(1000 + seq);
    await resetNeo4j(neo4j);
    const ws = await openWorkspace();
    try {
      mkdirSync(join(ws.root, 'a'));
      mkdirSync(join(ws.root, 'b'));
      // Batch sizes from one row (every file split across transactions) to everything at once.
      const sync = newSync(neo4j, ws, { batchSize: rng.pick([1, 7, 40, 300, 5000]) });
      for (let i = 0; i < rng.int(3, 10); i++) writeFileSync(join(ws.root, rng.pick(['', 'a', 'b']), `f${i}.sql`), randomSqlFile(rng));
      await ws.pipeline.ingestAll();
      await sync.syncPending();
      await assertConverged(neo4j, ws.store, `sequence ${seq} initial`);
      const steps = rng.int(3, 7);
      for (let step = 0; step < steps; step++) {
        for (let e = rng.int(1, 4); e > 0; e--) {
          const files = sqlFiles(ws.root);
          const action = rng.int(0, 9);
          const victim = files.length > 0 ? rng.pick(files) : undefined;
          if (!victim || action <= 1) writeFileSync(join(ws.root, rng.pick(['', 'a', 'b']), `n${step}_${e}_${rng.int(0, 99)}.sql`), randomSqlFile(rng));
          else if (action <= 5) writeFileSync(join(ws.root, victim), randomSqlFile(rng));
          else if (action <= 7) unlinkSync(join(ws.root, victim));
          else renameSync(join(ws.root, victim), join(ws.root, rng.pick(['', 'a', 'b']), `r${step}_${e}.sql`));
        }
        await ws.pipeline.ingestAll();
        if (rng.next() < 0.3) {
          // Sometimes the store's own rename (which rewrites the file actor's key) instead of delete + create.
          const files = ws.store.files();
          const from = files.length > 0 ? rng.pick(files).path : undefined;
          if (from) ws.store.renameFile(from, `moved/${step}_${from}`);
        }
        const report = await sync.syncPending();
        assert.equal(report.deadLetters, 0);
        await assertConverged(neo4j, ws.store, `sequence ${seq} step ${step}`);
      }
      // Replaying an already applied state changes nothing.
      const counts0: Record<string, unknown>[] = await neo4j.query('MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS rels');
      for (const f of ws.store.files().slice(0, 3)) ws.store.applyFile(f.path, ws.store.fileContribution(f.path) ?? { entities: [], relationships: [] }, f);
      const replay = await sync.syncPending();
      assert.equal(replay.written, 0, 'an unchanged contribution is recognised as current');
      assert.deepEqual(await neo4j.query('MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS nodes, count(r) AS rels'), counts0);
      await assertConverged(neo4j, ws.store, `sequence ${seq} replay`);
    } finally {
      await ws.close();
    }
  }
});
