import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { extractFiles, type ExtractionResult } from '../engine/extract/extractFiles.ts';
import { discoverSqlFiles } from '../engine/fs/discover.ts';
import { isDialect, type DialectSetting } from '../engine/model/dialect.ts';
import { createBackends, DEFAULT_BACKEND_ORDER, isBackendId, type BackendId } from '../engine/parse/backends.ts';
import type { CliStreams } from './run.ts';
import { UsageError } from './usageError.ts';

interface ExtractArgs {
  values: { dialect?: string; backends?: string; 'default-schema'?: string; json?: boolean };
  positionals: string[];
}

export async function extractCommand(args: ExtractArgs, streams: CliStreams): Promise<number> {
  if (args.positionals.length === 0) throw new UsageError('extract needs at least one file or folder');
  const dialect = args.values.dialect ?? 'auto';
  if (dialect !== 'auto' && !isDialect(dialect)) throw new UsageError(`unknown dialect '${dialect}'`);
  const order = parseBackendOrder(args.values.backends);
  for (const input of args.positionals) if (!existsSync(input)) throw new UsageError(`no such file or folder: ${input}`);

  const backends = await createBackends(order);
  const paths = discoverSqlFiles(args.positionals);
  const root = args.positionals.length === 1 && !/\.sql$/i.test(args.positionals[0] ?? '') ? resolve(args.positionals[0] ?? '.') : process.cwd();
  const { result } = extractFiles(paths, {
    dialect: dialect as DialectSetting,
    backends,
    root,
    ...(args.values['default-schema'] !== undefined ? { defaultSchema: args.values['default-schema'] } : {}),
  });

  if (args.values.json) streams.out.write(`${JSON.stringify(result)}\n`);
  else streams.out.write(formatSummary(result));
  return result.files.some((f) => f.diagnostics.some((d) => d.code === 'internal-error')) ? 1 : 0;
}

function parseBackendOrder(list: string | undefined): readonly BackendId[] {
  if (list === undefined) return DEFAULT_BACKEND_ORDER;
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!isBackendId(id)) throw new UsageError(`unknown parser backend '${id}' (use sqlparser-rs, node-sql-parser)`);
  if (ids.length === 0) throw new UsageError('--backends needs at least one backend');
  return ids as BackendId[];
}

function formatSummary(result: ExtractionResult): string {
  const lines: string[] = [];
  const statements = result.files.reduce((n, f) => n + f.statements, 0);
  const parsed = result.files.reduce((n, f) => n + f.parsed, 0);
  const fallback = result.files.reduce((n, f) => n + f.fallback, 0);
  lines.push(`${result.files.length} files, ${statements} statements, ${parsed} parsed, ${fallback} recovered by token scan`);

  const byKind = new Map<string, number>();
  for (const e of result.entities) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  lines.push(`Entities: ${[...byKind].sort().map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);
  const byType = new Map<string, number>();
  for (const r of result.relationships) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  lines.push(`Relationships: ${[...byType].sort().map(([k, n]) => `${n} ${k}`).join(', ') || 'none'}`);

  for (const file of result.files) {
    for (const d of file.diagnostics) {
      if (d.severity === 'info') continue;
      lines.push(`${file.path}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
