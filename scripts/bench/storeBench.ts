/**
 * Write throughput of the graph store on realistic fragments: the synthetic
 * corpus (1,000 files, seed 1) is parsed and resolved once, cached in the
 * temp folder, and replicated into disjoint copies (own paths and keys) to
 * reach 10,000 files. Measures a cold load in chunks of 256 (as the pipeline
 * applies them), re-applying 50 edited files into that store, a few queries,
 * and the database size.
 *
 *   node scripts/bench/storeBench.ts [--files 10000] [--fresh] [--keep]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCatalog } from '../../src/engine/extract/catalog.ts';
import { nameOptionsFor, summarise } from '../../src/engine/extract/extractFiles.ts';
import { parseText } from '../../src/engine/extract/parseFile.ts';
import { resolveFile } from '../../src/engine/extract/resolve.ts';
import type { Entity, GraphFragment, Relationship } from '../../src/engine/model/graph.ts';
import type { Range } from '../../src/engine/model/range.ts';
import { createBackends } from '../../src/engine/parse/backends.ts';
import { catalogSliceOf, type CatalogSlice } from '../../src/engine/pipeline/catalogState.ts';
import { openGraphStore, type GraphStore } from '../../src/engine/store/graphStore.ts';
import type { FileUpdate } from '../../src/engine/store/types.ts';
import { generateCorpus } from './synthCorpus.ts';

const BASE_FILES = 1000;
const SEED = 1;
const CHUNK = 256;
const CHANGED = 50;

interface BenchFile {
  update: FileUpdate;
  slice: CatalogSlice | undefined;
}

/** The parsed and resolved base corpus, from the cache when it is there. */
async function baseFiles(fresh: boolean): Promise<BenchFile[]> {
  const cache = join(tmpdir(), `sqlgraph-storebench-${BASE_FILES}-${SEED}.json`);
  if (!fresh && existsSync(cache)) return JSON.parse(readFileSync(cache, 'utf8')) as BenchFile[];
  const started = performance.now();
  const backends = await createBackends();
  const parsed = generateCorpus({ files: BASE_FILES, seed: SEED }).map((f) => parseText(f.path, f.text, 'utf-8', { dialect: 'postgresql', backends }));
  const catalog = buildCatalog(parsed, (f) => nameOptionsFor(f, undefined));
  const files = parsed.map((file): BenchFile => {
    const { entities, relationships } = resolveFile(file, catalog, nameOptionsFor(file, undefined));
    const s = summarise(file, 0);
    return {
      update: {
        path: file.path,
        fragment: { entities, relationships },
        meta: { contentHash: `h${file.path}`, dialect: file.dialect, statements: s.statements, parsed: s.parsed, fallback: s.fallback, diagnostics: file.diagnostics },
      },
      slice: catalogSliceOf(file),
    };
  });
  writeFileSync(cache, JSON.stringify(files));
  console.log(`parsed and resolved ${BASE_FILES} files in ${((performance.now() - started) / 1000).toFixed(1)} s (cached in ${cache})`);
  return files;
}

/** File `i` of the replicated workspace: copy i / 1000 of a base file, with its own path and keys, the same shape. */
function replicated(base: BenchFile[], i: number): BenchFile {
  const copy = Math.floor(i / base.length);
  const { update, slice } = base[i % base.length]!;
  if (copy === 0) return { update: { ...update, fragment: structuredClone(update.fragment) }, slice };
  const prefix = `copy${copy}/`;
  const key = (k: string): string => (k.startsWith('file:') ? `file:${prefix}${k.slice(5)}` : `${k}~${copy}`);
  {
    const path = prefix + update.path;
    const entities = update.fragment.entities.map((e) => {
      const moved: Entity = { ...e, key: key(e.key), file: path };
      if (e.parent !== undefined) moved.parent = key(e.parent);
      return moved;
    });
    const relationships = update.fragment.relationships.map((r) => ({ ...r, from: key(r.from), to: key(r.to), file: path }));
    return { update: { path, fragment: { entities, relationships }, meta: { ...update.meta, contentHash: `h${path}` } }, slice };
  }
}

/** An edit that inserts a line at the top: every range moves down one line. */
function edited(file: BenchFile, round: number): BenchFile {
  const shift = (r: Range): Range => ({ start: { line: r.start.line + round, character: r.start.character }, end: { line: r.end.line + round, character: r.end.character } });
  const { path, fragment, meta } = file.update;
  const next: GraphFragment = {
    entities: fragment.entities.map((e): Entity => ({ ...e, range: shift(e.range) })),
    relationships: fragment.relationships.map((r): Relationship => ({ ...r, range: shift(r.range) })),
  };
  return { update: { path, fragment: next, meta: { ...meta, contentHash: `${meta.contentHash}+${round}` } }, slice: file.slice };
}

/** One pipeline batch: the same calls, in the same transaction shape, as IngestPipeline.apply. */
function applyBatch(store: GraphStore, batch: BenchFile[]): void {
  store.transaction(() => {
    store.applyFiles(batch.map((b) => b.update));
    for (const b of batch) store.setCatalogSlice(b.update.path, b.slice);
  });
}

function storedRows(store: GraphStore, paths: Iterable<string>): number {
  let rows = 0;
  for (const path of paths) {
    const f = store.file(path);
    if (f) rows += f.entityCount + f.relationshipCount;
  }
  return rows;
}

/** Wall and main-thread CPU seconds: the machine is shared, so CPU time is the steadier figure. */
interface Timing {
  wall: number;
  cpu: number;
}

function timed(run: () => void): Timing {
  const cpu = process.threadCpuUsage();
  const started = performance.now();
  run();
  const used = process.threadCpuUsage(cpu);
  return { wall: (performance.now() - started) / 1000, cpu: (used.user + used.system) / 1e6 };
}

/**
 * Applies `count` files in pipeline batches. Copies are made batch by batch
 * and dropped after, as the pipeline drops fragments once applied: holding
 * all of them would make the garbage collector, not the store, the cost.
 * Only the applies (and the deferred index build) are timed.
 */
function coldLoad(store: GraphStore, fileAt: (i: number) => BenchFile, count: number): Timing {
  const total: Timing = { wall: 0, cpu: 0 };
  const add = (t: Timing) => {
    total.wall += t.wall;
    total.cpu += t.cpu;
  };
  for (let i = 0; i < count; i += CHUNK) {
    const batch = Array.from({ length: Math.min(CHUNK, count - i) }, (_, j) => fileAt(i + j));
    add(timed(() => applyBatch(store, batch)));
  }
  add(timed(() => store.findEntities('none', { match: 'exact' }))); // the deferred index build: the store is ready to query
  return total;
}

function rate(files: number, rows: number, t: Timing): string {
  const at = (seconds: number) => `${(files / seconds).toFixed(0).padStart(6)} files/s ${(rows / seconds / 1000).toFixed(0).padStart(5)}k rows/s`;
  return `${at(t.wall)} (${(t.wall * 1000).toFixed(0)} ms wall) | by CPU time ${at(t.cpu)} (${(t.cpu * 1000).toFixed(0)} ms)`;
}

function timeQuery(label: string, run: () => number): void {
  const started = performance.now();
  const n = run();
  console.log(`  ${label.padEnd(34)} ${((performance.now() - started) * 1000).toFixed(0).padStart(7)} µs  (${n} results)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '10000' }, fresh: { type: 'boolean', default: false }, keep: { type: 'boolean', default: false } } });
  const total = Number(values.files);
  const base = await baseFiles(values.fresh ?? false);
  const fileAt = (i: number) => replicated(base, i);
  const pathsUpTo = (count: number) => Array.from({ length: count }, (_, i) => (i < base.length ? '' : `copy${Math.floor(i / base.length)}/`) + base[i % base.length]!.update.path);

  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-storebench-'));
  try {
    // The first 1,000 files alone: the size of the project's cold-ingest target.
    let store = openGraphStore(join(dir, 'small.db'));
    const small = Math.min(1000, total);
    const smallTime = coldLoad(store, fileAt, small);
    const smallRows = storedRows(store, pathsUpTo(small));
    store.close();
    console.log(`cold load ${small} files:   ${rate(small, smallRows, smallTime)}`);

    const path = join(dir, 'graph.db');
    store = openGraphStore(path);
    const loadTime = coldLoad(store, fileAt, total);
    const rows = storedRows(store, pathsUpTo(total));
    console.log(`cold load ${total} files:  ${rate(total, rows, loadTime)}  ${(rows / total).toFixed(0)} rows/file`);

    // Re-apply 50 edited files spread over the store, as one pipeline batch, a few rounds.
    const stride = Math.floor(total / CHANGED);
    const times: Timing[] = [];
    let changedRows = 0;
    for (let round = 1; round <= 5; round++) {
      const batch = Array.from({ length: CHANGED }, (_, i) => edited(fileAt((i * stride + round * 7) % total), round));
      times.push(timed(() => applyBatch(store, batch)));
      changedRows = storedRows(store, batch.map((b) => b.update.path));
    }
    times.sort((a, b) => a.wall - b.wall);
    console.log(`re-apply ${CHANGED} files (median of 5):  ${rate(CHANGED, changedRows, times[2]!)}`);

    console.log('queries:');
    const sample = base[0]!.update.fragment;
    const table = sample.relationships.find((r) => r.type === 'WRITES_TO')?.to ?? sample.entities[0]!.key;
    timeQuery(`readersOf(${table})`, () => store.readersOf(table).length);
    timeQuery('readersOf again (decoded files cached)', () => store.readersOf(table).length);
    timeQuery('writersOf', () => store.writersOf(table).length);
    timeQuery('definitionOf', () => (store.definitionOf(table) ? 1 : 0));
    // The most-read key of the base workspace: a hub.
    const readers = new Map<string, number>();
    for (const b of base) for (const r of b.update.fragment.relationships) if (r.type === 'READS_FROM') readers.set(r.to, (readers.get(r.to) ?? 0) + 1);
    const hub = [...readers].sort((a, b) => b[1] - a[1])[0]?.[0] ?? table;
    timeQuery(`readersOf(${hub})`, () => store.readersOf(hub).length);
    timeQuery('writersOf', () => store.writersOf(hub).length);
    timeQuery('definitionOf', () => (store.definitionOf(hub) ? 1 : 0));
    timeQuery('lineage downstream depth 3', () => store.lineage(hub, { direction: 'downstream', depth: 3 }).nodes.length);
    timeQuery('lineage downstream depth 3', () => store.lineage(table, { direction: 'downstream', depth: 3 }).nodes.length);
    timeQuery('lineage upstream depth 3', () => store.lineage(table, { direction: 'upstream', depth: 3 }).nodes.length);
    timeQuery("findEntities('customer')", () => store.findEntities('customer').length);
    timeQuery('childrenOf', () => store.childrenOf(table).length);
    const keys = sample.entities.filter((e) => e.defined && e.kind === 'table').map((e) => e.key);
    timeQuery(`filesContributing(${keys.length} keys)`, () => store.filesContributing(keys).length);
    timeQuery('fileContribution', () => store.fileContribution(sample.entities[0]!.file)?.relationships.length ?? 0);
    timeQuery('fileHashes', () => store.fileHashes().size);
    timeQuery('catalogSlices', () => store.catalogSlices().length);
    timeQuery('counts', () => store.counts().files);
    timeQuery("entitiesOfKind('table', 100, 1000)", () => store.entitiesOfKind('table', 100, 1000).length);
    let started = performance.now();
    const exported = store.exportAll();
    console.log(`  exportAll: ${exported.entities.length} entities, ${exported.relationships.length} relationships in ${(performance.now() - started).toFixed(0)} ms`);
    store.close();
    console.log(`database size: ${(statSync(path).size / 1e6).toFixed(1)} MB for ${total} files`);
    started = performance.now();
    store = openGraphStore(path);
    console.log(`reopen (quick_check): ${(performance.now() - started).toFixed(0)} ms`);
    store.close();
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
