/**
 * Folds every folder's pipeline state into the one status the client shows.
 * Pure: the server gathers the inputs, this decides health and wording.
 */
import type { IngestProgress } from '../engine/pipeline/ingestPipeline.ts';
import type { PipelineSnapshot } from '../engine/pipeline/stats.ts';
import type { StoreCounts } from '../engine/store/types.ts';
import type { Health, Neo4jStatus, StatusParams } from '../shared/protocol.ts';

export interface FolderState {
  name: string;
  snapshot?: PipelineSnapshot;
  counts?: StoreCounts;
  ingest?: IngestProgress;
  /** Why the folder's pipeline could not open. */
  openError?: string;
  /** Why the store was rebuilt from scratch at open. */
  recovery?: string;
}

export interface StatusInputs {
  folders: FolderState[];
  neo4j: Neo4jStatus;
  problemFiles: number;
  graphVersion: number;
}

function sum(values: Iterable<number | undefined>): number {
  let n = 0;
  for (const v of values) n += v ?? 0;
  return n;
}

export function buildStatus(inputs: StatusInputs): StatusParams {
  const folders = inputs.folders;
  const snaps = folders.map((f) => f.snapshot).filter((s): s is PipelineSnapshot => s !== undefined);
  const caches = snaps.map((s) => s.cache).filter((c) => c !== undefined);
  const hits = sum(caches.map((c) => c.hits));
  const misses = sum(caches.map((c) => c.misses));
  const ingesting = folders.filter((f) => f.ingest !== undefined);
  const ingest = ingesting.length > 0 ? { done: sum(ingesting.map((f) => f.ingest?.done)), total: sum(ingesting.map((f) => f.ingest?.total)) } : undefined;
  const pendingEvents = sum(snaps.map((s) => s.pendingEvents));
  const queueDepth = sum(snaps.map((s) => s.queueDepth));
  const queued = pendingEvents + (ingest ? Math.max(0, ingest.total - ingest.done) : queueDepth);
  const busy = ingest !== undefined || snaps.some((s) => s.busy);
  const lastBatch = snaps.map((s) => s.lastBatch).filter((b) => b !== undefined).sort((a, b) => b.at - a.at)[0];
  const latencies = snaps.map((s) => s.latency).filter((l) => l.count > 0);

  const problems: string[] = [];
  let health: Health = 'ok';
  for (const f of folders) {
    if (f.openError) {
      health = 'error';
      problems.push(`${f.name}: ${f.openError}`);
    } else if (f.recovery) problems.push(`${f.name}: ${f.recovery}`);
  }
  for (const [i, c] of caches.entries()) if (c.degraded && c.degraded !== 'disabled by settings') problems.push(`parse cache ${folders[i]?.name ?? ''}: ${c.degraded}`.trim());
  if (inputs.neo4j.state === 'error') problems.push(`Neo4j: ${inputs.neo4j.lastError ?? inputs.neo4j.message}`);
  if (health === 'ok' && problems.length > 0) health = 'warning';

  let message: string;
  if (folders.length === 0) message = 'No workspace folder open';
  else if (ingest) message = `Ingesting ${ingest.done}/${ingest.total} files`;
  else if (busy) message = `Updating (${queued} queued)`;
  else message = problems[0] ?? 'Up to date';

  return {
    health,
    busy,
    message,
    folders: folders.length,
    files: sum(folders.map((f) => f.counts?.files)),
    entities: sum(folders.map((f) => sum(Object.values(f.counts?.entities ?? {})))),
    relationships: sum(folders.map((f) => sum(Object.values(f.counts?.relationships ?? {})))),
    problemFiles: inputs.problemFiles,
    cache: {
      enabled: caches.some((c) => c.enabled),
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
      entries: sum(caches.map((c) => c.entries)),
      bytes: sum(caches.map((c) => c.bytes)),
      evictions: sum(caches.map((c) => c.evictions)),
    },
    queued,
    queueDepth,
    busyWorkers: sum(snaps.map((s) => s.busyWorkers)),
    workers: sum(snaps.map((s) => s.workers)),
    batches: sum(snaps.map((s) => s.batches)),
    ...(lastBatch ? { lastBatch } : {}),
    latency: {
      count: sum(latencies.map((l) => l.count)),
      p50: Math.max(0, ...latencies.map((l) => l.p50)),
      p95: Math.max(0, ...latencies.map((l) => l.p95)),
      p99: Math.max(0, ...latencies.map((l) => l.p99)),
    },
    ...(ingest ? { ingest } : {}),
    neo4j: inputs.neo4j,
    graphVersion: inputs.graphVersion,
  };
}
