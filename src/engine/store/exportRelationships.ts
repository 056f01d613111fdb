/**
 * Every stored relationship in the store's total order: type, from key, to
 * key, file path, range, operation (absent first), confidence — by code
 * point, as SQLite's BINARY collation orders text. Decodes each file once
 * into flat columns and sorts indexes on them, comparing key and path ranks
 * (integers) rather than strings.
 */
import type { Relationship } from '../model/graph.ts';
import { CONFIDENCE, nameOf, TYPE } from './codes.ts';
import { R_CONFIDENCE, R_FROM, R_OPERATION, R_RANGE, R_TO, R_TYPE, RELATIONSHIP_STRIDE, unpackContribution } from './packedContribution.ts';
import { compareCodePoints } from './ordering.ts';

export interface ExportSource {
  /** Every interned key as [id, text], in key order. */
  keysInOrder: Iterable<[number, string]>;
  /** Every stored file as [id, path]. */
  paths: Iterable<[number, string]>;
  /** Every file's packed contribution as [file id, packed, strings]. */
  contributions: Iterable<[number, Uint8Array, string]>;
  /** Upper bound on the number of relationships (for allocation). */
  total: number;
}

export function exportRelationships(source: ExportSource): Relationship[] {
  const keyRank = new Map<number, number>();
  const keyText = new Map<number, string>();
  let rank = 0;
  for (const [id, key] of source.keysInOrder) {
    keyRank.set(id, rank++);
    keyText.set(id, key);
  }
  const files = [...source.paths].sort((a, b) => compareCodePoints(a[1], b[1]));
  const fileIndex = new Map<number, number>(files.map(([id], i) => [id, i]));

  const n = source.total;
  const primary = new Float64Array(n);
  const from = new Int32Array(n);
  const to = new Int32Array(n);
  const file = new Int32Array(n);
  const ranges = new Int32Array(n * 4);
  const meta = new Int32Array(n * 3); // type, confidence, operation (index into operations, -1 none)
  const operationIndex = new Map<string, number>();
  const operations: string[] = [];
  let count = 0;
  for (const [fileId, packed, strings] of source.contributions) {
    const c = unpackContribution(packed, strings);
    const f = fileIndex.get(fileId)!;
    const r = c.relationships;
    for (let o = 0; o < r.length; o += RELATIONSHIP_STRIDE, count++) {
      const a = r[o + R_FROM]!;
      const b = r[o + R_TO]!;
      // Type (3 bits), from rank and to rank (up to 2^25 keys each) fit a double exactly.
      primary[count] = (r[o + R_TYPE]! * 2 ** 25 + keyRank.get(a)!) * 2 ** 25 + keyRank.get(b)!;
      from[count] = a;
      to[count] = b;
      file[count] = f;
      for (let i = 0; i < 4; i++) ranges[count * 4 + i] = r[o + R_RANGE + i]!;
      meta[count * 3] = r[o + R_TYPE]!;
      meta[count * 3 + 1] = r[o + R_CONFIDENCE]!;
      const op = r[o + R_OPERATION]!;
      if (op < 0) {
        meta[count * 3 + 2] = -1;
      } else {
        const text = c.strings[op]!;
        let index = operationIndex.get(text);
        if (index === undefined) {
          index = operations.length;
          operationIndex.set(text, index);
          operations.push(text);
        }
        meta[count * 3 + 2] = index;
      }
    }
  }
  const byOperation = [...operations.keys()].sort((x, y) => compareCodePoints(operations[x]!, operations[y]!));
  const operationRank = new Int32Array(operations.length);
  byOperation.forEach((index, r) => (operationRank[index] = r));
  const opRank = (i: number): number => (meta[i * 3 + 2]! < 0 ? -1 : operationRank[meta[i * 3 + 2]!]!);

  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order.sort((x, y) => {
    const d = primary[x]! - primary[y]! || file[x]! - file[y]!;
    if (d !== 0) return d;
    for (let i = 0; i < 4; i++) {
      const dr = ranges[x * 4 + i]! - ranges[y * 4 + i]!;
      if (dr !== 0) return dr;
    }
    return opRank(x) - opRank(y) || meta[x * 3 + 1]! - meta[y * 3 + 1]!;
  });

  const out = new Array<Relationship>(count);
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    const rel: Relationship = {
      type: nameOf(TYPE, meta[i * 3]!),
      from: keyText.get(from[i]!)!,
      to: keyText.get(to[i]!)!,
      file: files[file[i]!]![1],
      range: { start: { line: ranges[i * 4]!, character: ranges[i * 4 + 1]! }, end: { line: ranges[i * 4 + 2]!, character: ranges[i * 4 + 3]! } },
      confidence: nameOf(CONFIDENCE, meta[i * 3 + 1]!),
    };
    if (meta[i * 3 + 2]! >= 0) rel.operation = operations[meta[i * 3 + 2]!]!;
    out[k] = rel;
  }
  return out;
}
