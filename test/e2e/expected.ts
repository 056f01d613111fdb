/**
 * The expected figures, computed independently of the extension: the project's
 * CLI ingests the same workspace copy into an in-memory store with no cache.
 */
import { join } from 'node:path';
import { runCommand } from './processes.ts';

export interface ExpectedCounts {
  /** All entities, as the status bar counts them. */
  entities: number;
  byKind: Record<string, number>;
  files: number;
}

export async function cliCounts(repo: string, workspace: string, timeoutMs = 5 * 60_000): Promise<ExpectedCounts> {
  const result = await runCommand(process.execPath, [join(repo, 'src', 'cli', 'main.ts'), 'ingest', workspace, '--store', ':memory:', '--no-cache', '--json'], { cwd: repo, timeoutMs });
  const line = result.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(line) as { counts: { entities: Record<string, number>; files: number } };
  const byKind = parsed.counts.entities;
  return { entities: Object.values(byKind).reduce((a, b) => a + b, 0), byKind, files: parsed.counts.files };
}

export interface CliDiagnostic {
  file: string;
  severity: string;
  /** 1-based, as the Problems panel shows it. */
  line: number;
  message: string;
}

export async function cliDiagnostics(repo: string, file: string): Promise<CliDiagnostic[]> {
  const result = await runCommand(process.execPath, [join(repo, 'src', 'cli', 'main.ts'), 'extract', file, '--json'], { cwd: repo, timeoutMs: 60_000 });
  const parsed = JSON.parse(result.stdout) as { files: { path: string; diagnostics: { severity: string; message: string; range: { start: { line: number } } }[] }[] };
  return parsed.files.flatMap((f) => f.diagnostics.map((d) => ({ file: f.path, severity: d.severity, line: d.range.start.line + 1, message: d.message })));
}

/** `SQL Graph: <N> entities · <H>% cache` → N. */
export function statusEntities(text: string): number | undefined {
  const match = /SQL Graph:\s*([\d,]+)\s+entit/i.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1].replace(/,/g, ''));
}
