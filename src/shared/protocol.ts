/**
 * The one declaration of SQL Graph's custom protocol between the extension
 * (language client) and the language server. Both sides import this file, so
 * a method name or a payload shape cannot drift between them.
 *
 * Wire shapes are plain JSON. Engine types are reused where the server sends
 * engine data as it is (pipeline snapshot, cache stats, store counts).
 *
 * Versioning: PROTOCOL_VERSION goes to the server in initializationOptions
 * and comes back in the initialize result (capabilities.experimental); a
 * mismatch means a stale server bundle, and the client says so. Bump it on
 * any incompatible change to a method or shape below.
 */
import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { ParseCacheStats } from '../engine/cache/parseCache.ts';
import type { EntityKind } from '../engine/model/graph.ts';
import type { Range } from '../engine/model/range.ts';
import type { IngestSummary } from '../engine/pipeline/ingestPipeline.ts';
import type { PipelineSnapshot } from '../engine/pipeline/stats.ts';
import type { StoreCounts } from '../engine/store/types.ts';

export const PROTOCOL_VERSION = 1;

// ---- initialization and settings ---------------------------------------------------------------

/** Settings the server uses. Read by the client from `sqlGraph.*` (see client/settings.ts). */
export interface ServerSettings {
  dialect: string;
  include: string[];
  exclude: string[];
  watcherDebounceMs: number;
  saveDebounceMs: number;
  batchThreshold: number;
  realtime: boolean;
  batching: boolean;
  workers: number;
  cacheEnabled: boolean;
  cacheMaxEntries: number;
  cacheTtlDays: number;
  neo4jBatchSize: number;
  logLevel: LogLevel;
  ingestOnStartup: boolean;
}

export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

export interface InitializationOptions {
  protocolVersion: number;
  settings: ServerSettings;
  /** False in Restricted Mode: the server then never connects to a database on its own. */
  trusted: boolean;
}

/** Found under `capabilities.experimental.sqlGraph` in the initialize result. */
export interface ServerInfoExtension {
  protocolVersion: number;
  neo4jAvailable: boolean;
}

/** client → server: settings that apply without a restart changed (the full current set is sent). */
export const didChangeSettings = new NotificationType<{ settings: ServerSettings }>('sqlGraph/didChangeSettings');

// ---- status (server → client) ------------------------------------------------------------------

export type Health = 'ok' | 'warning' | 'error';

/**
 * `unavailable`: this build has no Neo4j support. `disabled`: nothing
 * configured. `offline`: configured, not reachable or not connected yet;
 * changes queue up as pending.
 */
export type Neo4jState = 'unavailable' | 'disabled' | 'connecting' | 'connected' | 'offline' | 'error';

export interface Neo4jStatus {
  state: Neo4jState;
  /** False when this build has no Neo4j support. */
  available: boolean;
  uri?: string;
  database?: string;
  /** Files whose changes Neo4j has not acknowledged yet (over all folders). */
  pending: number;
  /** Writes that failed for good and wait for "Replay Failed Writes". */
  deadLetters: number;
  message: string;
  lastError?: string;
}

/**
 * Sent at most once a second, whenever something changed (a batch applied,
 * ingest progress, busy/idle, Neo4j state). Drives the status bar and the
 * Status/Cache/Batches/Neo4j nodes of the tree view.
 */
export interface StatusParams {
  health: Health;
  busy: boolean;
  message: string;
  folders: number;
  files: number;
  entities: number;
  relationships: number;
  /** Files with at least one error diagnostic. */
  problemFiles: number;
  cache: { enabled: boolean; hits: number; misses: number; hitRate: number; entries: number; bytes: number; evictions: number };
  /** Files waiting: pending events + files of a running ingest not parsed yet + the pool's queue. */
  queued: number;
  queueDepth: number;
  busyWorkers: number;
  workers: number;
  batches: number;
  lastBatch?: { size: number; at: number; millis: number };
  latency: { count: number; p50: number; p95: number; p99: number };
  ingest?: { done: number; total: number };
  neo4j: Neo4jStatus;
  /** Increases with every change of the graph: the tree re-reads Graph and Problems only when it moved. */
  graphVersion: number;
}

export const statusNotification = new NotificationType<StatusParams>('sqlGraph/status');

// ---- ingest -------------------------------------------------------------------------------------

export interface IngestParams {
  /** A workspace folder URI; all folders when absent. */
  folder?: string;
  /** Echoed in progress notifications so the client can match them to this request. */
  progressToken?: string;
}

export interface FolderIngestResult {
  folder: string;
  summary?: IngestSummary;
  error?: string;
}

export interface IngestResult {
  cancelled: boolean;
  folders: FolderIngestResult[];
}

/** Cancellation: the LSP `$/cancelRequest` of this request, or the `cancel` request below. */
export const ingestWorkspaceRequest = new RequestType<IngestParams, IngestResult, void>('sqlGraph/ingestWorkspace');

export interface IngestProgressParams {
  progressToken: string;
  folder: string;
  done: number;
  total: number;
}

export const ingestProgressNotification = new NotificationType<IngestProgressParams>('sqlGraph/ingestProgress');

/** Cancels every running ingest; answers how many were running. */
export const cancelRequest = new RequestType0<{ cancelled: number }, void>('sqlGraph/cancel');

// ---- stats, cache, flush -------------------------------------------------------------------------

export interface FolderStats {
  folder: string;
  snapshot: PipelineSnapshot;
  counts: StoreCounts;
}

export const statsRequest = new RequestType0<{ folders: FolderStats[] }, void>('sqlGraph/stats');

export interface CacheStatsResult {
  folders: { folder: string; cache: ParseCacheStats | null }[];
  total: { enabled: boolean; entries: number; statementEntries: number; hits: number; misses: number; hitRate: number; bytes: number; evictions: number };
}

export const cacheStatsRequest = new RequestType0<CacheStatsResult, void>('sqlGraph/cacheStats');
export const clearCacheRequest = new RequestType0<{ cleared: number }, void>('sqlGraph/clearCache');
/** Runs every pending change now and answers when the graph is up to date. */
export const flushRequest = new RequestType0<{ folders: number }, void>('sqlGraph/flush');

// ---- Neo4j ------------------------------------------------------------------------------------------

export interface ConnectNeo4jParams {
  uri: string;
  user: string;
  /** From the client's SecretStorage; never logged, never stored by the server. */
  password: string;
  database?: string;
}

export const neo4jStatusRequest = new RequestType0<Neo4jStatus, void>('sqlGraph/neo4j/status');
export const connectNeo4jRequest = new RequestType<ConnectNeo4jParams, Neo4jStatus, void>('sqlGraph/neo4j/connect');
export const disconnectNeo4jRequest = new RequestType0<Neo4jStatus, void>('sqlGraph/neo4j/disconnect');
export const replayRequest = new RequestType0<{ replayed: number; status: Neo4jStatus }, void>('sqlGraph/neo4j/replay');

// ---- tree data ------------------------------------------------------------------------------------

export interface KindCount {
  kind: EntityKind;
  count: number;
}

export const graphKindsRequest = new RequestType0<{ kinds: KindCount[] }, void>('sqlGraph/tree/kinds');

export interface EntitiesParams {
  kind: EntityKind;
  offset: number;
  limit: number;
}

export interface EntityItem {
  key: string;
  name: string;
  kind: EntityKind;
  schema?: string;
  /** False when only referenced. */
  defined: boolean;
  /** Where it is defined (or first referenced). */
  uri: string;
  range: Range;
}

export interface EntitiesResult {
  items: EntityItem[];
  total: number;
  /** Set when more items follow. */
  nextOffset?: number;
}

export const entitiesRequest = new RequestType<EntitiesParams, EntitiesResult, void>('sqlGraph/tree/entities');

export interface ProblemFile {
  uri: string;
  /** Relative to its workspace folder. */
  path: string;
  errors: number;
  warnings: number;
  first?: { message: string; range: Range };
}

export const problemsRequest = new RequestType0<{ files: ProblemFile[] }, void>('sqlGraph/tree/problems');

/** Diagnostic source and the prefix of command ids, shared so tests and both sides agree. */
export const DIAGNOSTIC_SOURCE = 'sql-graph';
