/**
 * The sqlparser-rs backend: Apache datafusion-sqlparser-rs compiled to WASM
 * (npm `@guanmingchiu/sqlparser-ts`), translated into the neutral model.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DialectName } from '@guanmingchiu/sqlparser-ts';
import type { Dialect } from '../model/dialect.ts';
import type { Statement } from '../model/statements.ts';
import type { ParserBackend } from './backend.ts';
import { StatementParseError } from './backend.ts';
import { StatementTranslator } from './sqlparserRs/statements.ts';
import type { RawParse } from './sqlparserRs/wasmRecovery.ts';
import { WasmStandby } from './sqlparserRs/wasmRecovery.ts';

/**
 * Our dialects to the library's. DB2, Trino, Athena and Flink SQL have no
 * dialect of their own there; `generic` accepts the widest syntax.
 */
const DIALECTS: Record<Dialect, DialectName> = {
  postgresql: 'postgresql',
  redshift: 'redshift',
  mysql: 'mysql',
  mariadb: 'mysql',
  transactsql: 'mssql',
  bigquery: 'bigquery',
  snowflake: 'snowflake',
  sqlite: 'sqlite',
  hive: 'hive',
  duckdb: 'duckdb',
  oracle: 'oracle',
  generic: 'generic',
  db2: 'generic',
  trino: 'generic',
  athena: 'generic',
  flinksql: 'generic',
};

const PACKAGE = '@guanmingchiu/sqlparser-ts';

/** The installed package's version; its `exports` hide package.json, so find it beside the entry point. */
function packageVersion(): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(PACKAGE));
    for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
        if (manifest.name === PACKAGE && typeof manifest.version === 'string') return manifest.version;
      } catch {
        // no package.json at this level
      }
    }
  } catch {
    // unresolvable (e.g. bundled without node_modules)
  }
  return 'unknown';
}

const POSITION = /at Line: (\d+), Column: (\d+)\s*$/;

/** Messages of a WASM trap or stack overflow, after which the instance is unusable. */
const TRAP = /memory access out of bounds|unreachable|call stack size exceeded|out of memory|table index|null function|divide by zero|integer overflow|invalid conversion/i;

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const message = typeof error === 'object' && error !== null ? (error as { message?: unknown }).message : undefined;
  return typeof message === 'string' ? message : String(error);
}

function toParseError(message: string): StatementParseError {
  const position = POSITION.exec(message);
  const text = message.replace(/^sql parser error:\s*/, '');
  if (!position) return new StatementParseError(text);
  return new StatementParseError(text, Number(position[1]), Number(position[2]));
}

export class SqlparserRsBackend implements ParserBackend {
  readonly id = 'sqlparser-rs' as const;
  readonly version: string;
  private initialised: Promise<void> | undefined;
  private rawParse: RawParse | undefined;
  private initDone = false;
  private readonly standby = new WasmStandby();

  constructor() {
    this.version = packageVersion();
  }

  supports(dialect: Dialect): boolean {
    return dialect in DIALECTS;
  }

  init(): Promise<void> {
    this.initialised ??= (async () => {
      // The package's own init() and parse() would compile a second copy of the module beside the stand-by's.
      this.rawParse = await this.standby.primary();
      // Recovery is best effort: without a spare, a trap just disables this backend.
      await this.standby.prepare().catch(() => undefined);
      this.initDone = true;
    })();
    return this.initialised;
  }

  parse(statementText: string, dialect: Dialect): Statement[] {
    // After a trap the instance is replaced by the stand-by copy once that has loaded.
    if (!this.rawParse && this.initDone) this.rawParse = this.standby.takeFresh();
    const rawParse = this.rawParse;
    if (!rawParse) {
      if (!this.initDone) throw new Error('SqlparserRsBackend.parse called before init() resolved');
      throw new StatementParseError('sqlparser-rs is reloading after a crash');
    }
    let ast: unknown;
    try {
      ast = rawParse(statementText, DIALECTS[dialect]);
    } catch (error) {
      const message = messageOf(error);
      if (TRAP.test(message)) {
        this.rawParse = this.standby.takeFresh();
        throw new StatementParseError(`sqlparser-rs crashed on this statement (too deeply nested?): ${message}`);
      }
      throw toParseError(message);
    }
    return new StatementTranslator(statementText).translateAll(Array.isArray(ast) ? ast : []);
  }
}

let singleton: SqlparserRsBackend | undefined;

/** The process-wide backend instance (one WASM module per process). */
export function sqlparserRsBackend(): SqlparserRsBackend {
  singleton ??= new SqlparserRsBackend();
  return singleton;
}
