import type { Dialect } from '../model/dialect.ts';

/**
 * Guesses a file's dialect from its path and content. Cheap (one regex pass
 * over at most the first 16 KB) because it runs for every file in `auto` mode.
 * Returns the candidates best first; the engine retries a failed statement
 * with the runner-up.
 */
export function guessDialects(path: string, text: string): { candidates: Dialect[]; confident: boolean } {
  const scores = new Map<Dialect, number>();
  const add = (d: Dialect, n: number): void => {
    scores.set(d, (scores.get(d) ?? 0) + n);
  };

  const lowerPath = path.toLowerCase().replaceAll('\\', '/');
  for (const [pattern, dialect] of PATH_HINTS) if (pattern.test(lowerPath)) add(dialect, 6);

  const sample = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  for (const [pattern, dialect, weight] of CONTENT_HINTS) {
    // Five matches say as much as fifty: stop counting there.
    pattern.lastIndex = 0;
    let count = 0;
    while (count < 5 && pattern.exec(sample)) count++;
    if (count > 0) add(dialect, weight * count);
  }

  const ranked = [...scores.entries()].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).map(([d]) => d);
  const confident = ranked.length > 0;
  for (const d of FALLBACK_ORDER) if (!ranked.includes(d)) ranked.push(d);
  return { candidates: ranked, confident };
}

/** The head of a file is enough to tell its dialect; scanning all of a large file costs more than parsing it. */
const SAMPLE_CHARS = 16 * 1024;

/** With no evidence at all, PostgreSQL's grammar accepts the most ANSI SQL in both backends. */
const FALLBACK_ORDER: Dialect[] = ['postgresql', 'mysql', 'transactsql'];

const PATH_HINTS: [RegExp, Dialect][] = [
  [/(^|[/_.-])(postgres(ql)?|pg|pagila|plpgsql|cockroach(db)?|yugabyte(db)?)([/_.-]|$)/, 'postgresql'],
  [/(^|[/_.-])(mysql|mariadb)([/_.-]|$)/, 'mysql'],
  [/(^|[/_.-])(sql-?server|mssql|tsql|t-sql|azure)([/_.-]|$)/, 'transactsql'],
  [/(^|[/_.-])sqlite3?([/_.-]|$)/, 'sqlite'],
  [/(^|[/_.-])(oracle|plsql)([/_.-]|$)/, 'oracle'],
  [/(^|[/_.-])snowflake([/_.-]|$)/, 'snowflake'],
  [/(^|[/_.-])bigquery([/_.-]|$)/, 'bigquery'],
  [/(^|[/_.-])redshift([/_.-]|$)/, 'redshift'],
  [/(^|[/_.-])db2([/_.-]|$)/, 'db2'],
  [/(^|[/_.-])duckdb([/_.-]|$)/, 'duckdb'],
  [/(^|[/_.-])(hive|spark)([/_.-]|$)/, 'hive'],
];

const CONTENT_HINTS: [RegExp, Dialect, number][] = [
  [/^\s*GO\s*$/gim, 'transactsql', 4],
  [/\[(dbo|sys)\]\./gi, 'transactsql', 4],
  [/\bN?VARCHAR\s*\(\s*MAX\s*\)/gi, 'transactsql', 3],
  [/\bSET\s+NOCOUNT\b|@@\w+|\bIDENTITY\s*\(|\bsys\.\w+/gi, 'transactsql', 3],
  [/\bDECLARE\s+@\w+/gi, 'transactsql', 3],
  [/`\w+`/g, 'mysql', 2],
  [/\bENGINE\s*=|\bAUTO_INCREMENT\b|^\s*DELIMITER\s/gim, 'mysql', 3],
  [/\$\w*\$/g, 'postgresql', 3],
  [/::\s*\w+|\bLANGUAGE\s+plpgsql\b|\bpg_catalog\b|\bSERIAL\b|\bALTER\s+TABLE\s+ONLY\b/gi, 'postgresql', 3],
  [/^\\\w+/gm, 'postgresql', 3],
  [/\bVARCHAR2\b|\bNUMBER\s*\(|\bNVL\s*\(|^\/\s*$/gim, 'oracle', 3],
  [/\bAUTOINCREMENT\b|\bPRAGMA\b/gi, 'sqlite', 3],
  [/\bQUALIFY\b|\bVARIANT\b|\bFLATTEN\s*\(/gi, 'snowflake', 2],
  [/\bSTRUCT\s*<|\bARRAY\s*<|`[\w-]+\.[\w-]+\.[\w-]+`/gi, 'bigquery', 2],
];

/**
 * Remembers, per folder, which dialect parsed the most statements, so files
 * that give no hint of their own follow their neighbours.
 */
export class DialectMemory {
  private readonly byFolder = new Map<string, Map<Dialect, number>>();

  record(folder: string, dialect: Dialect, parsedStatements: number): void {
    let counts = this.byFolder.get(folder);
    if (!counts) this.byFolder.set(folder, (counts = new Map()));
    counts.set(dialect, (counts.get(dialect) ?? 0) + parsedStatements);
  }

  best(folder: string): Dialect | undefined {
    const counts = this.byFolder.get(folder);
    if (!counts) return undefined;
    let best: Dialect | undefined;
    let bestCount = 0;
    for (const [d, n] of counts) if (n > bestCount) [best, bestCount] = [d, n];
    return best;
  }
}
