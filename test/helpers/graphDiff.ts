import type { GraphFragment } from '../../src/engine/model/graph.ts';

/** A short description of how two exports differ (first few rows each way), or '' when equal. */
export function describeGraphDiff(actual: GraphFragment, expected: GraphFragment): string {
  const lines: string[] = [];
  for (const [name, a, e] of [
    ['entity', actual.entities.map((x) => JSON.stringify(x)), expected.entities.map((x) => JSON.stringify(x))],
    ['relationship', actual.relationships.map((x) => JSON.stringify(x)), expected.relationships.map((x) => JSON.stringify(x))],
  ] as const) {
    const as = new Set(a);
    const es = new Set(e);
    const extra = a.filter((x) => !es.has(x));
    const missing = e.filter((x) => !as.has(x));
    if (extra.length + missing.length === 0) continue;
    lines.push(`${name}s: ${extra.length} extra, ${missing.length} missing`);
    for (const x of extra.slice(0, 3)) lines.push(`  + ${x}`);
    for (const x of missing.slice(0, 3)) lines.push(`  - ${x}`);
  }
  return lines.join('\n');
}
