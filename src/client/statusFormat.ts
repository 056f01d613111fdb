/**
 * Words for the status bar item, its tooltip and the stats messages. Pure
 * functions of protocol data, so every string the user sees is unit-tested.
 */
import type { CacheStatsResult, IngestResult, Neo4jStatus, StatusParams } from '../shared/protocol.ts';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / (1024 * 1024 * 1024)).toFixed(2)} GB`;
}

/** Plain digits, no grouping: the e2e test and users' scripts read these numbers back. */
export function formatCount(n: number): string {
  return String(n);
}

export function percent(rate: number, digits = 0): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

/** ` · Neo4j …` when Neo4j is configured or connected; empty otherwise. */
export function neo4jSuffix(neo4j: Neo4jStatus, configured: boolean): string {
  switch (neo4j.state) {
    case 'connected':
      return neo4j.pending > 0 ? ` · Neo4j ✓ (${formatCount(neo4j.pending)} pending)` : ' · Neo4j ✓';
    case 'connecting':
      return ' · Neo4j connecting…';
    case 'error':
      return ' · Neo4j error';
    case 'offline':
      return ` · Neo4j offline (${formatCount(neo4j.pending)} pending)`;
    case 'unavailable':
    case 'disabled':
      return configured ? ` · Neo4j offline (${formatCount(neo4j.pending)} pending)` : '';
  }
}

export function statusText(status: StatusParams | undefined, neo4jConfigured: boolean): string {
  if (!status) return '$(sync~spin) SQL Graph: starting';
  const suffix = neo4jSuffix(status.neo4j, neo4jConfigured);
  if (status.busy) return `$(sync~spin) SQL Graph: ${formatCount(status.queued)} queued${suffix}`;
  return `$(database) SQL Graph: ${formatCount(status.entities)} entities · ${Math.round(status.cache.hitRate * 100)}% cache${suffix}`;
}

/** The tooltip's Markdown; its command links are the only ones the tooltip trusts. */
export const TOOLTIP_COMMANDS = ['sqlGraph.showCacheStats', 'sqlGraph.ingestWorkspace', 'sqlGraph.flush', 'sqlGraph.showOutput', 'sqlGraph.connectNeo4j', 'sqlGraph.restartServer'] as const;

export function statusTooltip(status: StatusParams | undefined, neo4jConfigured: boolean): string {
  if (!status) return '**SQL Graph** — the language server is starting.';
  const icon = status.health === 'ok' ? '$(check)' : status.health === 'warning' ? '$(warning)' : '$(error)';
  const lines = [
    `**SQL Graph** ${icon} ${escapeMarkdown(status.message)}`,
    '',
    `| | |`,
    `|---|---|`,
    `| Graph | ${formatCount(status.entities)} entities, ${formatCount(status.relationships)} relationships in ${formatCount(status.files)} files |`,
    `| Problems | ${formatCount(status.problemFiles)} files with errors |`,
    `| Cache | ${status.cache.enabled ? `${percent(status.cache.hitRate, 1)} hit rate, ${formatCount(status.cache.entries)} entries, ${formatBytes(status.cache.bytes)}` : 'off'} |`,
    `| Workers | ${status.busyWorkers}/${status.workers} busy, ${formatCount(status.queued)} queued |`,
    `| Batches | ${formatCount(status.batches)}${status.latency.count > 0 ? `, save → graph p50 ${status.latency.p50.toFixed(0)} ms, p99 ${status.latency.p99.toFixed(0)} ms` : ''} |`,
  ];
  if (status.ingest) lines.push(`| Ingest | ${formatCount(status.ingest.done)}/${formatCount(status.ingest.total)} files |`);
  if (neo4jConfigured || (status.neo4j.state !== 'disabled' && status.neo4j.state !== 'unavailable')) {
    lines.push(`| Neo4j | ${escapeMarkdown(neo4jLine(status.neo4j))} |`);
  }
  lines.push(
    '',
    '[Cache stats](command:sqlGraph.showCacheStats) · [Ingest workspace](command:sqlGraph.ingestWorkspace) · [Flush](command:sqlGraph.flush) · [Output](command:sqlGraph.showOutput)',
  );
  return lines.join('\n');
}

export function neo4jLine(neo4j: Neo4jStatus): string {
  const where = neo4j.uri ? ` ${neo4j.uri}` : '';
  const counts = `${formatCount(neo4j.pending)} pending, ${formatCount(neo4j.deadLetters)} failed`;
  switch (neo4j.state) {
    case 'connected':
      return `connected to${where}; ${counts}`;
    case 'connecting':
      return `connecting to${where}`;
    case 'error':
      return `error: ${neo4j.lastError ?? neo4j.message}; ${counts}`;
    case 'offline':
      return `offline; ${counts}`;
    case 'disabled':
      return `not configured; ${formatCount(neo4j.pending)} pending`;
    case 'unavailable':
      return neo4j.message;
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** "Show Cache Stats": one line, starting `SQL Graph cache:`. */
export function cacheStatsMessage(result: CacheStatsResult): string {
  const t = result.total;
  if (!t.enabled) {
    const why = result.folders.map((f) => f.cache?.degraded).find((d) => d !== undefined);
    return `SQL Graph cache: off${why ? ` (${why})` : ''}.`;
  }
  return (
    `SQL Graph cache: ${formatCount(t.entries)} entries (${formatCount(t.statementEntries)} statements), ` +
    `hit rate ${percent(t.hitRate, 1)} (${formatCount(t.hits)} hits, ${formatCount(t.misses)} misses), ` +
    `size ${formatBytes(t.bytes)}, ${formatCount(t.evictions)} evictions.`
  );
}

export function ingestMessage(result: IngestResult): string {
  const ok = result.folders.flatMap((f) => (f.summary ? [f.summary] : []));
  const failed = result.folders.filter((f) => f.error !== undefined);
  const files = ok.reduce((n, s) => n + s.files, 0);
  const parsed = ok.reduce((n, s) => n + s.parsed, 0);
  const unchanged = ok.reduce((n, s) => n + s.unchanged, 0);
  const removed = ok.reduce((n, s) => n + s.removed, 0);
  const seconds = ok.reduce((n, s) => n + s.seconds, 0);
  const head = result.cancelled ? 'SQL Graph: ingest cancelled' : `SQL Graph: ingested ${formatCount(files)} files in ${seconds.toFixed(1)} s`;
  const detail = result.cancelled ? '' : ` (${formatCount(parsed)} parsed, ${formatCount(unchanged)} unchanged, ${formatCount(removed)} removed)`;
  const errors = failed.length > 0 ? `; ${failed.length} folder(s) failed: ${failed.map((f) => f.error).join('; ')}` : '';
  return `${head}${detail}${errors}.`;
}
