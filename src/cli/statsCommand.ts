import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { cacheOptionsFromEnv, defaultCachePath } from '../engine/cache/cacheOptions.ts';
import { openParseCache } from '../engine/cache/parseCache.ts';
import { defaultStorePath } from '../engine/pipeline/pipelineOptions.ts';
import { openGraphStore } from '../engine/store/graphStore.ts';
import { workspaceRoot } from './pipelineArgs.ts';
import type { CliStreams } from './run.ts';

/** What the embedded graph and the parse cache of a workspace hold, without ingesting anything. */
export function statsCommand(args: { values: { json?: boolean; store?: string }; positionals: string[] }, streams: CliStreams): number {
  const root = workspaceRoot(args.positionals, 'stats');
  const storePath = args.values.store !== undefined ? resolve(args.values.store) : defaultStorePath(root);
  if (!existsSync(storePath)) {
    streams.err.write(`sqlgraph: no graph at ${storePath} yet; run 'sqlgraph ingest ${args.positionals[0] ?? '.'}' first\n`);
    return 1;
  }
  const store = openGraphStore(storePath);
  const cache = openParseCache(cacheOptionsFromEnv(process.env, { path: defaultCachePath(root) }));
  try {
    const counts = store.counts();
    const files = store.files();
    const diagnostics = { error: 0, warning: 0, info: 0 };
    for (const f of files) for (const d of f.diagnostics) diagnostics[d.severity]++;
    const result = {
      store: storePath,
      files: counts.files,
      statements: files.reduce((n, f) => n + f.statements, 0),
      parsed: files.reduce((n, f) => n + f.parsed, 0),
      entities: counts.entities,
      relationships: counts.relationships,
      diagnostics,
      pendingForNeo4j: store.pendingCount(),
      cache: cache.stats(),
    };
    if (args.values.json) streams.out.write(`${JSON.stringify(result)}\n`);
    else {
      const list = (r: Partial<Record<string, number>>): string => Object.entries(r).sort().map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
      streams.out.write(
        `Graph ${storePath}\n  ${result.files} files, ${result.statements} statements (${result.parsed} parsed)\n  entities: ${list(result.entities)}\n  relationships: ${list(result.relationships)}\n` +
          `  diagnostics: ${diagnostics.error} errors, ${diagnostics.warning} warnings, ${diagnostics.info} info\n  pending for Neo4j: ${result.pendingForNeo4j}\n` +
          `Parse cache ${result.cache.path}: ${result.cache.entries} entries, ${(result.cache.bytes / 1e6).toFixed(2)} MB\n`,
      );
    }
  } finally {
    store.close();
    cache.close();
  }
  return 0;
}
