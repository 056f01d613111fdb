import { summarise } from '../extract/extractFiles.ts';
import type { ParsedFile } from '../model/parsed.ts';
import type { FileMeta } from '../store/types.ts';

/** What the store records of a parsed file besides its contribution; `key` is its content hash (cacheKey). */
export function fileMeta(file: ParsedFile, key: string): FileMeta {
  const s = summarise(file, 0);
  return { contentHash: key, dialect: file.dialect, statements: s.statements, parsed: s.parsed, fallback: s.fallback, diagnostics: file.diagnostics };
}
