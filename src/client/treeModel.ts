/**
 * The Overview tree as plain data: which nodes exist, their labels, icons and
 * commands. overviewTree.ts only maps these to vscode.TreeItems and asks the
 * server for the lazy parts (entities of a kind, problem files).
 */
import type { EntityKind } from '../engine/model/graph.ts';
import type { EntitiesResult, KindCount, ProblemFile, StatusParams } from '../shared/protocol.ts';
import { formatBytes, formatCount, neo4jLine, percent } from './statusFormat.ts';

export type Collapsible = 'none' | 'collapsed' | 'expanded';

export interface NodeCommand {
  command: string;
  title: string;
  arguments?: unknown[];
}

export type LazyChildren =
  | { type: 'graph' }
  | { type: 'problems' }
  | { type: 'kind'; kind: EntityKind };

export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id. */
  icon?: string;
  collapsible: Collapsible;
  contextValue?: string;
  command?: NodeCommand;
  /** Children known now. */
  children?: TreeNode[];
  /** Children the server must be asked for. */
  lazy?: LazyChildren;
}

export const ROOT_LABELS = ['Status', 'Cache', 'Batches', 'Neo4j', 'Graph', 'Problems'] as const;

export const OPEN_LOCATION_COMMAND = 'sqlGraph.openLocation';
export const LOAD_MORE_COMMAND = 'sqlGraph.tree.loadMore';

function leaf(id: string, label: string, icon?: string, extra: Partial<TreeNode> = {}): TreeNode {
  return { id, label, collapsible: 'none', ...(icon ? { icon } : {}), ...extra };
}

export function rootNodes(status: StatusParams | undefined): TreeNode[] {
  return [
    { id: 'status', label: 'Status', icon: healthIcon(status), collapsible: 'expanded', children: statusChildren(status), ...(status ? { description: status.message } : {}) },
    { id: 'cache', label: 'Cache', icon: 'archive', collapsible: 'collapsed', children: cacheChildren(status) },
    { id: 'batches', label: 'Batches', icon: 'layers', collapsible: 'collapsed', children: batchChildren(status) },
    { id: 'neo4j', label: 'Neo4j', icon: 'type-hierarchy', collapsible: 'collapsed', children: neo4jChildren(status), ...(status ? { description: status.neo4j.state } : {}) },
    { id: 'graph', label: 'Graph', icon: 'graph', collapsible: 'collapsed', lazy: { type: 'graph' }, ...(status ? { description: `${formatCount(status.entities)} entities` } : {}) },
    {
      id: 'problems',
      label: 'Problems',
      icon: status && status.problemFiles > 0 ? 'error' : 'pass',
      collapsible: 'collapsed',
      lazy: { type: 'problems' },
      ...(status ? { description: `${formatCount(status.problemFiles)} files with errors` } : {}),
    },
  ];
}

function healthIcon(status: StatusParams | undefined): string {
  if (!status) return 'loading~spin';
  if (status.busy) return 'sync~spin';
  return status.health === 'ok' ? 'pass' : status.health === 'warning' ? 'warning' : 'error';
}

export function statusChildren(status: StatusParams | undefined): TreeNode[] {
  if (!status) return [leaf('status.starting', 'Starting…', 'loading~spin')];
  const out = [
    leaf('status.health', `Health: ${status.health}`, healthIcon(status), { tooltip: status.message }),
    leaf('status.entities', `Entities: ${formatCount(status.entities)}`, 'symbol-class'),
    leaf('status.relationships', `Relationships: ${formatCount(status.relationships)}`, 'references'),
    leaf('status.files', `Files: ${formatCount(status.files)}`, 'files'),
    leaf('status.folders', `Folders: ${formatCount(status.folders)}`, 'root-folder'),
  ];
  if (status.ingest) out.push(leaf('status.ingest', `Ingesting: ${formatCount(status.ingest.done)}/${formatCount(status.ingest.total)}`, 'sync~spin'));
  return out;
}

export function cacheChildren(status: StatusParams | undefined): TreeNode[] {
  if (!status) return [];
  const c = status.cache;
  if (!c.enabled) return [leaf('cache.off', 'Cache: off', 'circle-slash')];
  return [
    leaf('cache.hitRate', `Hit rate: ${percent(c.hitRate, 1)}`, 'pulse', { tooltip: `${formatCount(c.hits)} hits, ${formatCount(c.misses)} misses` }),
    leaf('cache.entries', `Entries: ${formatCount(c.entries)}`, 'database'),
    leaf('cache.size', `Size: ${formatBytes(c.bytes)}`, 'file-binary'),
    leaf('cache.evictions', `Evictions: ${formatCount(c.evictions)}`, 'trash'),
  ];
}

export function batchChildren(status: StatusParams | undefined): TreeNode[] {
  if (!status) return [];
  const out = [
    leaf('batches.count', `Batches: ${formatCount(status.batches)}`, 'layers'),
    leaf('batches.workers', `Workers: ${status.busyWorkers}/${status.workers} busy`, 'server-process'),
    leaf('batches.queue', `Queue: ${formatCount(status.queued)}`, 'list-ordered'),
  ];
  if (status.lastBatch) {
    out.push(leaf('batches.last', `Last batch: ${formatCount(status.lastBatch.size)} files in ${status.lastBatch.millis.toFixed(0)} ms`, 'history'));
  }
  if (status.latency.count > 0) {
    out.push(leaf('batches.latency', `Latency: p50 ${status.latency.p50.toFixed(0)} ms · p99 ${status.latency.p99.toFixed(0)} ms`, 'watch'));
  }
  return out;
}

export function neo4jChildren(status: StatusParams | undefined): TreeNode[] {
  if (!status) return [];
  const n = status.neo4j;
  const out = [
    leaf('neo4j.state', `State: ${n.state}`, n.state === 'connected' ? 'plug' : n.state === 'error' ? 'error' : 'debug-disconnect', { tooltip: neo4jLine(n) }),
    leaf('neo4j.pending', `Pending: ${formatCount(n.pending)}`, 'clock'),
    leaf('neo4j.deadLetters', `Dead letters: ${formatCount(n.deadLetters)}`, 'mail'),
  ];
  if (n.uri) out.push(leaf('neo4j.uri', `URI: ${n.uri}`, 'link'));
  if (!n.available) out.push(leaf('neo4j.message', n.message, 'info'));
  else if (n.state !== 'connected') out.push(leaf('neo4j.connect', 'Connect…', 'plug', { command: { command: 'sqlGraph.connectNeo4j', title: 'Connect to Neo4j…' } }));
  if (n.deadLetters > 0) out.push(leaf('neo4j.replay', 'Replay failed writes', 'debug-restart', { command: { command: 'sqlGraph.replay', title: 'Replay Failed Writes' } }));
  return out;
}

const KIND_ICONS: Record<EntityKind, string> = {
  database: 'database',
  schema: 'symbol-namespace',
  table: 'table',
  view: 'eye',
  materialized_view: 'eye-closed',
  column: 'symbol-field',
  procedure: 'symbol-method',
  function: 'symbol-function',
  trigger: 'zap',
  index: 'list-tree',
  sequence: 'symbol-number',
  dbt_model: 'package',
};

export function graphChildren(kinds: readonly KindCount[]): TreeNode[] {
  if (kinds.length === 0) return [leaf('graph.empty', 'No entities yet', 'info', { command: { command: 'sqlGraph.ingestWorkspace', title: 'Ingest Workspace' } })];
  return kinds.map((k) => ({
    id: `graph.kind.${k.kind}`,
    label: `${k.kind} (${formatCount(k.count)})`,
    icon: KIND_ICONS[k.kind],
    collapsible: 'collapsed',
    contextValue: 'sqlGraph.kind',
    lazy: { type: 'kind', kind: k.kind },
  }));
}

/** Entities of one kind, loaded page by page; a last node loads the next page. */
export function entityChildren(kind: EntityKind, loaded: EntitiesResult['items'], total: number): TreeNode[] {
  const nodes: TreeNode[] = loaded.map((e) => ({
    id: `entity.${e.key}`,
    label: e.name,
    ...(e.schema ? { description: e.defined ? e.schema : `${e.schema} · referenced only` } : e.defined ? {} : { description: 'referenced only' }),
    tooltip: e.key,
    icon: KIND_ICONS[e.kind],
    collapsible: 'none',
    contextValue: 'sqlGraph.entity',
    command: { command: OPEN_LOCATION_COMMAND, title: 'Open Definition', arguments: [e.uri, e.range] },
  }));
  if (loaded.length < total) {
    nodes.push(leaf(`graph.kind.${kind}.more.${loaded.length}`, `Load more… (${formatCount(total - loaded.length)} more)`, 'ellipsis', {
      command: { command: LOAD_MORE_COMMAND, title: 'Load More', arguments: [kind] },
    }));
  }
  return nodes;
}

export function problemChildren(files: readonly ProblemFile[]): TreeNode[] {
  if (files.length === 0) return [leaf('problems.none', 'No parse failures', 'pass')];
  return files.map((f) => ({
    id: `problem.${f.uri}`,
    label: f.path,
    description: [f.errors > 0 ? `${f.errors} error${f.errors === 1 ? '' : 's'}` : '', f.warnings > 0 ? `${f.warnings} warning${f.warnings === 1 ? '' : 's'}` : ''].filter(Boolean).join(', '),
    ...(f.first ? { tooltip: f.first.message } : {}),
    icon: f.errors > 0 ? 'error' : 'warning',
    collapsible: 'none',
    contextValue: 'sqlGraph.problemFile',
    command: { command: OPEN_LOCATION_COMMAND, title: 'Open', arguments: [f.uri, f.first?.range] },
  }));
}
