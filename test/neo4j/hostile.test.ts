/**
 * Identifiers and paths full of Cypher syntax round-trip byte for byte (they
 * only ever travel as parameters), and a canary subgraph the sync does not
 * own is untouched by writes and deletes.
 */
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { assertConverged, connectTestNeo4j, newSync, openWorkspace, resetNeo4j } from '../helpers/neo4j.ts';

const { neo4j, skip } = await connectTestNeo4j();
after(() => neo4j?.close());

const HOSTILE = ['we"ird', "it's", 'back`tick', 'brace}', 'sl//ash', 'x`) DETACH DELETE n //', 'x\\', 'naïve_ütf', '表', 'emoji😀', '}) MATCH (m) DETACH DELETE m //'];
const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function hostileSql(): string {
  const cols = HOSTILE.map((h) => `${quote(h)} text`).join(', ');
  return [
    `CREATE TABLE ${quote('x`) DETACH DELETE n //')}.${quote('t}{')} (${cols});`,
    ...HOSTILE.map((h, i) => `CREATE VIEW ${quote(`v_${h}`)} AS SELECT ${quote(h)} FROM ${quote('x`) DETACH DELETE n //')}.${quote('t}{')} WHERE ${quote(HOSTILE[(i + 1) % HOSTILE.length] ?? '')} = 'x''}//';`),
    `INSERT INTO ${quote(HOSTILE[5] ?? '')} (${quote(HOSTILE[0] ?? '')}) SELECT ${quote(HOSTILE[9] ?? '')} FROM ${quote('v_emoji😀')};`,
  ].join('\n');
}

test('hostile identifiers and paths round-trip exactly and a canary subgraph survives', { skip, timeout: 120_000 }, async () => {
  if (!neo4j) return;
  await resetNeo4j(neo4j);
  await neo4j.query("CREATE (:Canary {name: 'c1', key: 'rel:public.canary'})-[:CANARY_LINK {file: 'a.sql'}]->(:Canary {name: 'c2', path: 'a.sql'})");
  const ws = await openWorkspace();
  try {
    const dir = join(ws.root, "dir`) DETACH DELETE n {}");
    mkdirSync(dir);
    const files = [join(ws.root, 'a.sql'), join(dir, "q'uo\"te}😀.sql"), join(ws.root, 'x\\.sql')];
    for (const f of files) writeFileSync(f, hostileSql());
    await ws.pipeline.ingestAll();
    const sync = newSync(neo4j, ws);
    await sync.syncPending();
    await assertConverged(neo4j, ws.store, 'hostile');
    const names = new Set((await neo4j.query('MATCH (n:Entity) WHERE n.name IS NOT NULL RETURN n.name AS name')).map((r) => String(r['name'])));
    for (const h of HOSTILE) assert.ok(names.has(h), `column ${JSON.stringify(h)} round-trips`);
    const paths = new Set((await neo4j.query('MATCH (f:File) RETURN f.path AS p')).map((r) => String(r['p'])));
    assert.ok(paths.has("dir`) DETACH DELETE n {}/q'uo\"te}😀.sql"), [...paths].join(', '));

    // Edits, a rename and deletes of the hostile files leave the canary alone.
    writeFileSync(files[0] ?? '', 'CREATE TABLE "c`)//" (id int);\n');
    renameSync(files[1] ?? '', join(dir, 'renamed }.sql'));
    unlinkSync(files[2] ?? '');
    await ws.pipeline.ingestAll();
    await sync.syncPending();
    await assertConverged(neo4j, ws.store, 'hostile after edits');
    const canary = await neo4j.query("MATCH (a:Canary {name: 'c1'})-[r:CANARY_LINK]->(b:Canary {name: 'c2'}) RETURN a.key AS key, r.file AS file, b.path AS path");
    assert.deepEqual(canary, [{ key: 'rel:public.canary', file: 'a.sql', path: 'a.sql' }]);
    const [count] = await neo4j.query('MATCH (n:Canary) RETURN count(n) AS n');
    assert.equal(Number(count?.['n']), 2);
  } finally {
    await ws.close();
  }
});
