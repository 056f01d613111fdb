import { join } from 'node:path';
import type { ParseCacheOptions } from '../cache/cacheOptions.ts';
import type { DialectSetting } from '../model/dialect.ts';
import type { BackendId } from '../parse/backends.ts';
import type { BatcherOptions } from './batcher.ts';

export type PipelineLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface PipelineOptions {
  /** The workspace folder (absolute); graph paths are relative to it. */
  root: string;
  dialect: DialectSetting;
  defaultSchema?: string;
  backends?: readonly BackendId[];
  /** Parse workers; 0 parses on the calling thread. Default min(4, cores). */
  workers?: number;
  /** The parse worker script (the bundled one in a packaged extension). */
  workerScript?: URL | string;
  /** Per-file parse budget before the worker is replaced. Default 30 s. */
  taskTimeoutMs?: number;
  /** false disables the cache; otherwise options (path defaults to <root>/.sqlgraph/cache.db). */
  cache?: Partial<ParseCacheOptions> | false;
  /** Default <root>/.sqlgraph/graph.db; ':memory:' keeps the graph in memory. */
  storePath?: string;
  batcher?: Omit<BatcherOptions, 'onBatch'>;
  /** Which files are SQL; default: names ending in .sql. */
  include?: (absolutePath: string) => boolean;
  log?: PipelineLog;
}

export function defaultStorePath(root: string): string {
  return join(root, '.sqlgraph', 'graph.db');
}

/** Bump when extraction changes in a way that invalidates cached parse results. */
export const ENGINE_VERSION = '0.1.0';
