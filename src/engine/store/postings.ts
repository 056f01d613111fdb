/**
 * The key → files index: each key's row holds its postings, (file id, role
 * bits) pairs packed as little-endian 32-bit words. A transaction collects
 * the changes in memory and writes each touched key once when it ends, so a
 * batch of files costs one write per distinct key rather than one per
 * (key, file) pair.
 */

/** Per key, (file id, roles) pairs in the order they happened; roles 0 removes the file, a later pair overrides. */
export type PostingChanges = Map<number, number[]>;

/** Reused for every merge: SQLite copies a bound blob, so the words can be overwritten afterwards. */
let scratch = new Uint32Array(1024);

/** The stored words, as (file, roles) pairs; empty for a key without postings. */
export function unpackPostings(blob: Uint8Array | null | undefined): Uint32Array {
  if (!blob || blob.length === 0) return EMPTY;
  if (blob.byteOffset % 4 === 0) return new Uint32Array(blob.buffer, blob.byteOffset, blob.length / 4);
  return new Uint32Array(blob.slice().buffer);
}

export const EMPTY = new Uint32Array(0);

/**
 * The key's postings after its changes, as a blob to bind at once (it shares
 * memory with the next call), or null when no file mentions the key.
 */
export function mergePostings(stored: Uint32Array, changes: readonly number[]): Buffer | null {
  if (stored.buffer === scratch.buffer) stored = stored.slice(); // the previous result, about to be overwritten
  if (scratch.length < stored.length + changes.length) scratch = new Uint32Array(2 * (stored.length + changes.length));
  let n = 0;
  // Usually a key changes in one or two files; past a few, look the files up in a map.
  const last = changes.length > 16 ? lastRoles(changes) : undefined;
  const changed = (file: number): boolean => {
    if (last) return last.has(file);
    for (let i = 0; i < changes.length; i += 2) if (changes[i] === file) return true;
    return false;
  };
  for (let i = 0; i < stored.length; i += 2) {
    if (changed(stored[i]!)) continue;
    scratch[n++] = stored[i]!;
    scratch[n++] = stored[i + 1]!;
  }
  for (let i = 0; i < changes.length; i += 2) {
    const file = changes[i]!;
    const roles = changes[i + 1]!;
    // Only the last change of a file counts.
    if (last ? last.get(file) !== i : laterChange(changes, i)) continue;
    if (roles === 0) continue;
    scratch[n++] = file;
    scratch[n++] = roles;
  }
  return n === 0 ? null : Buffer.from(scratch.buffer, 0, n * 4);
}

/**
 * Whether merging `changes` into any stored postings is an append: every
 * change adds a file added since the postings were written (id above
 * `newFilesAbove`), with roles, each file once (ids strictly increasing, as
 * new files get them).
 */
export function onlyNewFiles(changes: readonly number[], newFilesAbove: number): boolean {
  let previous = newFilesAbove;
  for (let i = 0; i < changes.length; i += 2) {
    if (changes[i]! <= previous || changes[i + 1] === 0) return false;
    previous = changes[i]!;
  }
  return true;
}

/** The changes as postings words, for onlyNewFiles changes (shares memory with the next call, like mergePostings). */
export function postingsBlob(changes: readonly number[]): Buffer {
  if (scratch.length < changes.length) scratch = new Uint32Array(2 * changes.length);
  for (let i = 0; i < changes.length; i++) scratch[i] = changes[i]!;
  return Buffer.from(scratch.buffer, 0, changes.length * 4);
}

/** Each file's last change, as its index in `changes`. */
function lastRoles(changes: readonly number[]): Map<number, number> {
  const last = new Map<number, number>();
  for (let i = 0; i < changes.length; i += 2) last.set(changes[i]!, i);
  return last;
}

function laterChange(changes: readonly number[], i: number): boolean {
  for (let j = i + 2; j < changes.length; j += 2) if (changes[j] === changes[i]) return true;
  return false;
}

/** Files whose roles share a bit with `mask`. */
export function filesWithRole(postings: Uint32Array, mask: number): number[] {
  const files: number[] = [];
  for (let i = 0; i < postings.length; i += 2) if ((postings[i + 1]! & mask) !== 0) files.push(postings[i]!);
  return files;
}
