/** What `sqlgraph neo4j status` reports: the replica next to its source. */
import type { Driver } from 'neo4j-driver';
import type { EntityKind, RelationshipType } from '../model/graph.ts';
import type { GraphStore } from '../store/graphStore.ts';
import type { StoreCounts } from '../store/types.ts';
import type { DeadLetterLog } from './deadLetters.ts';
import { verifyNeo4j, type ServerInfo } from './driver.ts';
import { FILE_LABEL, KIND_LABEL, RELATIONSHIP_TYPE_NAMES } from './labels.ts';
import { databaseOf, type Neo4jConfig } from './neo4jConfig.ts';
import { readSchemaVersion, SCHEMA_VERSION } from './schema.ts';
import { runRead } from './transactions.ts';

export interface Neo4jCounts {
  entities: Partial<Record<EntityKind, number>>;
  relationships: Partial<Record<RelationshipType, number>>;
  files: number;
}

export interface Neo4jStatus {
  server: ServerInfo;
  database: string;
  schemaVersion: number;
  /** The version this code writes. */
  codeSchemaVersion: number;
  neo4j: Neo4jCounts;
  store: StoreCounts;
  pending: number;
  deadLetters: number;
  /** True when every count matches and nothing is pending. */
  inSync: boolean;
}

export async function neo4jCounts(driver: Driver, database: string, timeoutMs = 60_000): Promise<Neo4jCounts> {
  return runRead({ driver, database, timeoutMs }, async (q) => {
    const entities: Neo4jCounts['entities'] = {};
    for (const [kind, label] of Object.entries(KIND_LABEL) as [EntityKind, string][]) {
      const n = Number((await q.run(`MATCH (n:${label}) RETURN count(n) AS n`, {}))[0]?.['n'] ?? 0);
      if (n > 0) entities[kind] = n;
    }
    const relationships: Neo4jCounts['relationships'] = {};
    for (const type of RELATIONSHIP_TYPE_NAMES) {
      const n = Number((await q.run(`MATCH ()-[r:${type}]->() RETURN count(r) AS n`, {}))[0]?.['n'] ?? 0);
      if (n > 0) relationships[type] = n;
    }
    const files = Number((await q.run(`MATCH (f:${FILE_LABEL}) RETURN count(f) AS n`, {}))[0]?.['n'] ?? 0);
    return { entities, relationships, files };
  });
}

export async function neo4jStatus(driver: Driver, config: Neo4jConfig, store: GraphStore, deadLetters: DeadLetterLog): Promise<Neo4jStatus> {
  const server = await verifyNeo4j(driver, config);
  const database = databaseOf(config);
  const schemaVersion = await readSchemaVersion(driver, database);
  const counts = await neo4jCounts(driver, database);
  const storeCounts = store.counts();
  const pending = store.pendingCount();
  const same = (a: Partial<Record<string, number>>, b: Partial<Record<string, number>>): boolean =>
    JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
  return {
    server,
    database,
    schemaVersion,
    codeSchemaVersion: SCHEMA_VERSION,
    neo4j: counts,
    store: storeCounts,
    pending,
    deadLetters: deadLetters.count(),
    inSync: pending === 0 && counts.files === storeCounts.files && same(counts.entities, storeCounts.entities) && same(counts.relationships, storeCounts.relationships),
  };
}
