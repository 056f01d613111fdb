/** The dialects SQL Graph understands; `auto` guesses per file. */
export const DIALECTS = [
  'mysql',
  'mariadb',
  'postgresql',
  'transactsql',
  'bigquery',
  'snowflake',
  'sqlite',
  'redshift',
  'hive',
  'db2',
  'trino',
  'athena',
  'flinksql',
  'oracle',
  'duckdb',
  'generic',
] as const;

export type Dialect = (typeof DIALECTS)[number];
export type DialectSetting = Dialect | 'auto';

export function isDialect(value: string): value is Dialect {
  return (DIALECTS as readonly string[]).includes(value);
}
