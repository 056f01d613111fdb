import { createHash } from 'node:crypto';

/** A value that may appear in a cache context. */
export type CacheContextValue = string | number | boolean | null | undefined | readonly CacheContextValue[] | { readonly [key: string]: CacheContextValue };

function canonical(value: CacheContextValue): unknown {
  if (Array.isArray(value)) return value.map((item: CacheContextValue) => canonical(item) ?? null);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(value).sort()) {
      const item = canonical((value as { readonly [key: string]: CacheContextValue })[name]);
      if (item !== undefined) sorted[name] = item;
    }
    return sorted;
  }
  return value;
}

/**
 * The context string for cacheKey: everything besides the content that
 * changes a parse result (backend ids and versions, dialect, default schema,
 * engine version). Keys are sorted at every depth and undefined values
 * dropped, so the same settings always give the same string.
 */
export function buildCacheContext(parts: { readonly [key: string]: CacheContextValue }): string {
  return JSON.stringify(canonical(parts));
}

/**
 * SHA-256 (hex) of a context and a content. The context goes first with its
 * length, so no content can be confused with a different context.
 */
export function cacheKey(content: Uint8Array | string, context: string): string {
  return createHash('sha256').update(`${context.length}:${context}\n`).update(content).digest('hex');
}
