/**
 * The real Neo4j for tests: the server `npm run neo4j:start` runs, from
 * `.neo4j/state.json`. Without one, tests say they did not run (skip); with
 * SQLGRAPH_REQUIRE_NEO4J=1 (CI) that is a failure instead. Neo4j Community
 * has one database, so test files that use it take a lock and clear the
 * graph before each test.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Driver } from 'neo4j-driver';
import { closeNeo4jDriver, neo4jDriver, verifyNeo4j } from '../../src/engine/neo4j/driver.ts';
import type { Neo4jConfig } from '../../src/engine/neo4j/neo4jConfig.ts';
import type { TransactionTarget } from '../../src/engine/neo4j/transactions.ts';
import { STATE_DIR } from '../../tools/neo4j/paths.ts';
import { readNeo4jState, type Neo4jConnection } from '../../tools/neo4j/state.ts';
import { DeadLetterLog } from '../../src/engine/neo4j/deadLetters.ts';
import { exportNeo4j } from '../../src/engine/neo4j/exporter.ts';
import { Neo4jSync, type Neo4jSyncOptions } from '../../src/engine/neo4j/neo4jSync.ts';
import { ensureSchema } from '../../src/engine/neo4j/schema.ts';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';
import type { GraphStore } from '../../src/engine/store/graphStore.ts';
import { describeGraphDiff } from './graphDiff.ts';
import { processIsAlive } from '../../tools/neo4j/processAlive.ts';

export interface TestNeo4j {
  driver: Driver;
  config: Neo4jConfig;
  state: Neo4jConnection;
  target: TransactionTarget;
  /** Deletes every node and relationship (constraints and indexes stay). */
  clear(): Promise<void>;
  /** Runs one auto-commit query and returns its records as objects. */
  query(cypher: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export interface TestNeo4jResult {
  neo4j: TestNeo4j | undefined;
  /** The reason to skip, or false when the server is there. */
  skip: string | false;
}

const LOCK_DIR = join(STATE_DIR, 'test-lock');
const LOCK_WAIT_MS = 10 * 60_000;

export async function connectTestNeo4j(): Promise<TestNeo4jResult> {
  const required = process.env['SQLGRAPH_REQUIRE_NEO4J'] === '1';
  const state = readNeo4jState();
  let reason: string | undefined;
  if (!state) reason = 'NOT RUN: no Neo4j server is running (start one with `npm run neo4j:start`)';
  else {
    const config: Neo4jConfig = { uri: state.uri, user: state.user, password: state.password };
    const driver = neo4jDriver(config);
    try {
      await verifyNeo4j(driver, config);
      await acquireLock();
      return { neo4j: testNeo4j(driver, config, state), skip: false };
    } catch (error) {
      await closeNeo4jDriver(config);
      reason = `NOT RUN: the Neo4j server in .neo4j/state.json does not answer: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  if (required) throw new Error(`SQLGRAPH_REQUIRE_NEO4J=1 but ${reason.replace(/^NOT RUN: /, '')}`);
  process.stderr.write(`# ${reason}\n`);
  return { neo4j: undefined, skip: reason };
}

function testNeo4j(driver: Driver, config: Neo4jConfig, state: Neo4jConnection): TestNeo4j {
  const target: TransactionTarget = { driver, database: 'neo4j', timeoutMs: 120_000 };
  const query = async (cypher: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>[]> =>
    (await driver.executeQuery(cypher, params, { database: 'neo4j' })).records.map((r) => r.toObject() as Record<string, unknown>);
  return {
    driver,
    config,
    state,
    target,
    query,
    async clear() {
      // In slices: one huge delete would need the whole graph in one transaction's memory.
      // Relationships first: DETACH DELETE of hub nodes needs far more transaction memory.
      for (const cypher of ['MATCH ()-[r]->() WITH r LIMIT 10000 DELETE r RETURN count(*) AS n', 'MATCH (n) WITH n LIMIT 10000 DELETE n RETURN count(*) AS n']) {
        for (;;) {
          const [row] = await query(cypher);
          if (Number(row?.['n'] ?? 0) === 0) break;
        }
      }
    },
    async close() {
      await closeNeo4jDriver(config);
      releaseLock();
    },
  };
}

/** One test file at a time uses the single database (node --test may run files in parallel). */
async function acquireLock(): Promise<void> {
  const started = Date.now();
  mkdirSync(STATE_DIR, { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      process.once('exit', releaseLock);
      return;
    } catch {
      if (lockIsStale()) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`another test process holds ${LOCK_DIR}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function lockIsStale(): boolean {
  const pidFile = join(LOCK_DIR, 'pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  return !processIsAlive(pid);
}

function releaseLock(): void {
  const pidFile = join(LOCK_DIR, 'pid');
  try {
    if (existsSync(pidFile) && readFileSync(pidFile, 'utf8') === String(process.pid)) rmSync(LOCK_DIR, { recursive: true, force: true });
  } catch {
    // Best effort: a stale lock is detected by its dead pid.
  }
}

// ---- sync test harness ----------------------------------------------------------------------------

/** Shared pieces of the Neo4j sync tests: a workspace under a pipeline, a sync, and checks of the replica. */
export interface Workspace {
  root: string;
  pipeline: IngestPipeline;
  store: GraphStore;
  deadLetters: DeadLetterLog;
  close(): Promise<void>;
}

export async function openWorkspace(prefix = 'sqlgraph-neo4j-'): Promise<Workspace> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const pipeline = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 0, cache: false, storePath: ':memory:' });
  return {
    root,
    pipeline,
    store: pipeline.store,
    deadLetters: new DeadLetterLog(join(root, '.sqlgraph', 'neo4j-dead-letters.jsonl')),
    async close() {
      await pipeline.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export function newSync(neo4j: TestNeo4j, ws: Pick<Workspace, 'store' | 'deadLetters'>, options: Partial<Neo4jSyncOptions> = {}): Neo4jSync {
  return new Neo4jSync(ws.store, { driver: neo4j.driver, deadLetters: ws.deadLetters, retry: { initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.2 }, ...options });
}

export async function resetNeo4j(neo4j: TestNeo4j): Promise<void> {
  await neo4j.clear();
  await ensureSchema(neo4j.driver, 'neo4j');
}

/**
 * The replica equals the store exactly: entities and relationships as
 * exportAll() gives them, one File node per stored file, and no other node
 * than the bare keys relationships still end at.
 */
export async function assertConverged(neo4j: TestNeo4j, store: GraphStore, label = ''): Promise<void> {
  const expected = store.exportAll();
  const actual = await exportNeo4j(neo4j.target);
  const diff = describeGraphDiff(actual, expected);
  assert.equal(diff, '', `${label}: Neo4j differs from the store\n${diff}`);
  assert.deepEqual(actual, expected, label);

  const files = (await neo4j.query('MATCH (f:File) RETURN f.path AS path')).map((r) => String(r['path'])).sort();
  assert.deepEqual(files, store.files().map((f) => f.path).sort(), `${label}: File nodes`);

  const entityKeys = new Set(expected.entities.map((e) => e.key));
  const ends = new Set<string>();
  for (const r of expected.relationships) for (const k of [r.from, r.to]) if (!k.startsWith('file:') && !entityKeys.has(k)) ends.add(k);
  const bare = await neo4j.query('MATCH (n:Entity) WHERE NOT EXISTS { (:File)-[:CONTRIBUTES]->(n) } RETURN n.key AS key, size(keys(n)) AS props, size(labels(n)) AS labels');
  assert.deepEqual(bare.map((r) => String(r['key'])).sort(), [...ends].sort(), `${label}: bare keys`);
  for (const r of bare) assert.deepEqual([r['props'], r['labels']], [1, 1], `${label}: a bare key keeps only its key`);

  const [other] = await neo4j.query('MATCH (n) WHERE NOT n:Entity AND NOT n:File AND NOT n:SqlGraphSchema AND NOT n:Canary RETURN count(n) AS n');
  assert.equal(Number(other?.['n']), 0, `${label}: stray nodes`);
  const [dup] = await neo4j.query('MATCH ()-[r]->() WHERE r.rid IS NOT NULL WITH type(r) AS t, r.file AS f, r.rid AS rid, count(*) AS n WHERE n > 1 RETURN count(*) AS n');
  assert.equal(Number(dup?.['n']), 0, `${label}: duplicated relationships`);
  assert.equal(store.pendingCount(), 0, `${label}: nothing pending`);
}
