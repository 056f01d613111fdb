/**
 * The parse worker. Parse tasks: decode, split and parse one file with the
 * backends initialised once per thread, answering with the ParsedFile as a
 * JSON string (what the cache stores; cheaper to send than an object graph)
 * and, on request, its catalog slice. Resolve tasks: during a whole-workspace
 * ingest, resolve already-parsed files against the catalog the pipeline
 * shared, so the main thread only stores.
 */
import { workerData } from 'node:worker_threads';
import { openParseCache, type ParseCache } from '../cache/parseCache.ts';
import { cacheKey } from '../cache/cacheKey.ts';
import { MAX_BUSY_TIMEOUT_MS } from '../cache/cacheOptions.ts';
import { catalogFromRelations, type Catalog } from '../extract/catalog.ts';
import { nameOptionsFor } from '../extract/extractFiles.ts';
import { parseFile, parseFileListing, type StatementCache } from '../extract/parseFile.ts';
import { resolveFile } from '../extract/resolve.ts';
import { prepackContribution } from '../store/packedContribution.ts';
import type { ParsedFile } from '../model/parsed.ts';
import type { ParserBackend } from '../parse/backend.ts';
import { adoptSharedBackendCode, createBackends } from '../parse/backends.ts';
import { catalogSliceOf } from './catalogState.ts';
import { fileMeta } from './fileMeta.ts';
import type { ParseTask, ParseTaskResult, ParseWorkerData, ResolvedFile, ResolveShared, ResolveTask, ResolveTaskResult, WorkerTask, WorkerTaskResult } from './parseTask.ts';
import { STATEMENT_CACHE_MIN_BYTES } from './parseTask.ts';
import { serveTasks } from './workerTask.ts';

const data = workerData as ParseWorkerData;
let backends: ParserBackend[] = [];
let cache: ParseCache | undefined;
let shared: { version: number; catalog: Catalog } | undefined;

function openCache(): ParseCache | undefined {
  if (!data.cachePath) return undefined;
  // Opened on first need only: most workspaces never need it here.
  // The longest busy wait allowed: a worker may wait for the other threads' writes, the UI never waits on it.
  cache ??= openParseCache({ ...data.cacheLimits, path: data.cachePath, flushDelayMs: 10, busyTimeoutMs: MAX_BUSY_TIMEOUT_MS });
  return cache.enabled ? cache : undefined;
}

function statementCache(context: string): StatementCache | undefined {
  const c = openCache();
  if (!c) return undefined;
  return {
    get: (key) => {
      const hit = c.getStatement(key);
      return typeof hit === 'string' ? hit : undefined;
    },
    has: (key) => c.hasStatement(key),
    put: (key, payload) => c.putStatement(key, payload),
    keyOf: (text, dialects) => cacheKey(text, `${context}|${dialects}`),
  };
}

function parseTask(task: ParseTask): ParseTaskResult {
  const stmtCache = task.statementCacheContext && task.bytes.byteLength >= STATEMENT_CACHE_MIN_BYTES ? statementCache(task.statementCacheContext) : undefined;
  if (task.listing && stmtCache) {
    const listing = parseFileListing(task.path, task.bytes, { dialect: task.dialect, backends, statementCache: stmtCache });
    cache?.flush(); // the main thread reads the statements back
    return { listing };
  }
  const file = parseFile(task.path, task.bytes, { dialect: task.dialect, backends, ...(stmtCache ? { statementCache: stmtCache } : {}) });
  const json = JSON.stringify(file);
  // Buffered, written in batches: nothing reads it back during this ingest,
  // and a commit per file had the two workers waiting on each other's locks.
  const target = task.cacheFileKey !== undefined ? openCache() : undefined;
  target?.putFile(task.cacheFileKey as string, json);
  // A large file's statement entries: the main thread may assemble them next.
  if (stmtCache) cache?.flush();
  const result: ParseTaskResult = target ? {} : { json };
  if (task.withSlice) result.slice = catalogSliceOf(file) ?? null;
  if (task.resolve && shared && task.cacheFileKey !== undefined) {
    result.resolved = { catalogVersion: shared.version, resolved: [resolvedFileOf(file, task.cacheFileKey, task.resolve.defaultSchema, shared.catalog)], missing: [] };
  }
  return result;
}

function resolveTask(task: ResolveTask): ResolveTaskResult {
  if (!shared) throw new Error('resolve task before the catalog was shared');
  const { version, catalog } = shared;
  const resolved: ResolvedFile[] = [];
  const missing: string[] = [];
  for (const item of task.items) {
    const json = item.json ?? peek(item.key);
    let file: ParsedFile;
    try {
      if (json === undefined) throw new Error('not cached');
      file = { ...(JSON.parse(json) as ParsedFile), path: item.path };
    } catch {
      missing.push(item.path);
      continue;
    }
    resolved.push(resolvedFileOf(file, item.key, task.defaultSchema, catalog));
  }
  return { catalogVersion: version, resolved, missing };
}

function resolvedFileOf(file: ParsedFile, key: string, defaultSchema: string | undefined, catalog: Catalog): ResolvedFile {
  const fragment = resolveFile(file, catalog, nameOptionsFor(file, defaultSchema));
  return {
    update: {
      path: file.path,
      // Packed here: a third of the bytes to send, and the main thread only renumbers keys.
      fragment: { entities: [], relationships: [] },
      prepacked: prepackContribution(fragment.entities, fragment.relationships),
      meta: fileMeta(file, key),
    },
    statementCount: file.statementCount,
  };
}

function peek(key: string): string | undefined {
  const hit = openCache()?.peekFile(key);
  return typeof hit === 'string' ? hit : undefined;
}

serveTasks<WorkerTask, WorkerTaskResult>((task) => (task.kind === 'resolve' ? resolveTask(task) : parseTask(task)), {
  init: async () => {
    adoptSharedBackendCode(data.backendCode);
    backends = await createBackends(data.backends);
  },
  onShared: (value) => {
    const s = value as ResolveShared;
    shared = { version: s.catalogVersion, catalog: catalogFromRelations(s.relations) };
  },
});
