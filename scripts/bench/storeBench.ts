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

/** Copy `copy` of the base workspace: its own paths and keys, the same shape. */
function replicate(base: BenchFile[], copy: number): BenchFile[] {
  if (copy === 0) return base;
  const prefix = `copy${copy}/`;
  const key = (k: string): string => (k.startsWith('file:') ? `file:${prefix}${k.slice(5)}` : `${k}~${copy}`);
  return base.map(({ update, slice }) => {
    const path = prefix + update.path;
    const entities = update.fragment.entities.map((e) => {
      const moved: Entity = { ...e, key: key(e.key), file: path };
      if (e.parent !== undefined) moved.parent = key(e.parent);
      return moved;
    });
    const relationships = update.fragment.relationships.map((r) => ({ ...r, from: key(r.from), to: key(r.to), file: path }));
    return { update: { path, fragment: { entities, relationships }, meta: { ...update.meta, contentHash: `h${path}` } }, slice };
  });
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

function coldLoad(store: GraphStore, files: BenchFile[]): number {
  const started = performance.now();
  for (let i = 0; i < files.length; i += CHUNK) applyBatch(store, files.slice(i, i + CHUNK));
  store.readersOf('rel:none'); // counts the deferred index build, so the store is ready to query
  return (performance.now() - started) / 1000;
}

function rate(files: number, rows: number, seconds: number): string {
  return `${(files / seconds).toFixed(0).padStart(6)} files/s ${(rows / seconds / 1000).toFixed(0).padStart(5)}k rows/s (${(seconds * 1000).toFixed(0)} ms)`;
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
  const files: BenchFile[] = [];
  for (let copy = 0; files.length < total; copy++) files.push(...replicate(base, copy));
  files.length = total;

  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-storebench-'));
  try {
    // The first 1,000 files alone: the size of the project's cold-ingest target.
    let store = openGraphStore(join(dir, 'small.db'));
    const small = files.slice(0, 1000);
    const smallSeconds = coldLoad(store, small);
    const smallRows = storedRows(store, small.map((f) => f.update.path));
    store.close();
    console.log(`cold load ${small.length} files:   ${rate(small.length, smallRows, smallSeconds)}`);

    const path = join(dir, 'graph.db');
    store = openGraphStore(path);
    const seconds = coldLoad(store, files);
    const rows = storedRows(store, files.map((f) => f.update.path));
    console.log(`cold load ${files.length} files:  ${rate(files.length, rows, seconds)}  ${(rows / files.length).toFixed(0)} rows/file`);

    // Re-apply 50 edited files spread over the store, as one pipeline batch, a few rounds.
    const stride = Math.floor(files.length / CHANGED);
    const times: number[] = [];
    let changedRows = 0;
    for (let round = 1; round <= 5; round++) {
      const batch = Array.from({ length: CHANGED }, (_, i) => edited(files[(i * stride + round * 7) % files.length]!, round));
      const started = performance.now();
      applyBatch(store, batch);
      times.push((performance.now() - started) / 1000);
      changedRows = storedRows(store, batch.map((b) => b.update.path));
    }
    times.sort((a, b) => a - b);
    console.log(`re-apply ${CHANGED} files (median of 5):  ${rate(CHANGED, changedRows, times[2]!)}`);

    console.log('queries:');
    const sample = base[0]!.update.fragment;
    const table = sample.relationships.find((r) => r.type === 'WRITES_TO')?.to ?? sample.entities[0]!.key;
    timeQuery(`readersOf(${table})`, () => store.readersOf(table).length);
    timeQuery('writersOf', () => store.writersOf(table).length);
    timeQuery('definitionOf', () => (store.definitionOf(table) ? 1 : 0));
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
    let started = performance.now();
    const exported = store.exportAll();
    console.log(`  exportAll: ${exported.entities.length} entities, ${exported.relationships.length} relationships in ${(performance.now() - started).toFixed(0)} ms`);
    store.close();
    console.log(`database size: ${(statSync(path).size / 1e6).toFixed(1)} MB for ${files.length} files`);
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
