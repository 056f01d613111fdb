/**
 * `npm run accuracy`: scores the extractor against the ground truths in the
 * shared corpus and runs every corpus file through the parser. Prints a table
 * and writes accuracy-results/accuracy.json. Exit code 1 when a target of the
 * foundation issue is missed, 2 when the corpus is absent.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createBackends } from '../src/engine/parse/backends.ts';
import { corpusAvailable, corpusRoot, missingCorpusMessage, REPO_ROOT } from './accuracy/corpus.ts';
import type { PrecisionRecall } from './accuracy/graphView.ts';
import { inventory } from './accuracy/inventory.ts';
import { scoreJaffle } from './accuracy/jaffle.ts';
import { scorePagila } from './accuracy/pagila.ts';
import { scoreTpch } from './accuracy/tpch.ts';

if (!corpusAvailable()) {
  console.error(`accuracy: ${missingCorpusMessage()}`);
  process.exit(2);
}
const corpus = corpusRoot();
const backends = await createBackends();
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const pr = (p: PrecisionRecall): string => `recall ${pct(p.recall)} (${p.truePositives}/${p.expected}), precision ${pct(p.precision)} (${p.truePositives}/${p.found})`;

const tpch = scoreTpch(corpus, backends);
const pagila = scorePagila(corpus, backends);
const jaffle = scoreJaffle(corpus, backends);
console.log('Ground truth');
console.log(`  TPC-H tables   ${pr(tpch.tables)}`);
console.log(`  TPC-H columns  ${pr(tpch.columns)}`);
for (const q of tpch.queries) {
  const misses = [...q.tables.missing, ...q.columns.missing].map((m) => `-${m}`);
  const extras = [...q.tables.extra, ...q.columns.extra].map((m) => `+${m}`);
  if (misses.length + extras.length > 0) console.log(`    ${q.query}: ${[...misses, ...extras].join(' ')}`);
}
console.log(`  pagila tables  ${pr(pagila.tables)}`);
console.log(`  pagila columns ${pr(pagila.columns)}`);
console.log(`  pagila FKs     ${pr(pagila.foreignKeys)}`);
console.log(`  pagila views   ${pr(pagila.views)}; without dependencies: ${pagila.viewsWithoutDependencies.length}; on unknown relations: ${pagila.dependenciesOnUnknownRelations.length}`);
for (const [v, deps] of Object.entries(pagila.viewDependencies)) console.log(`    ${v} -> ${deps.join(', ')}`);
for (const p of [pagila.tables, pagila.columns, pagila.foreignKeys, pagila.views]) {
  if (p.missing.length + p.extra.length > 0) console.log(`    missing: ${p.missing.slice(0, 10).join(', ')} extra: ${p.extra.slice(0, 10).join(', ')}`);
}
console.log(`  jaffle refs    ${pr(jaffle.dependsOn)}`);
console.log(`  jaffle reads   ${pr(jaffle.readsFrom)}`);

console.log('\nCorpora (dialect auto, default backend order)');
const rows = inventory(corpus, backends, (name) => process.stderr.write(`  … ${name}\n`));
const header = ['corpus', 'files', 'MB', 'stmts', 'parsed', ...backends.map((b) => b.id), 'fallback', 'err', 'warn', 'crash', 'seconds', 'slowest file s'];
const table = rows.map((r) => [
  r.corpus,
  String(r.files),
  (r.bytes / 1e6).toFixed(2),
  String(r.statements),
  pct(r.parseRate),
  ...backends.map((b) => pct(r.parseRateByBackend[b.id] ?? 0)),
  pct(r.fallbackRate),
  String(r.diagnostics.error),
  String(r.diagnostics.warning),
  String(r.crashes.length),
  r.seconds.toFixed(2),
  r.slowestFile.seconds.toFixed(2),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => (row[i] ?? '').length)));
const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
console.log(line(header));
for (const row of table) console.log(line(row));

const failures: string[] = [];
const perfect = (p: PrecisionRecall): boolean => p.recall === 1 && p.precision === 1;
if (!tpch.queries.every((q) => perfect(q.tables))) failures.push('TPC-H table recall/precision below 100% on some query');
if (tpch.columns.recall < 0.95 || tpch.columns.precision < 0.95) failures.push('TPC-H columns below 95%');
if (pagila.tables.truePositives !== pagila.tables.expected) failures.push('pagila tables incomplete');
if (pagila.foreignKeys.truePositives !== pagila.foreignKeys.expected) failures.push('pagila foreign keys incomplete');
if (!perfect(pagila.views) || pagila.viewsWithoutDependencies.length > 0) failures.push('pagila views or their dependencies incomplete');
if (!perfect(jaffle.dependsOn)) failures.push('jaffle_shop ref/source edges differ');
for (const r of rows) {
  if (r.crashes.length > 0) failures.push(`${r.corpus}: crashes in ${r.crashes.join(', ')}`);
  if (r.filesOver5s.length > 0) failures.push(`${r.corpus}: files over 5 s: ${r.filesOver5s.join(', ')}`);
}

const outDir = join(REPO_ROOT, 'accuracy-results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'accuracy.json'), `${JSON.stringify({ date: new Date().toISOString(), node: process.version, tpch, pagila, jaffle, corpora: rows, failures }, null, 2)}\n`);
console.log(`\nWrote ${join(outDir, 'accuracy.json')}`);
if (failures.length > 0) {
  console.log(`\nTargets missed:\n  ${failures.join('\n  ')}`);
  process.exitCode = 1;
} else console.log('\nAll accuracy targets met.');
