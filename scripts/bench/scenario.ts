/**
 * One benchmark scenario in its own process (so peak RSS is its own):
 *   node scripts/bench/scenario.ts <cold|warm-unchanged|warm-hits|saves|saves-during-ingest|big-file-edit> <dir> [workers]
 * Prints one JSON object.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';
import { discoverSqlFiles } from '../../src/engine/fs/discover.ts';
import { limitHeapGrowth } from '../../src/engine/runtime/heapGrowth.ts';
import { isEngineProcess } from '../../src/engine/runtime/engineProcess.ts';

limitHeapGrowth(); // as the CLI and the language server do

const [scenario, dir, workersArg] = process.argv.slice(2);
if (!scenario || !dir) throw new Error('usage: scenario.ts <name> <dir> [workers]');
const workers = workersArg !== undefined ? Number(workersArg) : undefined;
// Where the graph and cache live: beside the files, unless the files are read-only (the shared corpus).
const sqlgraphDir = process.env['SQLGRAPH_BENCH_STATE'] ?? join(dir, '.sqlgraph');

function open(extra: Partial<Parameters<typeof IngestPipeline.open>[0]> = {}): Promise<IngestPipeline> {
  return IngestPipeline.open({
    root: dir as string,
    dialect: process.env['SQLGRAPH_BENCH_DIALECT'] === 'auto' ? 'auto' : 'postgresql',
    storePath: join(sqlgraphDir, 'graph.db'),
    cache: { path: join(sqlgraphDir, 'cache.db') },
    ...(workers !== undefined ? { workers } : {}),
    ...extra,
  });
}

function percentile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** Saves one file at a time (realtime mode) and measures event-to-commit. */
async function measureSaves(pipeline: IngestPipeline, paths: string[], count: number, gapMs: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const path = paths[(i * 7919) % paths.length] as string;
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, `${original}\n-- edit ${i} ${Date.now()}\nSELECT ${i} AS edit_marker FROM sales.edit_log_${i % 5};\n`);
    const started = performance.now();
    const relative = path.slice((dir as string).length + 1);
    const done = new Promise<void>((resolve) => {
      const off = pipeline.onBatchApplied((batch) => {
        if (batch.paths.includes(relative)) {
          off();
          resolve();
        }
      });
    });
    pipeline.handleEvent({ kind: 'save', path });
    await done;
    latencies.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  return latencies;
}

const result: Record<string, unknown> = { scenario };
switch (scenario) {
  case 'cold': {
    rmSync(sqlgraphDir, { recursive: true, force: true });
    const pipeline = await open();
    const summary = await pipeline.ingestAll();
    Object.assign(result, { summary, filesPerSecond: summary.files / summary.seconds, mbPerSecond: summary.bytes / 1e6 / summary.seconds, stages: pipeline.snapshot().stageMillis });
    await pipeline.close();
    break;
  }
  case 'warm-unchanged': {
    const pipeline = await open();
    const summary = await pipeline.ingestAll();
    Object.assign(result, { summary, filesPerSecond: summary.files / summary.seconds });
    await pipeline.close();
    break;
  }
  case 'warm-hits': {
    // Warm cache, empty graph: every file is a cache hit, then resolved and stored.
    rmSync(join(sqlgraphDir, 'graph.db'), { force: true });
    rmSync(join(sqlgraphDir, 'graph.db-wal'), { force: true });
    rmSync(join(sqlgraphDir, 'graph.db-shm'), { force: true });
    const pipeline = await open();
    const summary = await pipeline.ingestAll();
    const cache = pipeline.snapshot().cache;
    Object.assign(result, { summary, filesPerSecond: summary.files / summary.seconds, hitRate: cache?.hitRate });
    await pipeline.close();
    break;
  }
  case 'saves': {
    const pipeline = await open({ batcher: { realtime: true } });
    await pipeline.ingestAll();
    const paths = discoverSqlFiles([dir]);
    await measureSaves(pipeline, paths, 20, 20); // warm the workers' parsers first
    const latencies = await measureSaves(pipeline, paths, 100, 20);
    Object.assign(result, { saves: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99) });
    await pipeline.close();
    break;
  }
  case 'saves-during-ingest': {
    rmSync(sqlgraphDir, { recursive: true, force: true });
    const pipeline = await open({ batcher: { realtime: true } });
    const paths = discoverSqlFiles([dir]);
    let ingestDone = false;
    const ingest = pipeline.ingestAll().then((s) => {
      ingestDone = true;
      return s;
    });
    await new Promise((r) => setTimeout(r, 1500)); // let the ingest get going (workers warm)
    const latencies: number[] = [];
    while (!ingestDone && latencies.length < 200) latencies.push(...(await measureSaves(pipeline, paths, 1, 50)));
    const summary = await ingest;
    Object.assign(result, { saves: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95), p99: percentile(latencies, 0.99), ingestSeconds: summary.seconds });
    await pipeline.close();
    break;
  }
  case 'big-file-edit': {
    // One ~1 MB file; after a first ingest, change one statement and time the re-ingest.
    rmSync(sqlgraphDir, { recursive: true, force: true });
    const path = join(dir, 'big.sql');
    const pipeline = await open({ batcher: { realtime: true } });
    await pipeline.ingestAll();
    const edits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const text = readFileSync(path, 'utf8');
      const at = text.indexOf('WHERE', Math.floor(text.length / 2));
      writeFileSync(path, `${text.slice(0, at)}WHERE ${i} = ${i} AND ${text.slice(at + 6)}`);
      const started = performance.now();
      const done = new Promise<void>((resolve) => {
        const off = pipeline.onBatchApplied((b) => {
          if (b.paths.includes('big.sql')) {
            off();
            resolve();
          }
        });
      });
      pipeline.handleEvent({ kind: 'save', path });
      await done;
      edits.push(performance.now() - started);
    }
    Object.assign(result, { bytes: readFileSync(path).length, editMillis: edits, median: percentile(edits, 0.5) });
    await pipeline.close();
    break;
  }
  default:
    throw new Error(`unknown scenario ${scenario}`);
}
result['peakRssMb'] = process.resourceUsage().maxRSS / 1024;
// Whether this process had the options the language server and the CLI start theirs with.
result['engineProcess'] = isEngineProcess();
process.stdout.write(`${JSON.stringify(result)}\n`);
