import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { summarise } from '../../src/engine/extract/extractFiles.ts';
import { parseFile } from '../../src/engine/extract/parseFile.ts';
import { discoverSqlFiles } from '../../src/engine/fs/discover.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { DialectMemory } from '../../src/engine/parse/dialectDetect.ts';

export interface CorpusInventory {
  corpus: string;
  files: number;
  bytes: number;
  statements: number;
  /** Share of statements parsed, with the default backend order. */
  parseRate: number;
  /** Share parsed by each backend alone. */
  parseRateByBackend: Record<string, number>;
  fallbackRate: number;
  diagnostics: { error: number; warning: number; info: number };
  crashes: string[];
  seconds: number;
  slowestFile: { path: string; seconds: number };
  filesOver5s: string[];
}

/** Runs every .sql file of every corpus through the parser with each backend order. */
export function inventory(corpus: string, backends: readonly ParserBackend[], onCorpus?: (name: string) => void): CorpusInventory[] {
  const corpora = readdirSync(corpus, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  return corpora.map((name) => {
    onCorpus?.(name);
    const root = join(corpus, name);
    const paths = discoverSqlFiles([root]);
    const row: CorpusInventory = {
      corpus: name,
      files: paths.length,
      bytes: 0,
      statements: 0,
      parseRate: 0,
      parseRateByBackend: {},
      fallbackRate: 0,
      diagnostics: { error: 0, warning: 0, info: 0 },
      crashes: [],
      seconds: 0,
      slowestFile: { path: '', seconds: 0 },
      filesOver5s: [],
    };
    const parsedBy = new Map<string, number>();
    let parsed = 0;
    let fallback = 0;
    const memory = new DialectMemory();
    for (const path of paths) {
      const bytes = readFileSync(path);
      const display = relative(root, path);
      row.bytes += bytes.length;
      const started = performance.now();
      try {
        const file = parseFile(display, bytes, { dialect: 'auto', backends, memory });
        const seconds = (performance.now() - started) / 1000;
        const summary = summarise(file, seconds * 1000);
        row.statements += summary.statements;
        parsed += summary.parsed;
        fallback += file.statements.filter((s) => s.fallback && !s.owner).length;
        for (const d of summary.diagnostics) row.diagnostics[d.severity]++;
        if (summary.diagnostics.some((d) => d.code === 'internal-error')) row.crashes.push(display);
        row.seconds += seconds;
        if (seconds > row.slowestFile.seconds) row.slowestFile = { path: display, seconds };
        if (seconds > 5) row.filesOver5s.push(display);
      } catch (error) {
        row.crashes.push(`${display}: ${error instanceof Error ? error.message : String(error)}`);
      }
      for (const backend of backends) {
        try {
          const alone = summarise(parseFile(display, bytes, { dialect: 'auto', backends: [backend], memory: new DialectMemory() }), 0);
          parsedBy.set(backend.id, (parsedBy.get(backend.id) ?? 0) + alone.parsed);
        } catch {
          // counted as a crash above already
        }
      }
    }
    row.parseRate = row.statements === 0 ? 1 : parsed / row.statements;
    row.fallbackRate = row.statements === 0 ? 0 : fallback / row.statements;
    for (const b of backends) row.parseRateByBackend[b.id] = row.statements === 0 ? 1 : (parsedBy.get(b.id) ?? 0) / row.statements;
    return row;
  });
}
