/**
 * `sqlgraph sync`, `sqlgraph replay`, `sqlgraph neo4j status`, and the sync
 * step of `sqlgraph ingest --neo4j`. The password comes from
 * SQLGRAPH_NEO4J_PASSWORD or, on a terminal, a prompt; never from a flag
 * (it would sit in shell history and process lists) and never printed.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DeadLetterLog, deadLetterPath } from '../engine/neo4j/deadLetters.ts';
import { closeNeo4jDriver, neo4jDriver, verifyNeo4j } from '../engine/neo4j/driver.ts';
import { Neo4jConnectionError } from '../engine/neo4j/errors.ts';
import { databaseOf, describeConfig, type Neo4jConfig } from '../engine/neo4j/neo4jConfig.ts';
import { DEFAULT_BATCH_SIZE, Neo4jSync, type SyncReport } from '../engine/neo4j/neo4jSync.ts';
import { ensureSchema } from '../engine/neo4j/schema.ts';
import { neo4jStatus, type Neo4jStatus } from '../engine/neo4j/status.ts';
import { defaultStorePath } from '../engine/pipeline/pipelineOptions.ts';
import { openGraphStore, type GraphStore } from '../engine/store/graphStore.ts';
import { workspaceRoot } from './pipelineArgs.ts';
import type { CliStreams } from './run.ts';
import { UsageError } from './usageError.ts';

/** Flags for sync, replay and neo4j status (and, minus store/json, for ingest --neo4j). */
export const NEO4J_OPTIONS = {
  neo4j: { type: 'string' },
  user: { type: 'string' },
  database: { type: 'string' },
  'batch-size': { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface Neo4jArgValues {
  neo4j?: string;
  user?: string;
  database?: string;
  'batch-size'?: string;
  store?: string;
  json?: boolean;
}

interface Args {
  values: Neo4jArgValues;
  positionals: string[];
}

export const NEO4J_USAGE = `  sync [dir]              Push the graph's pending changes to Neo4j
      --neo4j <uri>       e.g. neo4j://localhost:7687 (or SQLGRAPH_NEO4J_URI)
      --user <u>          default neo4j (or SQLGRAPH_NEO4J_USER)
      --database <d>      default neo4j (or SQLGRAPH_NEO4J_DATABASE)
      --batch-size <n>    rows per transaction (default ${DEFAULT_BATCH_SIZE})
  replay [dir]            Re-submit the rows Neo4j refused (.sqlgraph/neo4j-dead-letters.jsonl)
  neo4j status [dir]      Connectivity, schema version, counts in Neo4j and in the graph
      (password: SQLGRAPH_NEO4J_PASSWORD, or a prompt on a terminal)
`;

export async function syncCommand(args: Args, streams: CliStreams): Promise<number> {
  const root = workspaceRoot(args.positionals, 'sync');
  const config = await connectionConfig(args.values, streams);
  const store = openStore(root, args.values);
  try {
    return await withNeo4j(config, streams, () => runSync(store, root, config, args.values, streams));
  } finally {
    store.close();
  }
}

/** For `sqlgraph ingest --neo4j <uri>`: call after ingestAll, before closing the pipeline. */
export async function syncAfterIngest(store: GraphStore, root: string, values: Neo4jArgValues, streams: CliStreams): Promise<number> {
  const config = await connectionConfig(values, streams);
  return withNeo4j(config, streams, () => runSync(store, root, config, values, streams));
}

export async function replayCommand(args: Args, streams: CliStreams): Promise<number> {
  const root = workspaceRoot(args.positionals, 'replay');
  const config = await connectionConfig(args.values, streams);
  const store = openStore(root, args.values);
  try {
    return await withNeo4j(config, streams, async () => {
      const driver = neo4jDriver(config);
      await verifyNeo4j(driver, config);
      await ensureSchema(driver, databaseOf(config));
      const sync = newSync(store, root, config, args.values, streams);
      const report = await withInterrupt((signal) => sync.replay({ signal }));
      if (args.values.json) streams.out.write(`${JSON.stringify(report)}\n`);
      else {
        streams.out.write(
          `Replayed ${report.letters} dead letters: ${report.succeeded} written, ${report.obsolete} obsolete (their file changed or is gone), ${report.stillRefused} still refused; ` +
            `${report.transactions} transactions, ${report.retries} retries\n`,
        );
      }
      return report.stillRefused > 0 ? 1 : 0;
    });
  } finally {
    store.close();
  }
}

/** `sqlgraph neo4j <subcommand>`; only `status` for now. */
export async function neo4jCommand(args: Args, streams: CliStreams): Promise<number> {
  const [sub, ...rest] = args.positionals;
  if (sub !== 'status') throw new UsageError(`unknown neo4j subcommand '${sub ?? ''}' (use: neo4j status [dir])`);
  const root = workspaceRoot(rest, 'neo4j status');
  const config = await connectionConfig(args.values, streams);
  const store = openStore(root, args.values);
  try {
    return await withNeo4j(config, streams, async () => {
      const status = await neo4jStatus(neo4jDriver(config), config, store, new DeadLetterLog(deadLetterPath(root)));
      if (args.values.json) streams.out.write(`${JSON.stringify(status)}\n`);
      else streams.out.write(formatStatus(config, status, deadLetterPath(root)));
      return 0;
    });
  } finally {
    store.close();
  }
}

// ---- helpers -------------------------------------------------------------------------------------

async function runSync(store: GraphStore, root: string, config: Neo4jConfig, values: Neo4jArgValues, streams: CliStreams): Promise<number> {
  const driver = neo4jDriver(config);
  await verifyNeo4j(driver, config);
  const schema = await ensureSchema(driver, databaseOf(config));
  if (schema.applied.length > 0) streams.err.write(`sqlgraph: Neo4j schema ${schema.from} → ${schema.to}\n`);
  const sync = newSync(store, root, config, values, streams);
  const pending = store.pendingCount();
  let last = 0;
  const report = await withInterrupt((signal) =>
    sync.syncPending({
      signal,
      onProgress: (r, left) => {
        const now = performance.now();
        if (now - last < 1000 || values.json) return;
        last = now;
        streams.err.write(`sqlgraph: synced ${r.files} of ${r.files + left} pending\n`);
      },
    }),
  );
  if (values.json) streams.out.write(`${JSON.stringify({ pendingBefore: pending, ...report, pendingAfter: store.pendingCount() })}\n`);
  else streams.out.write(formatSync(report, store.pendingCount(), deadLetterPath(root)));
  return 0;
}

function newSync(store: GraphStore, root: string, config: Neo4jConfig, values: Neo4jArgValues, streams: CliStreams): Neo4jSync {
  return new Neo4jSync(store, {
    driver: neo4jDriver(config),
    database: databaseOf(config),
    deadLetters: new DeadLetterLog(deadLetterPath(root)),
    batchSize: batchSizeOf(values['batch-size']),
    target: { uri: config.uri, user: config.user },
    log: (level, message) => {
      if (level !== 'info') streams.err.write(`sqlgraph: ${message}\n`);
    },
  });
}

export function formatSync(r: SyncReport, pendingAfter: number, letters: string): string {
  const elements = r.entities + r.relationships;
  const lines = [
    `Synced ${r.files} pending files to Neo4j in ${r.seconds.toFixed(2)} s: ${r.written} written, ${r.current} already current, ${r.removed} removed`,
    `  ${r.entities} entities and ${r.relationships} relationships written (${r.seconds > 0 ? Math.round(elements / r.seconds) : 0}/s), ` +
      `${r.deletedNodes} nodes and ${r.deletedRelationships} relationships deleted; ${r.transactions} transactions, ${r.retries} retries`,
  ];
  if (r.changedMeanwhile > 0) lines.push(`  ${r.changedMeanwhile} files changed while syncing and stay pending`);
  if (r.deadLetters > 0) lines.push(`  ${r.deadLetters} rows refused by Neo4j, logged in ${letters} (sqlgraph replay re-submits them)`);
  lines.push(`  ${pendingAfter} files pending`);
  return `${lines.join('\n')}\n`;
}

function formatStatus(config: Neo4jConfig, s: Neo4jStatus, letters: string): string {
  const list = (r: Partial<Record<string, number>>): string => Object.entries(r).sort().map(([k, n]) => `${n} ${k}`).join(', ') || 'none';
  const sum = (r: Partial<Record<string, number>>): number => Object.values(r).reduce((a: number, b) => a + (b ?? 0), 0);
  return [
    `Neo4j ${describeConfig(config)}: connected (${s.server.agent}${s.server.edition ? `, ${s.server.edition}` : ''})`,
    `  schema version ${s.schemaVersion} (this SQL Graph writes ${s.codeSchemaVersion})`,
    `  Neo4j: ${s.neo4j.files} files, ${sum(s.neo4j.entities)} entities (${list(s.neo4j.entities)}), ${sum(s.neo4j.relationships)} relationships (${list(s.neo4j.relationships)})`,
    `  graph: ${s.store.files} files, ${sum(s.store.entities)} entities (${list(s.store.entities)}), ${sum(s.store.relationships)} relationships (${list(s.store.relationships)})`,
    `  pending: ${s.pending} files; dead letters: ${s.deadLetters}${s.deadLetters > 0 ? ` (${letters})` : ''}`,
    `  ${s.inSync ? 'in sync' : 'not in sync: run sqlgraph sync'}`,
  ].join('\n') + '\n';
}

function batchSizeOf(value: string | undefined): number {
  if (value === undefined) return DEFAULT_BATCH_SIZE;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new UsageError(`--batch-size takes a whole number from 1 to 1000000, not '${value}'`);
  return n;
}

function openStore(root: string, values: Neo4jArgValues): GraphStore {
  const path = values.store !== undefined ? resolve(values.store) : defaultStorePath(root);
  if (!existsSync(path)) throw new UsageError(`no graph at ${path} yet; run 'sqlgraph ingest' first`);
  return openGraphStore(path);
}

async function connectionConfig(values: Neo4jArgValues, streams: CliStreams): Promise<Neo4jConfig> {
  const env = process.env;
  const uri = values.neo4j ?? env['SQLGRAPH_NEO4J_URI'];
  if (!uri) throw new UsageError('--neo4j <uri> is required (or set SQLGRAPH_NEO4J_URI)');
  if (!/^(neo4j|bolt)(\+s|\+ssc)?:\/\//.test(uri)) throw new UsageError(`--neo4j takes a neo4j://, bolt://, neo4j+s:// or bolt+s:// URI, not '${uri}'`);
  const user = values.user ?? env['SQLGRAPH_NEO4J_USER'] ?? 'neo4j';
  const database = values.database ?? env['SQLGRAPH_NEO4J_DATABASE'] ?? 'neo4j';
  let password = env['SQLGRAPH_NEO4J_PASSWORD'];
  if (password === undefined) {
    if (!process.stdin.isTTY) throw new UsageError('set SQLGRAPH_NEO4J_PASSWORD (no terminal to ask for the Neo4j password)');
    password = await promptPassword(`Neo4j password for ${user} at ${uri}: `, streams.err);
  }
  return { uri, user, password, database };
}

/** Reads a line from the terminal without echoing it. */
function promptPassword(question: string, out: NodeJS.WritableStream): Promise<string> {
  const stdin = process.stdin;
  out.write(question);
  return new Promise((resolvePassword, reject) => {
    let typed = '';
    const finish = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      out.write('\n');
      if (error) reject(error);
      else resolvePassword(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Connection problems are the user's to fix: print the sentence, not a stack. */
async function withNeo4j(config: Neo4jConfig, streams: CliStreams, fn: () => Promise<number>): Promise<number> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof Neo4jConnectionError) {
      streams.err.write(`sqlgraph: ${error.message}\n`);
      return 1;
    }
    if (error instanceof Error && error.name === 'AbortError') {
      streams.err.write('sqlgraph: interrupted; what was not synced stays pending\n');
      return 130;
    }
    throw error;
  } finally {
    await closeNeo4jDriver(config);
  }
}

/** Ctrl-C stops retrying and leaves the rest pending. */
async function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(Object.assign(new Error('interrupted'), { name: 'AbortError' }));
  process.once('SIGINT', onSigint);
  try {
    return await fn(controller.signal);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
