/**
 * Typed access to the `sqlGraph.*` settings. Free of `vscode`: the extension
 * hands in a ConfigurationSource over `workspace.getConfiguration`, tests a
 * plain object. Values outside their declared bounds or of the wrong type
 * fall back to the default, so a hand-edited settings.json cannot hurt.
 */
import type { LogLevel, ServerSettings } from '../shared/protocol.ts';
import { SETTINGS, SETTINGS_SECTION, settingDefinition, type SettingDefinition } from './settingsSchema.ts';

export interface SettingValues<T> {
  defaultValue?: T;
  globalValue?: T;
  workspaceValue?: T;
  workspaceFolderValue?: T;
}

export interface ConfigurationSource {
  /** The effective value of `sqlGraph.<key>` (undefined when unset). */
  get<T>(key: string): T | undefined;
  /** Per-scope values, to tell a user setting from a workspace one. */
  inspect<T>(key: string): SettingValues<T> | undefined;
}

export class Config {
  private readonly source: ConfigurationSource;
  private readonly isTrusted: () => boolean;

  constructor(source: ConfigurationSource, isTrusted: () => boolean) {
    this.source = source;
    this.isTrusted = isTrusted;
  }

  get dialect(): string {
    return this.value('dialect') as string;
  }
  get include(): string[] {
    return this.value('include') as string[];
  }
  get exclude(): string[] {
    return this.value('exclude') as string[];
  }
  get watcherDebounceMs(): number {
    return this.value('debounce.watcherMs') as number;
  }
  get saveDebounceMs(): number {
    return this.value('debounce.saveMs') as number;
  }
  get batchThreshold(): number {
    return this.value('batch.threshold') as number;
  }
  get batching(): boolean {
    return this.value('batch.enabled') as boolean;
  }
  get realtime(): boolean {
    return this.value('realtime') as boolean;
  }
  get workers(): number {
    return this.value('workers') as number;
  }
  get cacheEnabled(): boolean {
    return this.value('cache.enabled') as boolean;
  }
  get cacheMaxEntries(): number {
    return this.value('cache.maxEntries') as number;
  }
  get cacheTtlDays(): number {
    return this.value('cache.ttlDays') as number;
  }
  /** In Restricted Mode only a user-level URI counts: a workspace must not point us at a database. */
  get neo4jUri(): string {
    return (this.value('neo4j.uri') as string).trim();
  }
  get neo4jUser(): string {
    return this.value('neo4j.user') as string;
  }
  get neo4jDatabase(): string {
    return (this.value('neo4j.database') as string).trim();
  }
  get neo4jBatchSize(): number {
    return this.value('neo4j.batchSize') as number;
  }
  get logLevel(): LogLevel {
    return this.value('logLevel') as LogLevel;
  }
  get ingestOnStartup(): boolean {
    return this.value('ingestOnStartup') as boolean;
  }

  get neo4jConfigured(): boolean {
    return this.neo4jUri !== '';
  }

  /** What the server is started with and sent on every live change. */
  serverSettings(): ServerSettings {
    const out: Partial<Record<keyof ServerSettings, unknown>> = {};
    for (const s of SETTINGS) if (s.server) out[s.server] = this.value(s.key);
    return out as ServerSettings;
  }

  /** The validated value of one setting (its default when unset or invalid). */
  value(key: string): SettingDefinition['default'] {
    const def = settingDefinition(key);
    if (!def) throw new Error(`Unknown setting ${SETTINGS_SECTION}.${key}`);
    const raw = def.restricted && !this.isTrusted() ? this.source.inspect(key)?.globalValue : this.source.get(key);
    return valid(def, raw) ? (raw as SettingDefinition['default']) : def.default;
  }
}

function valid(def: SettingDefinition, raw: unknown): boolean {
  switch (def.type) {
    case 'boolean':
      return typeof raw === 'boolean';
    case 'string':
      return typeof raw === 'string' && (!def.enum || def.enum.includes(raw));
    case 'integer':
      return typeof raw === 'number' && Number.isInteger(raw) && raw >= (def.minimum ?? -Infinity) && raw <= (def.maximum ?? Infinity);
    case 'array':
      return Array.isArray(raw) && raw.every((v) => typeof v === 'string');
  }
}

export interface SettingsChange {
  /** Settings whose change needs "Restart Server" (full keys, `sqlGraph.…`). */
  restart: string[];
  /** True when some live setting the server uses changed: send it the new set. */
  live: boolean;
  /** True when a Neo4j connection setting changed. */
  neo4j: boolean;
}

/** Classifies a configuration change; `affects` is ConfigurationChangeEvent.affectsConfiguration. */
export function classifySettingsChange(affects: (section: string) => boolean): SettingsChange {
  const change: SettingsChange = { restart: [], live: false, neo4j: false };
  if (!affects(SETTINGS_SECTION)) return change;
  for (const s of SETTINGS) {
    const full = `${SETTINGS_SECTION}.${s.key}`;
    if (!affects(full)) continue;
    if (s.restart) change.restart.push(full);
    else if (s.server) change.live = true;
    if (s.key.startsWith('neo4j.') && s.key !== 'neo4j.batchSize') change.neo4j = true;
  }
  return change;
}

export function restartMessage(restart: readonly string[]): string {
  const names = restart.map((k) => `"${k}"`).join(', ');
  return `SQL Graph: ${names} ${restart.length === 1 ? 'takes' : 'take'} effect after the language server restarts.`;
}
