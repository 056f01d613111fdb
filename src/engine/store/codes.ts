/**
 * Small integer codes for the store's enumerations. Each code is the name's
 * rank in binary (SQLite BINARY collation) order, so ORDER BY on the code
 * sorts exactly as ORDER BY on the name did. Changing a code changes the
 * schema: bump SCHEMA_VERSION.
 */
import type { Confidence, EntityKind, RelationshipType } from '../model/graph.ts';

export interface Codes<T extends string> {
  readonly code: ReadonlyMap<string, number>;
  readonly name: readonly T[];
}

function codesOf<T extends string>(table: Record<T, true>): Codes<T> {
  const name = (Object.keys(table) as T[]).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { code: new Map(name.map((n, i) => [n, i])), name };
}

// Records (not arrays) so that a kind or type added to the model fails to compile here until it gets a code.
export const KIND = codesOf<EntityKind>({
  database: true, schema: true, table: true, view: true, materialized_view: true, column: true, procedure: true,
  function: true, trigger: true, index: true, sequence: true, dbt_model: true,
});

export const TYPE = codesOf<RelationshipType>({
  DEFINES: true, HAS_COLUMN: true, READS_FROM: true, WRITES_TO: true, REFERENCES: true, DEPENDS_ON: true, DERIVED_FROM: true,
});

export const CONFIDENCE = codesOf<Confidence>({ high: true, low: true });

/** The code of a value the model's types promise; anything else is a caller bug, reported rather than stored. */
export function codeOf<T extends string>(codes: Codes<T>, value: T, what: string): number {
  const code = codes.code.get(value);
  if (code === undefined) throw new TypeError(`Unknown ${what} ${JSON.stringify(value)}`);
  return code;
}

export function nameOf<T extends string>(codes: Codes<T>, code: number): T {
  const name = codes.name[code];
  if (name === undefined) throw new RangeError(`Unknown code ${code}`);
  return name;
}
