import { parseArgs } from 'node:util';
import { cacheCommand } from './cacheCommand.ts';
import { extractCommand } from './extractCommand.ts';
import { ingestCommand } from './ingestCommand.ts';
import { neo4jCommand, NEO4J_OPTIONS, NEO4J_USAGE, replayCommand, syncCommand } from './neo4jCommands.ts';
import { PIPELINE_OPTIONS } from './pipelineArgs.ts';
import { statsCommand } from './statsCommand.ts';
import { watchCommand } from './watchCommand.ts';
import { UsageError } from './usageError.ts';

export interface CliStreams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const USAGE: string = `Usage: sqlgraph <command> [options]

Commands:
  extract <file|dir>...   Parse SQL and print its entities and relationships
      --dialect <d>       auto (default), mysql, mariadb, postgresql, transactsql,
                          bigquery, snowflake, sqlite, redshift, hive, db2, trino,
                          athena, flinksql, oracle, duckdb, generic
      --backends <list>   parser order, e.g. sqlparser-rs,node-sql-parser (default)
      --default-schema <s> schema for unqualified names (default: per dialect)
      --json              print one JSON object (files, entities, relationships)
  ingest <dir>            Bring the workspace's graph up to date (.sqlgraph/graph.db);
                          with --neo4j <uri> [--user u] [--database d], sync it to Neo4j after
  watch <dir>             Ingest, then keep the graph current as files change
      --workers <n>       parse workers (default min(4, cores); 0 parses in-process)
      --realtime          no debounce: every change is applied at once
      --no-batching       every file event is its own batch
      --no-cache          do not use the parse cache (.sqlgraph/cache.db)
      --store <path>      the graph database (default <dir>/.sqlgraph/graph.db)
      --dialect, --backends, --default-schema, --json as for extract
  stats [dir]             What the graph and the parse cache hold
  cache stats [dir]       Parse cache statistics
  cache clear [dir]       Empty the parse cache
${NEO4J_USAGE}  help                    Show this help

Environment: SQLGRAPH_ENABLE_PARSE_CACHE, SQLGRAPH_PARSE_CACHE_PATH,
SQLGRAPH_PARSE_CACHE_MAX_ENTRIES, SQLGRAPH_PARSE_CACHE_TTL_DAYS.
`;

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'extract':
        return await extractCommand(parseArgs({ args: rest, allowPositionals: true, options: EXTRACT_OPTIONS }), streams);
      case 'ingest':
        return await ingestCommand(parseArgs({ args: rest, allowPositionals: true, options: INGEST_OPTIONS }), streams);
      case 'watch':
        return await watchCommand(parseArgs({ args: rest, allowPositionals: true, options: PIPELINE_OPTIONS }), streams);
      case 'sync':
        return await syncCommand(parseArgs({ args: rest, allowPositionals: true, options: NEO4J_OPTIONS }), streams);
      case 'replay':
        return await replayCommand(parseArgs({ args: rest, allowPositionals: true, options: NEO4J_OPTIONS }), streams);
      case 'neo4j':
        return await neo4jCommand(parseArgs({ args: rest, allowPositionals: true, options: NEO4J_OPTIONS }), streams);
      case 'stats':
        return statsCommand(parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false }, store: { type: 'string' } } }), streams);
      case 'cache':
        return cacheCommand(parseArgs({ args: rest, allowPositionals: true, options: { json: { type: 'boolean', default: false } } }), streams);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        streams.out.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        streams.err.write(`sqlgraph: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      streams.err.write(`sqlgraph: ${error.message}\n`);
      return 2;
    }
    streams.err.write(`sqlgraph: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}

/** ingest takes the pipeline's options and, with --neo4j, the sync's. */
const INGEST_OPTIONS = { ...PIPELINE_OPTIONS, neo4j: NEO4J_OPTIONS.neo4j, user: NEO4J_OPTIONS.user, database: NEO4J_OPTIONS.database, 'batch-size': NEO4J_OPTIONS['batch-size'] } as const;

const EXTRACT_OPTIONS = {
  dialect: { type: 'string', default: 'auto' },
  backends: { type: 'string' },
  'default-schema': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;
