/**
 * `npm run bench`: the ingestion pipeline's speed and memory on seeded
 * synthetic workspaces (1,000 and 10,000 files of ~4 KB) and the real corpora.
 * Prints figures and writes bench-results/bench.json. Not a test: nothing
 * here passes or fails.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBackends } from '../src/engine/parse/backends.ts';
import { corpusAvailable, corpusRoot, REPO_ROOT } from './accuracy/corpus.ts';
import { measureParserSpeed } from './bench/parserSpeed.ts';
import { measureExtractSpeed } from './bench/extractSpeed.ts';
import { measureParallelParse } from './bench/parallelParse.ts';
import { ENGINE_EXEC_ARGV, engineEnv } from '../src/engine/runtime/engineProcess.ts';
import { generateCorpus, writeCorpus } from './bench/synthCorpus.ts';

const sizes = (process.env['SQLGRAPH_BENCH_SIZES'] ?? '1000,10000').split(',').map(Number);
const scratch = mkdtempSync(join(tmpdir(), 'sqlgraph-bench-'));
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cores: (await import('node:os')).availableParallelism() };

function scenario(name: string, dir: string, env: Record<string, string> = {}): Record<string, number | object> {
  // Started as the language server and the CLI start the process that runs the pipeline.
  const out = execFileSync(process.execPath, [...ENGINE_EXEC_ARGV, join(REPO_ROOT, 'scripts', 'bench', 'scenario.ts'), name, dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...engineEnv(), ...env },
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as Record<string, number | object>;
}
const f = (x: unknown, digits = 0): string => (typeof x === 'number' ? x.toFixed(digits) : String(x));

try {
  // Raw parser speed, one core, on the same files as the pipeline.
  const backends = await createBackends();
  const sampleFiles = generateCorpus({ files: 1000, seed: 1 });
  const sample = sampleFiles.map((file) => file.text);
  const parsers = backends.map((b) => measureParserSpeed(b, sample, 'postgresql', 2));
  results['parsers'] = parsers;
  console.log('Parser backends, one core, 1,000 synthetic files:');
  for (const p of parsers) console.log(`  ${p.backend.padEnd(16)} ${f(p.filesPerSecond)} files/s, ${f(p.megabytesPerSecond, 2)} MB/s, ${p.parsed}/${p.statements} statements`);
  const fastestParser = parsers.reduce((a, b) => (b.filesPerSecond > a.filesPerSecond ? b : a));
  const fastest = fastestParser.filesPerSecond;
  // The same loop in every core at once, with nothing else running: what the cold ingest's ratio can reach at best.
  const ceiling = await measureParallelParse(fastestParser.backend, sample, 'postgresql');
  results['parallelParse'] = ceiling;
  console.log(`  ${ceiling.backend} in ${ceiling.threads} threads at once, parse only: ${f(ceiling.filesPerSecond)} files/s (${f((ceiling.filesPerSecond / (ceiling.threads * fastest)) * 100, 1)}% of ${ceiling.threads} × one core)`);
  // What every file needs at the least, on one core: parsed as the pipeline parses it, and its entities and lineage extracted.
  const extract = measureExtractSpeed(backends, sampleFiles, 'postgresql');
  results['extract'] = extract;
  console.log(`  split + parse a file (backends in order), one core: ${f(extract.parseFilesPerSecond)} files/s; with extraction: ${f(extract.filesPerSecond)} files/s (${f((extract.filesPerSecond / fastest) * 100, 1)}% of the fastest parser alone)`);

  for (const n of sizes) {
    const dir = join(scratch, `synthetic-${n}`);
    mkdirSync(dir, { recursive: true });
    const bytes = writeCorpus(dir, generateCorpus({ files: n, seed: 1 }));
    console.log(`\nSynthetic workspace: ${n} files, ${(bytes / 1e6).toFixed(1)} MB`);
    const cold = scenario('cold', dir);
    const warmUnchanged = scenario('warm-unchanged', dir);
    const warmHits = scenario('warm-hits', dir);
    const row: Record<string, unknown> = { files: n, bytes, cold, warmUnchanged, warmHits };
    console.log(`  cold ingest:            ${f(cold['filesPerSecond'])} files/s, ${f(cold['mbPerSecond'], 2)} MB/s, peak RSS ${f(cold['peakRssMb'])} MB (${f(((cold['filesPerSecond'] as number) / (2 * fastest)) * 100, 1)}% of 2 × fastest parser)`);
    console.log(`  warm, unchanged files:  ${f(warmUnchanged['filesPerSecond'])} files/s`);
    console.log(`  warm, all cache hits:   ${f(warmHits['filesPerSecond'])} files/s (hit rate ${f((warmHits['hitRate'] as number) * 100, 1)}%)`);
    if (n === sizes[0]) {
      const saves = scenario('saves', dir);
      row['saves'] = saves;
      console.log(`  save → commit, idle (realtime): p50 ${f(saves['p50'], 1)} ms, p95 ${f(saves['p95'], 1)} ms, p99 ${f(saves['p99'], 1)} ms`);
    }
    if (n === sizes[sizes.length - 1]) {
      const during = scenario('saves-during-ingest', dir);
      row['savesDuringIngest'] = during;
      console.log(`  save → commit during a ${n}-file cold ingest: p50 ${f(during['p50'], 1)} ms, p95 ${f(during['p95'], 1)} ms (${f(during['saves'])} saves)`);
    }
    results[`synthetic-${n}`] = row;
    rmSync(dir, { recursive: true, force: true });
  }
  const timeCold = sizes.map((n) => (results[`synthetic-${n}`] as { cold: { summary: { seconds: number } } }).cold.summary.seconds);
  if (timeCold.length === 2) console.log(`\nScaling: ${sizes[1]} files took ${f((timeCold[1] ?? 0) / (timeCold[0] ?? 1), 1)}× the time of ${sizes[0]}`);

  // One ~1 MB file: an edit to one statement re-parses that statement only.
  const bigDir = join(scratch, 'big');
  mkdirSync(bigDir, { recursive: true });
  let big = '';
  for (const file of generateCorpus({ files: 400, seed: 5 })) {
    if (big.length > 1_000_000) break;
    big += file.text;
  }
  writeFileSync(join(bigDir, 'big.sql'), big);
  const bigEdit = scenario('big-file-edit', bigDir);
  results['bigFileEdit'] = bigEdit;
  console.log(`\nEdit one statement of a ${f((bigEdit['bytes'] as number) / 1e6, 2)} MB file: median ${f(bigEdit['median'], 1)} ms (${(bigEdit['editMillis'] as number[]).map((x) => x.toFixed(0)).join(', ')} ms)`);

  if (corpusAvailable()) {
    // The corpus is read-only: its graph and cache go to the scratch folder.
    const real = scenario('cold', corpusRoot(), { SQLGRAPH_BENCH_STATE: join(scratch, 'corpus-state'), SQLGRAPH_BENCH_DIALECT: 'auto' });
    results['realCorpora'] = real;
    console.log(`\nReal corpora (${corpusRoot()}): cold ${f(real['filesPerSecond'])} files/s, ${f(real['mbPerSecond'], 2)} MB/s`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const outDir = join(REPO_ROOT, 'bench-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bench.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nWrote ${join(outDir, 'bench.json')}`);
