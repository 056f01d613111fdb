import type { ExtractionResult } from '../../src/engine/extract/extractFiles.ts';
import type { Entity, Relationship } from '../../src/engine/model/graph.ts';

/** Read-side helpers over an extraction result, shared by the scorers. */
export class GraphView {
  readonly byKey = new Map<string, Entity>();
  readonly result: ExtractionResult;
  constructor(result: ExtractionResult) {
    this.result = result;
    for (const e of result.entities) this.byKey.set(e.key, e);
  }

  relationships(filter: (r: Relationship) => boolean): Relationship[] {
    return this.result.relationships.filter(filter);
  }

  /** Lower-cased base name of a relation entity. */
  relationName(key: string): string {
    return (this.byKey.get(key)?.name ?? key).toLowerCase();
  }

  /** [table name, column name] of a column entity, lower-cased. */
  columnOf(key: string): [string, string] | undefined {
    const column = this.byKey.get(key);
    if (!column || column.kind !== 'column' || !column.parent) return undefined;
    return [this.relationName(column.parent), column.name.toLowerCase()];
  }

  isRelation(key: string): boolean {
    const kind = this.byKey.get(key)?.kind;
    return kind === 'table' || kind === 'view' || kind === 'materialized_view' || kind === 'dbt_model';
  }
}

export interface PrecisionRecall {
  truePositives: number;
  expected: number;
  found: number;
  recall: number;
  precision: number;
  missing: string[];
  extra: string[];
}

export function compareSets(expected: Iterable<string>, found: Iterable<string>): PrecisionRecall {
  const want = new Set(expected);
  const got = new Set(found);
  const missing = [...want].filter((x) => !got.has(x)).sort();
  const extra = [...got].filter((x) => !want.has(x)).sort();
  const tp = want.size - missing.length;
  return {
    truePositives: tp,
    expected: want.size,
    found: got.size,
    recall: want.size === 0 ? 1 : tp / want.size,
    precision: got.size === 0 ? (want.size === 0 ? 1 : 0) : tp / got.size,
    missing,
    extra,
  };
}

export function addUp(parts: PrecisionRecall[]): PrecisionRecall {
  const tp = parts.reduce((n, p) => n + p.truePositives, 0);
  const expected = parts.reduce((n, p) => n + p.expected, 0);
  const found = parts.reduce((n, p) => n + p.found, 0);
  return {
    truePositives: tp,
    expected,
    found,
    recall: expected === 0 ? 1 : tp / expected,
    precision: found === 0 ? 1 : tp / found,
    missing: parts.flatMap((p) => p.missing),
    extra: parts.flatMap((p) => p.extra),
  };
}
