/** The CLI functions the lead wires into run.ts: sync, neo4j status, replay, against the real server. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { neo4jCommand, replayCommand, syncCommand } from '../../src/cli/neo4jCommands.ts';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';
import { connectTestNeo4j, resetNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

function streams(): { out: PassThrough; err: PassThrough; text: () => { out: string; err: string } } {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: string[] = [];
  const e: string[] = [];
  out.on('data', (c: Buffer) => o.push(c.toString()));
  err.on('data', (c: Buffer) => e.push(c.toString()));
  return { out, err, text: () => ({ out: o.join(''), err: e.join('') }) };
}

test('sqlgraph sync, neo4j status and replay', { skip, timeout: 120_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  const root = mkdtempSync(join(tmpdir(), 'sqlgraph-cli-neo4j-'));
  const saved = process.env['SQLGRAPH_NEO4J_PASSWORD'];
  try {
    writeFileSync(join(root, 'a.sql'), 'CREATE TABLE t (id int, name text);\nCREATE VIEW v AS SELECT id FROM t;\n');
    const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 0, cache: false });
    await pipeline.ingestAll();
    await pipeline.close();

    process.env['SQLGRAPH_NEO4J_PASSWORD'] = neo4j.config.password;
    const args = { values: { neo4j: neo4j.config.uri }, positionals: [root] };
    const s = streams();
    assert.equal(await syncCommand(args, s), 0, s.text().err);
    assert.match(s.text().out, /^Synced 1 pending files to Neo4j in [\d.]+ s: 1 written, 0 already current, 0 removed\n/);
    assert.match(s.text().out, /0 files pending\n$/);
    assert.ok(!s.text().out.includes(neo4j.config.password) && !s.text().err.includes(neo4j.config.password));

    const st = streams();
    assert.equal(await neo4jCommand({ values: { neo4j: neo4j.config.uri }, positionals: ['status', root] }, st), 0, st.text().err);
    assert.match(st.text().out, /connected/);
    assert.match(st.text().out, /schema version \d+/);
    assert.match(st.text().out, /pending: 0 files; dead letters: 0/);
    assert.match(st.text().out, /in sync\n$/);

    const r = streams();
    assert.equal(await replayCommand(args, r), 0, r.text().err);
    assert.match(r.text().out, /^Replayed 0 dead letters/);

    process.env['SQLGRAPH_NEO4J_PASSWORD'] = 'wrong';
    const w = streams();
    assert.equal(await syncCommand(args, w), 1);
    assert.match(w.text().err, /rejected the credentials of user "neo4j"/);
  } finally {
    if (saved === undefined) delete process.env['SQLGRAPH_NEO4J_PASSWORD'];
    else process.env['SQLGRAPH_NEO4J_PASSWORD'] = saved;
    rmSync(root, { recursive: true, force: true });
  }
});
