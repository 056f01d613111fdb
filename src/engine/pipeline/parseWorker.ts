/**
 * The parse worker: decodes, splits and parses one file per task with the
 * backends initialised once per thread, and answers with the ParsedFile as a
 * JSON string (what the cache stores; cheaper to send than an object graph).
 */
import { workerData } from 'node:worker_threads';
import { openParseCache, type ParseCache } from '../cache/parseCache.ts';
import { cacheKey } from '../cache/cacheKey.ts';
import { parseFile, type StatementCache } from '../extract/parseFile.ts';
import type { ParserBackend } from '../parse/backend.ts';
import { createBackends } from '../parse/backends.ts';
import type { ParseTask, ParseTaskResult, ParseWorkerData } from './parseTask.ts';
import { STATEMENT_CACHE_MIN_BYTES } from './parseTask.ts';
import { serveTasks } from './workerTask.ts';

const data = workerData as ParseWorkerData;
let backends: ParserBackend[] = [];
let cache: ParseCache | undefined;

function statementCache(context: string): StatementCache | undefined {
  if (!data.cachePath) return undefined;
  // Opened on the first large file only: most workspaces never need it here.
  cache ??= openParseCache({ path: data.cachePath, flushDelayMs: 10 });
  if (!cache.enabled) return undefined;
  const c = cache;
  return {
    get: (key) => {
      const hit = c.getStatement(key);
      return typeof hit === 'string' ? hit : undefined;
    },
    put: (key, payload) => c.putStatement(key, payload),
    keyOf: (text, dialects) => cacheKey(text, `${context}|${dialects}`),
  };
}

function parseTask(task: ParseTask): ParseTaskResult {
  const stmtCache = task.statementCacheContext && task.bytes.byteLength >= STATEMENT_CACHE_MIN_BYTES ? statementCache(task.statementCacheContext) : undefined;
  const file = parseFile(task.path, task.bytes, { dialect: task.dialect, backends, ...(stmtCache ? { statementCache: stmtCache } : {}) });
  cache?.flush();
  return { json: JSON.stringify(file) };
}

serveTasks<ParseTask, ParseTaskResult>(parseTask, {
  init: async () => {
    backends = await createBackends(data.backends);
  },
});
