import { IngestPipeline, type IngestSummary } from '../engine/pipeline/ingestPipeline.ts';
import type { PipelineSnapshot } from '../engine/pipeline/stats.ts';
import type { StoreCounts } from '../engine/store/types.ts';
import { syncAfterIngest, type Neo4jArgValues } from './neo4jCommands.ts';
import { pipelineOptionsFrom, workspaceRoot, type PipelineArgValues } from './pipelineArgs.ts';
import { ProgressBar } from './progress.ts';
import type { CliStreams } from './run.ts';

export async function ingestCommand(args: { values: PipelineArgValues & Neo4jArgValues; positionals: string[] }, streams: CliStreams): Promise<number> {
  const root = workspaceRoot(args.positionals, 'ingest');
  const warnings: string[] = [];
  const pipeline = await IngestPipeline.open(
    pipelineOptionsFrom(args.values, root, (level, message) => {
      if (level !== 'info') warnings.push(`${level}: ${message}`);
    }),
  );
  const progress = new ProgressBar(streams.err);
  let summary: IngestSummary;
  try {
    summary = await pipeline.ingestAll({ onProgress: (p) => progress.update(p.done, p.total, 'files') });
  } finally {
    progress.done();
  }
  // Diagnostics of the whole workspace, not only of the files parsed this time.
  summary.diagnostics = { error: 0, warning: 0, info: 0 };
  for (const f of pipeline.store.files()) for (const d of f.diagnostics) summary.diagnostics[d.severity]++;
  const counts = pipeline.store.counts();
  const snapshot = pipeline.snapshot();
  if (args.values.neo4j !== undefined) {
    const code = await syncAfterIngest(pipeline.store, root, args.values, streams).catch(async (error: unknown) => {
      await pipeline.close();
      throw error;
    });
    if (code !== 0) {
      await pipeline.close();
      return code;
    }
  }
  await pipeline.close();
  for (const w of warnings) streams.err.write(`sqlgraph: ${w}\n`);
  if (args.values.json) streams.out.write(`${JSON.stringify({ root, summary, counts, stats: snapshot })}\n`);
  else streams.out.write(formatIngest(summary, counts, snapshot));
  return 0;
}

export function formatIngest(summary: IngestSummary, counts: StoreCounts, snapshot: PipelineSnapshot): string {
  const rate = summary.seconds > 0 ? summary.files / summary.seconds : 0;
  const mb = summary.bytes / 1e6;
  const list = (record: Partial<Record<string, number>>): string =>
    Object.entries(record)
      .sort()
      .map(([k, n]) => `${n} ${k}`)
      .join(', ') || 'none';
  const lines = [
    `${summary.files} files in ${summary.seconds.toFixed(2)} s (${rate.toFixed(0)} files/s, ${(mb / Math.max(summary.seconds, 1e-9)).toFixed(2)} MB/s): ${summary.parsed} parsed, ${summary.unchanged} unchanged, ${summary.removed} removed${summary.reResolved ? `, ${summary.reResolved} re-resolved` : ''}`,
    `Graph: ${counts.files} files; entities: ${list(counts.entities)}`,
    `Relationships: ${list(counts.relationships)}`,
    `Diagnostics: ${summary.diagnostics.error} errors, ${summary.diagnostics.warning} warnings, ${summary.diagnostics.info} info`,
  ];
  if (snapshot.cache) {
    const c = snapshot.cache;
    lines.push(`Parse cache: ${c.enabled ? `${c.entries} entries, hit rate ${(c.hitRate * 100).toFixed(1)}% (${c.hits} hits, ${c.misses} misses), ${(c.bytes / 1e6).toFixed(1)} MB` : `off${c.degraded ? ` (${c.degraded})` : ''}`}`);
  }
  return `${lines.join('\n')}\n`;
}
