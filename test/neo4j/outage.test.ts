/**
 * The server hangs (SIGSTOP) in the middle of a large sync while the
 * workspace keeps changing, then comes back (SIGCONT): the sync waits it
 * out and converges, with nothing lost, nothing duplicated, no dead letters.
 */
import assert from 'node:assert/strict';
import { unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generateCorpus, Prng, writeCorpus } from '../../scripts/bench/synthCorpus.ts';
import { assertConverged, connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';
import { randomSqlFile } from '../helpers/randomSql.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

test('a sync survives the server hanging mid-way and converges', { skip, timeout: 10 * 60_000 }, async () => {
  if (!neo4j) return;
  const pid = neo4j.state.pid;
  const resume = (): void => {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // Already gone.
    }
  };
  process.once('exit', resume);
  await resetNeo4j(neo4j);
  const ws = await openWorkspace();
  try {
    const corpus = generateCorpus({ files: 400, seed: 7 });
    writeCorpus(ws.root, corpus);
    await ws.pipeline.ingestAll();
    const warnings: string[] = [];
    const sync = newSync(neo4j, ws, { batchSize: 400, timeoutMs: 2000, log: (_l, m) => warnings.push(m) });
    const rng = new Prng(3);
    let edits: Promise<void> | undefined;
    let stoppedAt = 0;
    const run = sync.syncPending({
      onProgress: (r) => {
        if (edits || r.files < 20) return;
        process.kill(pid, 'SIGSTOP');
        stoppedAt = performance.now();
        // While the server hangs: edit, delete and add files, then let it resume.
        edits = (async () => {
          for (const f of corpus.slice(100, 130)) writeFileSync(join(ws.root, f.path), randomSqlFile(rng));
          for (const f of corpus.slice(200, 210)) unlinkSync(join(ws.root, f.path));
          for (let i = 0; i < 10; i++) writeFileSync(join(ws.root, `new_${i}.sql`), randomSqlFile(rng));
          await ws.pipeline.ingestAll();
          await new Promise((r) => setTimeout(r, 6000));
          resume();
        })();
      },
    });
    const report = await run;
    await edits;
    assert.ok(stoppedAt > 0, 'the server was stopped mid-sync');
    assert.ok(report.retries > 0, 'the outage was retried');
    assert.ok(warnings.some((w) => /did not answer|ServiceUnavailable|SessionExpired/.test(w)), warnings.join('\n'));
    assert.equal(report.deadLetters, 0);
    // Edits made during the outage are pending or already synced; one more pass finishes them.
    await sync.syncPending();
    assert.equal(ws.deadLetters.read().letters.length, 0, 'zero dead letters');
    await assertConverged(neo4j, ws.store, 'after the outage');
  } finally {
    resume();
    process.removeListener('exit', resume);
    await ws.close();
  }
});
