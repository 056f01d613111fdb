import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { DialectSetting } from '../model/dialect.ts';
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Entity, Relationship } from '../model/graph.ts';
import type { ParsedFile } from '../model/parsed.ts';
import type { ParserBackend } from '../parse/backend.ts';
import { DialectMemory } from '../parse/dialectDetect.ts';
import { buildCatalog } from './catalog.ts';
import { mergeFragments } from './merge.ts';
import type { NameOptions } from './names.ts';
import { parseFile } from './parseFile.ts';
import { resolveFile } from './resolve.ts';

export interface ExtractOptions {
  dialect: DialectSetting;
  backends: readonly ParserBackend[];
  defaultSchema?: string;
  /** Paths in the output are relative to this folder. */
  root: string;
}

export interface FileSummary {
  path: string;
  dialect: string;
  encoding: string;
  statements: number;
  parsed: number;
  fallback: number;
  diagnostics: Diagnostic[];
  millis: number;
}

/** The stable JSON shape of `sqlgraph extract --json`: other tools read it. */
export interface ExtractionResult {
  files: FileSummary[];
  entities: Entity[];
  relationships: Relationship[];
}

export function nameOptionsFor(file: ParsedFile, defaultSchema: string | undefined): NameOptions {
  return { dialect: file.dialect, ...(defaultSchema !== undefined ? { defaultSchema } : {}) };
}

export function extractFiles(paths: readonly string[], options: ExtractOptions): { result: ExtractionResult; parsed: ParsedFile[] } {
  const memory = new DialectMemory();
  const parsed: ParsedFile[] = [];
  const files: FileSummary[] = [];
  for (const path of paths) {
    const started = performance.now();
    const display = relative(options.root, path) || path;
    let file: ParsedFile;
    try {
      file = parseFile(display, readFileSync(path), { dialect: options.dialect, backends: options.backends, memory });
    } catch (error) {
      // An unreadable file or an engine bug costs this file only.
      file = {
        path: display,
        dialect: options.dialect === 'auto' ? 'generic' : options.dialect,
        encoding: 'unknown',
        statements: [],
        statementCount: 0,
        diagnostics: [
          {
            severity: 'error',
            code: 'internal-error',
            message: `Could not process this file: ${error instanceof Error ? error.message : String(error)}`,
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          },
        ],
      };
    }
    parsed.push(file);
    files.push(summarise(file, performance.now() - started));
  }
  const catalog = buildCatalog(parsed, (f) => nameOptionsFor(f, options.defaultSchema));
  const fragments = parsed.map((f) => resolveFile(f, catalog, nameOptionsFor(f, options.defaultSchema)));
  const graph = mergeFragments(fragments);
  return { result: { files, entities: graph.entities, relationships: graph.relationships }, parsed };
}

export function summarise(file: ParsedFile, millis: number): FileSummary {
  // Body statements of routines are counted inside their routine's statement.
  const topLevel = file.statements.filter((s) => !s.owner);
  return {
    path: file.path,
    dialect: file.dialect,
    encoding: file.encoding,
    statements: file.statementCount,
    parsed: topLevel.filter((s) => s.backend !== undefined).length,
    fallback: file.statements.filter((s) => s.fallback !== undefined).length,
    diagnostics: file.diagnostics,
    millis: Math.round(millis * 10) / 10,
  };
}
