/**
 * `npm run bench:neo4j`: how fast the sync fills the local Neo4j (`npm run
 * neo4j:start`). A synthetic workspace (10,000 files by default) is ingested
 * into a temporary store, then synced into an emptied Neo4j: graph elements
 * (the nodes and relationships in Neo4j afterwards, each counted once; the
 * provenance edges are relationships too)
 * written per second, transactions used, the batch-size curve, and the
 * save-to-Neo4j latency in realtime mode (a save through the pipeline, then
 * the sync of that file). Prints figures and writes bench-results/neo4j.json.
 *
 * SQLGRAPH_BENCH_NEO4J_FILES (default 10000), SQLGRAPH_BENCH_NEO4J_CURVE_FILES
 * (default 2000), SQLGRAPH_BENCH_NEO4J_SAVES (default 40), SQLGRAPH_BENCH_NEO4J_CURVE
 * (default 100,1000,2500,5000,20000; empty skips the curve).
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeadLetterLog } from '../src/engine/neo4j/deadLetters.ts';
import { closeNeo4jDriver, neo4jDriver, verifyNeo4j } from '../src/engine/neo4j/driver.ts';
import { DEFAULT_BATCH_SIZE, Neo4jSync, type SyncReport } from '../src/engine/neo4j/neo4jSync.ts';
import { ensureSchema } from '../src/engine/neo4j/schema.ts';
import { IngestPipeline } from '../src/engine/pipeline/ingestPipeline.ts';
import { openGraphStore } from '../src/engine/store/graphStore.ts';
import { readNeo4jState } from '../tools/neo4j/state.ts';
import { REPO_ROOT } from './accuracy/corpus.ts';
import { generateCorpus, writeCorpus } from './bench/synthCorpus.ts';

const FILES = Number(process.env['SQLGRAPH_BENCH_NEO4J_FILES'] ?? 10_000);
const CURVE_FILES = Number(process.env['SQLGRAPH_BENCH_NEO4J_CURVE_FILES'] ?? 2000);
const SAVES = Number(process.env['SQLGRAPH_BENCH_NEO4J_SAVES'] ?? 40);
/** SQLGRAPH_BENCH_NEO4J_CURVE: batch sizes of the curve, comma-separated; empty to skip it while iterating. */
const CURVE = (process.env['SQLGRAPH_BENCH_NEO4J_CURVE'] ?? '100,1000,2500,5000,20000').split(',').filter((s) => s.trim() !== '').map(Number);

const state = readNeo4jState();
if (!state) {
  console.error('bench:neo4j: no Neo4j server is running; start one with `npm run neo4j:start`.');
  process.exit(1);
}
const config = { uri: state.uri, user: state.user, password: state.password };
const driver = neo4jDriver(config);
const server = await verifyNeo4j(driver, config);
/** CPU seconds the Neo4j server process has used (Linux /proc), for a machine shared with other work. */
function serverCpuSeconds(): number | undefined {
  try {
    const fields = readFileSync(`/proc/${state?.pid ?? 0}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}
const scratch = mkdtempSync(join(tmpdir(), 'sqlgraph-bench-neo4j-'));
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, neo4j: `${server.version ?? '?'} ${server.edition ?? ''}`.trim(), files: FILES };

async function clearNeo4j(): Promise<void> {
  // Relationships first: DETACH DELETE of hub nodes needs far more transaction memory.
  for (const cypher of ['MATCH ()-[r]->() WITH r LIMIT 10000 DELETE r RETURN count(*) AS n', 'MATCH (n) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n']) {
    for (;;) {
      const r = await driver.executeQuery(cypher, {}, { database: 'neo4j' });
      if (Number(r.records[0]?.get('n') ?? 0) === 0) break;
    }
  }
  await ensureSchema(driver, 'neo4j');
}

async function graphCounts(): Promise<{ nodes: number; relationships: number; provenance: number }> {
  const count = async (cypher: string): Promise<number> => Number((await driver.executeQuery(cypher, {}, { database: 'neo4j' })).records[0]?.get('n') ?? 0);
  return {
    nodes: await count('MATCH (n) RETURN count(n) AS n'),
    relationships: await count('MATCH ()-[r]->() RETURN count(r) AS n'),
    provenance: await count('MATCH ()-[r:CONTRIBUTES]->() RETURN count(r) AS n'),
  };
}

/** Ingests `files` synthetic files into a store file; returns its folder and path. */
async function ingestCorpus(files: number, name: string): Promise<{ root: string; store: string; seconds: number }> {
  const root = join(scratch, name);
  mkdirSync(root);
  writeCorpus(root, generateCorpus({ files, seed: 42 }));
  const store = join(scratch, `${name}.db`);
  const started = performance.now();
  const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', storePath: store, cache: false });
  await pipeline.ingestAll();
  await pipeline.close();
  return { root, store, seconds: (performance.now() - started) / 1000 };
}

/** A fresh copy of the ingested store (everything pending), synced into an empty Neo4j. */
interface BulkResult {
  report: SyncReport;
  /** Nodes and relationships the sync created (Neo4j's counts after it, less before it). */
  elements: number;
  nodes: number;
  relationships: number;
  /** Of the relationships: CONTRIBUTES provenance edges. */
  provenance: number;
  elementsPerSecond: number;
  elementsPerTransaction: number;
  /** Rows sent (entity rows, a hub entity once per batch that touches it, plus relationship rows and files): the figure reported before graph elements were counted. */
  rows: number;
  storeFile: string;
  /** CPU seconds of the server and of this process during the sync, and the 1-minute load average after it. */
  serverCpu: number | undefined;
  clientCpu: number;
  load: number;
}

async function bulkSync(storeFile: string, batchSize: number): Promise<BulkResult> {
  const copy = join(scratch, `run-${batchSize}-${Date.now()}.db`);
  copyFileSync(storeFile, copy);
  await clearNeo4j();
  const store = openGraphStore(copy);
  try {
    const sync = new Neo4jSync(store, { driver, deadLetters: new DeadLetterLog(join(scratch, 'dead-letters.jsonl')), batchSize });
    const before = await graphCounts();
    const server0 = serverCpuSeconds();
    const client0 = process.cpuUsage();
    const report = await sync.syncPending();
    const server1 = serverCpuSeconds();
    const client = process.cpuUsage(client0);
    const serverCpu = server0 === undefined || server1 === undefined ? undefined : server1 - server0;
    const after = await graphCounts();
    const nodes = after.nodes - before.nodes;
    const relationships = after.relationships - before.relationships;
    const elements = nodes + relationships;
    return {
      report, elements, nodes, relationships, provenance: after.provenance - before.provenance, rows: report.entities + report.relationships + report.written,
      elementsPerSecond: elements / report.seconds, elementsPerTransaction: elements / Math.max(1, report.transactions), storeFile: copy,
      serverCpu, clientCpu: (client.user + client.system) / 1e6, load: loadavg()[0] ?? 0,
    };
  } finally {
    store.close();
  }
}

function cpuText(r: BulkResult): string {
  return `CPU: server ${r.serverCpu?.toFixed(1) ?? '?'} s, client ${r.clientCpu.toFixed(1)} s; load average ${r.load.toFixed(1)}`;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

try {
  // Warm-up: the server compiles each query shape once.
  const warm = await ingestCorpus(50, 'warm');
  await bulkSync(warm.store, DEFAULT_BATCH_SIZE);

  // Batch-size curve (skipped with an empty SQLGRAPH_BENCH_NEO4J_CURVE).
  const curve: Record<string, unknown>[] = [];
  if (CURVE.length > 0) {
    const curveCorpus = await ingestCorpus(CURVE_FILES, 'curve');
    console.log(`Batch-size curve, ${CURVE_FILES} files:`);
    for (const size of CURVE) {
      const r = await bulkSync(curveCorpus.store, size);
      curve.push({ batchSize: size, elements: r.elements, rows: r.rows, seconds: r.report.seconds, elementsPerSecond: Math.round(r.elementsPerSecond), transactions: r.report.transactions, elementsPerTransaction: Math.round(r.elementsPerTransaction), serverCpuSeconds: r.serverCpu, clientCpuSeconds: r.clientCpu, loadAverage: r.load });
      console.log(`  ${String(size).padStart(6)} rows/tx: ${Math.round(r.elementsPerSecond)} elements/s (${Math.round(r.rows / r.report.seconds)} rows/s), ${r.report.transactions} transactions (${Math.round(r.elementsPerTransaction)} elements each), ${r.report.seconds.toFixed(1)} s; ${cpuText(r)}`);
    }
  }
  results['curve'] = curve;

  // Bulk: the whole workspace with the default batch size.
  const corpus = await ingestCorpus(FILES, 'bulk');
  const bulk = await bulkSync(corpus.store, DEFAULT_BATCH_SIZE);
  results['ingestSeconds'] = corpus.seconds;
  results['bulk'] = {
    batchSize: DEFAULT_BATCH_SIZE,
    elements: bulk.elements,
    nodes: bulk.nodes,
    relationships: bulk.relationships,
    provenanceRelationships: bulk.provenance,
    rows: bulk.rows,
    rowsPerSecond: Math.round(bulk.rows / bulk.report.seconds),
    entityRows: bulk.report.entities,
    relationshipRows: bulk.report.relationships,
    files: bulk.report.written,
    seconds: bulk.report.seconds,
    elementsPerSecond: Math.round(bulk.elementsPerSecond),
    transactions: bulk.report.transactions,
    elementsPerTransaction: Math.round(bulk.elementsPerTransaction),
    serverCpuSeconds: bulk.serverCpu,
    clientCpuSeconds: bulk.clientCpu,
    loadAverage: bulk.load,
  };
  console.log(`Bulk, ${FILES} files (ingested in ${corpus.seconds.toFixed(1)} s): ${bulk.elements} graph elements (${bulk.nodes} nodes, ${bulk.relationships} relationships of which ${bulk.provenance} provenance) in ${bulk.report.seconds.toFixed(1)} s = ${Math.round(bulk.elementsPerSecond)} elements/s; ` +
    `${bulk.rows} rows sent = ${Math.round(bulk.rows / bulk.report.seconds)} rows/s; ${bulk.report.transactions} transactions (${Math.round(bulk.elementsPerTransaction)} elements each); ${cpuText(bulk)}`);

  // Realtime: save one file through the pipeline, then sync it.
  const pipeline = await IngestPipeline.open({ root: corpus.root, dialect: 'postgresql', storePath: bulk.storeFile, cache: false, workers: 1, batcher: { realtime: true } });
  const sync = new Neo4jSync(pipeline.store, { driver, deadLetters: new DeadLetterLog(join(scratch, 'dead-letters.jsonl')) });
  await sync.syncPending();
  const paths = generateCorpus({ files: FILES, seed: 42 }).map((f) => f.path);
  const total: number[] = [];
  const neo4jOnly: number[] = [];
  // The first saves start the parse worker and warm its parsers (as the pipeline bench does): not measured.
  const WARMUP = 5;
  for (let i = -WARMUP; i < SAVES; i++) {
    const path = join(corpus.root, paths[((i + WARMUP + SAVES) * 7919) % paths.length] ?? '');
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, `${text}\nCREATE TABLE bench_saved_${i + WARMUP} (id int, note text);\n`);
    const started = performance.now();
    pipeline.handleEvent({ kind: 'save', path });
    await pipeline.flush();
    const stored = performance.now();
    await sync.syncPending();
    const done = performance.now();
    if (i < 0) continue;
    total.push(done - started);
    neo4jOnly.push(done - stored);
  }
  await pipeline.close();
  results['realtime'] = { saves: SAVES, p50Ms: pct(total, 50), p95Ms: pct(total, 95), syncOnlyP50Ms: pct(neo4jOnly, 50), syncOnlyP95Ms: pct(neo4jOnly, 95) };
  console.log(`Realtime save → Neo4j over ${SAVES} saves: p50 ${pct(total, 50).toFixed(0)} ms, p95 ${pct(total, 95).toFixed(0)} ms (the sync part: p50 ${pct(neo4jOnly, 50).toFixed(0)} ms, p95 ${pct(neo4jOnly, 95).toFixed(0)} ms)`);

  const out = join(REPO_ROOT, 'bench-results');
  if (!existsSync(out)) mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'neo4j.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log('Wrote bench-results/neo4j.json');
} finally {
  await closeNeo4jDriver();
  rmSync(scratch, { recursive: true, force: true });
}
