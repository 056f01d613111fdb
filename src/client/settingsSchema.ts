/**
 * Every `sqlGraph.*` setting: type, default, bounds, description, and whether
 * a change needs a server restart. package.json's contributes.configuration
 * must say the same (test/client/config.test.ts checks), so the manifest and
 * the code cannot drift.
 */
import { DIALECTS } from '../engine/model/dialect.ts';
import type { ServerSettings } from '../shared/protocol.ts';

export interface SettingDefinition {
  /** Under `sqlGraph.`. */
  key: string;
  type: 'string' | 'boolean' | 'integer' | 'array';
  default: string | boolean | number | string[];
  description: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly string[];
  /** The server's field it feeds, if any. */
  server?: keyof ServerSettings;
  /** True when the running server cannot take the change: the user is offered a restart. */
  restart: boolean;
  /** Named by workspace settings, ignored in Restricted Mode (capabilities.untrustedWorkspaces). */
  restricted?: boolean;
}

export const SETTINGS: readonly SettingDefinition[] = [
  {
    key: 'dialect',
    type: 'string',
    default: 'auto',
    enum: ['auto', ...DIALECTS],
    description: 'SQL dialect of the workspace\'s files; `auto` guesses per file from its path and content.',
    server: 'dialect',
    restart: true,
  },
  { key: 'include', type: 'array', default: ['**/*.sql'], description: 'Globs (relative to each workspace folder) of the files that go into the graph.', server: 'include', restart: false },
  {
    key: 'exclude',
    type: 'array',
    default: ['**/node_modules/**', '**/.git/**', '**/dbt_packages/**', '**/target/**'],
    description: 'Globs of files left out of the graph even when `sqlGraph.include` matches them.',
    server: 'exclude',
    restart: false,
  },
  {
    key: 'debounce.watcherMs',
    type: 'integer',
    default: 5000,
    minimum: 0,
    maximum: 60000,
    description: 'Quiet period (ms) after file-system changes made outside the editor (checkouts, generators) before they are ingested as one batch.',
    server: 'watcherDebounceMs',
    restart: true,
  },
  {
    key: 'debounce.saveMs',
    type: 'integer',
    default: 150,
    minimum: 0,
    maximum: 5000,
    description: 'Quiet period (ms) after an editor save before the graph is updated; merges "Save All" into one batch.',
    server: 'saveDebounceMs',
    restart: true,
  },
  {
    key: 'batch.threshold',
    type: 'integer',
    default: 50,
    minimum: 1,
    maximum: 10000,
    description: 'A batch is ingested at once when this many files are pending, without waiting for the quiet period.',
    server: 'batchThreshold',
    restart: true,
  },
  { key: 'batch.enabled', type: 'boolean', default: true, description: 'Merge file changes into batches. When off, every change is ingested on its own.', server: 'batching', restart: true },
  { key: 'realtime', type: 'boolean', default: false, description: 'Ingest every change at once, without a quiet period.', server: 'realtime', restart: true },
  {
    key: 'workers',
    type: 'integer',
    default: 2,
    minimum: 0,
    maximum: 16,
    description: 'Parse worker threads per workspace folder; 0 parses on the language server\'s main thread.',
    server: 'workers',
    restart: true,
  },
  { key: 'cache.enabled', type: 'boolean', default: true, description: 'Keep a parse cache in `.sqlgraph/cache.db`, so unchanged content is never parsed twice.', server: 'cacheEnabled', restart: true },
  {
    key: 'cache.maxEntries',
    type: 'integer',
    default: 10000,
    minimum: 1,
    maximum: 10000000,
    description: 'Most files the parse cache keeps; the least recently used go first.',
    server: 'cacheMaxEntries',
    restart: true,
  },
  {
    key: 'cache.ttlDays',
    type: 'integer',
    default: 30,
    minimum: 1,
    maximum: 36500,
    description: 'Parse cache entries unused for this many days are removed.',
    server: 'cacheTtlDays',
    restart: true,
  },
  { key: 'neo4j.uri', type: 'string', default: '', description: 'Neo4j to mirror the graph into, e.g. `neo4j://localhost:7687`. Empty: no Neo4j. Set it with "SQL Graph: Connect to Neo4j…"; the password is kept in the OS keychain, never in settings.', restart: false, restricted: true },
  { key: 'neo4j.user', type: 'string', default: 'neo4j', description: 'Neo4j user name.', restart: false, restricted: true },
  { key: 'neo4j.database', type: 'string', default: '', description: 'Neo4j database; empty uses the server\'s default database.', restart: false, restricted: true },
  {
    key: 'neo4j.batchSize',
    type: 'integer',
    default: 2500,
    minimum: 1,
    maximum: 100000,
    description: 'Rows (entities and relationships) written to Neo4j per transaction; the default is the fastest in the bulk benchmark.',
    server: 'neo4jBatchSize',
    restart: false,
  },
  {
    key: 'logLevel',
    type: 'string',
    default: 'info',
    enum: ['off', 'error', 'warn', 'info', 'debug'],
    description: 'How much the extension and its language server write to the "SQL Graph" output.',
    server: 'logLevel',
    restart: false,
  },
  {
    key: 'trace.server',
    type: 'string',
    default: 'off',
    enum: ['off', 'messages', 'verbose'],
    description: 'Traces the messages between VS Code and the SQL Graph language server into the output.',
    restart: false,
  },
  { key: 'ingestOnStartup', type: 'boolean', default: true, description: 'Bring the graph up to date when the language server starts (unchanged files are skipped by hash).', server: 'ingestOnStartup', restart: false },
];

export const SETTINGS_SECTION = 'sqlGraph';

export function settingDefinition(key: string): SettingDefinition | undefined {
  return SETTINGS.find((s) => s.key === key);
}

/** The manifest's `contributes.configuration.properties`, as generated from SETTINGS. */
export function manifestProperties(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const s of SETTINGS) {
    out[`${SETTINGS_SECTION}.${s.key}`] = {
      type: s.type,
      default: s.default,
      ...(s.type === 'array' ? { items: { type: 'string' } } : {}),
      ...(s.enum ? { enum: [...s.enum] } : {}),
      ...(s.minimum !== undefined ? { minimum: s.minimum } : {}),
      ...(s.maximum !== undefined ? { maximum: s.maximum } : {}),
      markdownDescription: s.restart ? `${s.description} Takes effect after "SQL Graph: Restart Server".` : s.description,
    };
  }
  return out;
}
