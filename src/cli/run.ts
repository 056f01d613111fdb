import { parseArgs } from 'node:util';
import { extractCommand } from './extractCommand.ts';
import { UsageError } from './usageError.ts';

export interface CliStreams {
  out: NodeJS.WritableStream;
  err: NodeJS.WritableStream;
}

const USAGE = `Usage: sqlgraph <command> [options]

Commands:
  extract <file|dir>...   Parse SQL and print its entities and relationships
      --dialect <d>       auto (default), mysql, mariadb, postgresql, transactsql,
                          bigquery, snowflake, sqlite, redshift, hive, db2, trino,
                          athena, flinksql, oracle, duckdb, generic
      --backends <list>   parser order, e.g. sqlparser-rs,node-sql-parser (default)
      --default-schema <s> schema for unqualified names (default: per dialect)
      --json              print one JSON object (files, entities, relationships)
  help                    Show this help
`;

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'extract':
        return await extractCommand(parseArgs({ args: rest, allowPositionals: true, options: EXTRACT_OPTIONS }), streams);
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

const EXTRACT_OPTIONS = {
  dialect: { type: 'string', default: 'auto' },
  backends: { type: 'string' },
  'default-schema': { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;
