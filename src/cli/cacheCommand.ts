import { cacheOptionsFromEnv, defaultCachePath } from '../engine/cache/cacheOptions.ts';
import { openParseCache } from '../engine/cache/parseCache.ts';
import { workspaceRoot } from './pipelineArgs.ts';
import type { CliStreams } from './run.ts';
import { UsageError } from './usageError.ts';

export function cacheCommand(args: { values: { json?: boolean }; positionals: string[] }, streams: CliStreams): number {
  const [action, ...rest] = args.positionals;
  if (action !== 'stats' && action !== 'clear') throw new UsageError("cache takes 'stats' or 'clear'");
  const root = workspaceRoot(rest, `cache ${action}`);
  const cache = openParseCache(cacheOptionsFromEnv(process.env, { path: defaultCachePath(root), log: (level, message) => streams.err.write(`sqlgraph: ${level}: ${message}\n`) }));
  try {
    if (action === 'clear') cache.clear();
    const stats = cache.stats();
    if (args.values.json) streams.out.write(`${JSON.stringify(stats)}\n`);
    else {
      streams.out.write(
        `${action === 'clear' ? 'Cleared. ' : ''}Parse cache ${stats.path}: ${stats.enabled ? 'on' : `off${stats.degraded ? ` (${stats.degraded})` : ''}`}\n` +
          `  entries ${stats.entries} files, ${stats.statementEntries} statements, ${(stats.bytes / 1e6).toFixed(2)} MB\n` +
          `  this session: ${stats.hits} hits, ${stats.misses} misses, ${stats.evictions} evictions, ${stats.expired} expired\n`,
      );
    }
  } finally {
    cache.close();
  }
  return 0;
}
