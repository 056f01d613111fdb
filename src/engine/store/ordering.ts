/**
 * The orders the store's results follow, computed in JS exactly as SQLite's
 * BINARY collation would order them (code points, not UTF-16 units).
 */
import type { Entity } from '../model/graph.ts';
import type { Range } from '../model/range.ts';

/**
 * Which of one file's contributions for a key is kept: a definition beats a
 * reference, then the earlier range (the extractor's merge uses the same rule).
 */
export function compareContributions(a: Entity, b: Entity): number {
  if (a.defined !== b.defined) return a.defined ? -1 : 1;
  return compareRanges(a.range, b.range) || compareText(a.kind, b.kind) || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Code point order, which is SQLite's BINARY order of the UTF-8 text. JS's
 * `<` compares UTF-16 units instead and disagrees once a surrogate pair meets
 * a character from U+E000 up, so merge decisions made in JS use this.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return lift(x) - lift(y);
    return x - y;
  }
  return a.length - b.length;
}

/** Puts surrogates (code points from U+10000) above U+E000–U+FFFF. */
function lift(unit: number): number {
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

export function compareRanges(a: Range, b: Range): number {
  return a.start.line - b.start.line || a.start.character - b.start.character || a.end.line - b.end.line || a.end.character - b.end.character;
}
