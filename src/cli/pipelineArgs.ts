import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isDialect, type DialectSetting } from '../engine/model/dialect.ts';
import { DEFAULT_BACKEND_ORDER, isBackendId, type BackendId } from '../engine/parse/backends.ts';
import type { PipelineLog, PipelineOptions } from '../engine/pipeline/pipelineOptions.ts';
import { UsageError } from './usageError.ts';

/** Options shared by ingest, watch and stats. */
export const PIPELINE_OPTIONS = {
  dialect: { type: 'string', default: 'auto' },
  backends: { type: 'string' },
  'default-schema': { type: 'string' },
  workers: { type: 'string' },
  realtime: { type: 'boolean', default: false },
  'no-batching': { type: 'boolean', default: false },
  'no-cache': { type: 'boolean', default: false },
  store: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface PipelineArgValues {
  dialect?: string;
  backends?: string;
  'default-schema'?: string;
  workers?: string;
  realtime?: boolean;
  'no-batching'?: boolean;
  'no-cache'?: boolean;
  store?: string;
  json?: boolean;
}

export function workspaceRoot(positionals: string[], command: string): string {
  if (positionals.length > 1) throw new UsageError(`${command} takes one folder`);
  const root = resolve(positionals[0] ?? '.');
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UsageError(`no such folder: ${positionals[0] ?? '.'}`);
  return root;
}

export function backendOrder(list: string | undefined): readonly BackendId[] {
  if (list === undefined) return DEFAULT_BACKEND_ORDER;
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!isBackendId(id)) throw new UsageError(`unknown parser backend '${id}' (use sqlparser-rs, node-sql-parser)`);
  if (ids.length === 0) throw new UsageError('--backends needs at least one backend');
  return ids as BackendId[];
}

export function dialectSetting(value: string | undefined): DialectSetting {
  const dialect = value ?? 'auto';
  if (dialect !== 'auto' && !isDialect(dialect)) throw new UsageError(`unknown dialect '${dialect}'`);
  return dialect;
}

export function pipelineOptionsFrom(values: PipelineArgValues, root: string, log: PipelineLog): PipelineOptions {
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new UsageError(`--workers takes a whole number from 0 to 64, not '${values.workers}'`);
  }
  return {
    root,
    dialect: dialectSetting(values.dialect),
    backends: backendOrder(values.backends),
    ...(values['default-schema'] !== undefined ? { defaultSchema: values['default-schema'] } : {}),
    ...(workers !== undefined ? { workers } : {}),
    ...(values['no-cache'] ? { cache: false as const } : {}),
    ...(values.store !== undefined ? { storePath: values.store === ':memory:' ? ':memory:' : resolve(values.store) } : {}),
    batcher: { realtime: values.realtime === true, batching: values['no-batching'] !== true },
    log,
  };
}
