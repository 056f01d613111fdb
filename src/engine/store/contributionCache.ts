/**
 * A small LRU of decoded file contributions. Hub keys and lineage walks
 * visit the same files again and again; decoding one costs tens of
 * microseconds, a cache hit nothing. Entries are dropped whenever the file's
 * row changes, and all of them when a transaction rolls back.
 */
import type { DecodedContribution } from './packedContribution.ts';

export class ContributionCache {
  private readonly entries = new Map<number, DecodedContribution>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  get(fileId: number): DecodedContribution | undefined {
    const hit = this.entries.get(fileId);
    if (hit) {
      // Map order is insertion order: re-inserting marks the entry most recently used.
      this.entries.delete(fileId);
      this.entries.set(fileId, hit);
    }
    return hit;
  }

  set(fileId: number, c: DecodedContribution): void {
    this.entries.delete(fileId);
    this.entries.set(fileId, c);
    if (this.entries.size > this.limit) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(fileId: number): void {
    this.entries.delete(fileId);
  }

  clear(): void {
    this.entries.clear();
  }
}
