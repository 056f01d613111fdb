/**
 * The server's settings: defaults, bounds, and the pipeline options they
 * become. Everything the client sends is checked here, so a hand-edited
 * settings.json can never put the pipeline into an invalid state.
 */
import { isDialect, type DialectSetting } from '../engine/model/dialect.ts';
import { DEFAULT_BATCH_SIZE } from '../engine/neo4j/neo4jSync.ts';
import type { PipelineLog, PipelineOptions } from '../engine/pipeline/pipelineOptions.ts';
import type { LogLevel, ServerSettings } from '../shared/protocol.ts';

export const DEFAULT_SETTINGS: ServerSettings = {
  dialect: 'auto',
  include: ['**/*.sql'],
  exclude: ['**/node_modules/**', '**/.git/**', '**/dbt_packages/**', '**/target/**'],
  watcherDebounceMs: 5000,
  saveDebounceMs: 150,
  batchThreshold: 50,
  realtime: false,
  batching: true,
  workers: 2,
  cacheEnabled: true,
  cacheMaxEntries: 10_000,
  cacheTtlDays: 30,
  neo4jBatchSize: DEFAULT_BATCH_SIZE,
  logLevel: 'info',
  ingestOnStartup: true,
};

const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

function int(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : fallback;
}

function bool(value: unknown, fallback: boolean): boolean {
  return typeof value === 'boolean' ? value : fallback;
}

function strings(value: unknown, fallback: string[]): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : fallback;
}

/** Whatever arrives (partial, wrong types, out of bounds) becomes a valid settings object. */
export function sanitizeSettings(raw: unknown): ServerSettings {
  const r = (typeof raw === 'object' && raw !== null ? raw : {}) as Partial<Record<keyof ServerSettings, unknown>>;
  const d = DEFAULT_SETTINGS;
  const dialect = typeof r.dialect === 'string' && (r.dialect === 'auto' || isDialect(r.dialect)) ? r.dialect : d.dialect;
  return {
    dialect,
    include: strings(r.include, d.include),
    exclude: strings(r.exclude, d.exclude),
    watcherDebounceMs: int(r.watcherDebounceMs, d.watcherDebounceMs, 0, 60_000),
    saveDebounceMs: int(r.saveDebounceMs, d.saveDebounceMs, 0, 5_000),
    batchThreshold: int(r.batchThreshold, d.batchThreshold, 1, 10_000),
    realtime: bool(r.realtime, d.realtime),
    batching: bool(r.batching, d.batching),
    workers: int(r.workers, d.workers, 0, 16),
    cacheEnabled: bool(r.cacheEnabled, d.cacheEnabled),
    cacheMaxEntries: int(r.cacheMaxEntries, d.cacheMaxEntries, 1, 10_000_000),
    cacheTtlDays: int(r.cacheTtlDays, d.cacheTtlDays, 1, 36_500),
    neo4jBatchSize: int(r.neo4jBatchSize, d.neo4jBatchSize, 1, 100_000),
    logLevel: typeof r.logLevel === 'string' && (LOG_LEVELS as readonly string[]).includes(r.logLevel) ? (r.logLevel as LogLevel) : d.logLevel,
    ingestOnStartup: bool(r.ingestOnStartup, d.ingestOnStartup),
  };
}

export function pipelineOptionsFor(
  root: string,
  settings: ServerSettings,
  extra: { workerScript: URL | undefined; include: (absolutePath: string) => boolean; log: PipelineLog },
): PipelineOptions {
  return {
    root,
    dialect: settings.dialect as DialectSetting,
    workers: settings.workers,
    ...(extra.workerScript ? { workerScript: extra.workerScript } : {}),
    cache: settings.cacheEnabled ? { maxEntries: settings.cacheMaxEntries, ttlDays: settings.cacheTtlDays } : false,
    batcher: {
      debounceMs: settings.watcherDebounceMs,
      saveDebounceMs: settings.saveDebounceMs,
      maxBatchSize: settings.batchThreshold,
      realtime: settings.realtime,
      batching: settings.batching,
    },
    include: extra.include,
    log: extra.log,
  };
}

/** Whether a message of `level` passes the configured level. */
export function logs(configured: LogLevel, level: Exclude<LogLevel, 'off'>): boolean {
  return LOG_LEVELS.indexOf(level) <= LOG_LEVELS.indexOf(configured) && configured !== 'off';
}
