/**
 * Single-core speed of the work every ingested file needs at the least:
 * its parse as the pipeline does it (split, then each statement through the
 * backends, routine bodies included) and its extraction (resolution against
 * the catalog), warm, with no reading, hashing, caching, messaging or
 * storing. Set beside the raw parser's speed, it bounds what any pipeline
 * built on that parser can reach.
 */
import { buildCatalog } from '../../src/engine/extract/catalog.ts';
import { nameOptionsFor } from '../../src/engine/extract/extractFiles.ts';
import { parseText } from '../../src/engine/extract/parseFile.ts';
import { resolveFile } from '../../src/engine/extract/resolve.ts';
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';

export interface ExtractSpeed {
  files: number;
  /** Parsing alone (split and parse of every statement). */
  parseFilesPerSecond: number;
  /** Parsing and extraction. */
  filesPerSecond: number;
}

export function measureExtractSpeed(backends: readonly ParserBackend[], files: readonly { path: string; text: string }[], dialect: Dialect, rounds = 3): ExtractSpeed {
  const parseAll = (): ParsedFile[] => files.map((f) => parseText(f.path, f.text, 'utf-8', { dialect, backends }));
  const timed = <T>(work: () => T): { seconds: number; result: T } => {
    const started = performance.now();
    const result = work();
    return { seconds: (performance.now() - started) / 1000, result };
  };
  // Warm-up, then the best of `rounds` passes (as measureParserSpeed).
  let parsed = parseAll();
  let parseSeconds = Infinity;
  for (let i = 0; i < rounds; i++) {
    const pass = timed(parseAll);
    parseSeconds = Math.min(parseSeconds, pass.seconds);
    parsed = pass.result;
  }
  const catalog = buildCatalog(parsed, (f) => nameOptionsFor(f, undefined));
  const resolveAll = (): void => {
    for (const f of parsed) resolveFile(f, catalog, nameOptionsFor(f, undefined));
  };
  resolveAll();
  let resolveSeconds = Infinity;
  for (let i = 0; i < rounds; i++) resolveSeconds = Math.min(resolveSeconds, timed(resolveAll).seconds);
  return { files: files.length, parseFilesPerSecond: files.length / parseSeconds, filesPerSecond: files.length / (parseSeconds + resolveSeconds) };
}
