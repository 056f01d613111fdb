/** A plausible status notification for the client's formatting tests. */
import type { Neo4jStatus, StatusParams } from '../../src/shared/protocol.ts';

export const neo4jOff: Neo4jStatus = { state: 'unavailable', available: false, pending: 12, deadLetters: 0, message: 'Neo4j support is not available in this build.' };

export function status(over: Partial<StatusParams> = {}): StatusParams {
  return {
    health: 'ok',
    busy: false,
    message: 'Up to date',
    folders: 1,
    files: 6,
    entities: 1234,
    relationships: 125,
    problemFiles: 1,
    cache: { enabled: true, hits: 98, misses: 2, hitRate: 0.98, entries: 6, bytes: 65536, evictions: 0 },
    queued: 0,
    queueDepth: 0,
    busyWorkers: 0,
    workers: 2,
    batches: 3,
    latency: { count: 3, p50: 40, p95: 80, p99: 90 },
    neo4j: neo4jOff,
    graphVersion: 4,
    ...over,
  };
}
