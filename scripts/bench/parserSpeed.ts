/**
 * Single-core speed of each parser backend on the same statements: the raw
 * `parse` of the backend (its library call plus translation to the neutral
 * model), no splitting, extraction or storage. The pipeline's efficiency is
 * reported as a ratio to the fastest of these.
 */
import type { Dialect } from '../../src/engine/model/dialect.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { splitStatements } from '../../src/engine/text/splitter.ts';

export interface ParserSpeed {
  backend: ParserBackend['id'];
  files: number;
  statements: number;
  parsed: number;
  seconds: number;
  filesPerSecond: number;
  statementsPerSecond: number;
  megabytesPerSecond: number;
}

/** Each file's statement texts, split before any timing starts. */
export function statementTexts(texts: readonly string[], dialect: Dialect): string[][] {
  return texts.map((t) => splitStatements(t, { dialect }).statements.map((s) => s.text));
}

/** One timed pass of the backend over every statement; a statement it rejects is counted as not parsed. */
export function parsePass(backend: ParserBackend, statements: readonly (readonly string[])[], dialect: Dialect): { seconds: number; parsed: number } {
  let parsed = 0;
  const started = performance.now();
  for (const file of statements) {
    for (const s of file) {
      try {
        backend.parse(s, dialect);
        parsed++;
      } catch {
        // counted as not parsed
      }
    }
  }
  return { seconds: (performance.now() - started) / 1000, parsed };
}

export function measureParserSpeed(backend: ParserBackend, texts: readonly string[], dialect: Dialect, rounds = 3): ParserSpeed {
  const statements = statementTexts(texts, dialect);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const count = statements.reduce((n, s) => n + s.length, 0);
  const pass = (): { seconds: number; parsed: number } => parsePass(backend, statements, dialect);
  pass(); // warm-up: both parsers reach steady state only after a few hundred calls
  let best = pass();
  for (let i = 1; i < rounds; i++) {
    const r = pass();
    if (r.seconds < best.seconds) best = r;
  }
  return {
    backend: backend.id,
    files: texts.length,
    statements: count,
    parsed: best.parsed,
    seconds: best.seconds,
    filesPerSecond: texts.length / best.seconds,
    statementsPerSecond: count / best.seconds,
    megabytesPerSecond: bytes / 1e6 / best.seconds,
  };
}
