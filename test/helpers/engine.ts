import { parseText, type ParseOptions } from '../../src/engine/extract/parseFile.ts';
import type { DialectSetting } from '../../src/engine/model/dialect.ts';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { createBackends } from '../../src/engine/parse/backends.ts';

let backends: Promise<ParserBackend[]> | undefined;

/** The default backends, initialised once per test process. */
export function defaultBackends(): Promise<ParserBackend[]> {
  backends ??= createBackends();
  return backends;
}

export async function parseSql(text: string, options: { path?: string; dialect?: DialectSetting } = {}): Promise<ParsedFile> {
  const parseOptions: ParseOptions = { dialect: options.dialect ?? 'auto', backends: await defaultBackends() };
  return parseText(options.path ?? 'test.sql', text, 'utf-8', parseOptions);
}
