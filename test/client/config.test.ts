import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { classifySettingsChange, Config, restartMessage, type ConfigurationSource, type SettingValues } from '../../src/client/config.ts';
import { manifestProperties, SETTINGS } from '../../src/client/settingsSchema.ts';
import { sanitizeSettings } from '../../src/server/settings.ts';
import { DEFAULT_BATCH_SIZE } from '../../src/engine/neo4j/neo4jSync.ts';

/** A settings source from plain user- and workspace-level values. */
function source(user: Record<string, unknown>, workspace: Record<string, unknown> = {}): ConfigurationSource {
  return {
    get: <T>(key: string) => (key in workspace ? workspace[key] : user[key]) as T | undefined,
    inspect: <T>(key: string): SettingValues<T> => ({ globalValue: user[key] as T, workspaceValue: workspace[key] as T }),
  };
}

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Record<string, unknown>> } };
  capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } };
};

test('defaults when nothing is set', () => {
  const config = new Config(source({}), () => true);
  assert.equal(config.dialect, 'auto');
  assert.deepEqual(config.include, ['**/*.sql']);
  assert.equal(config.watcherDebounceMs, 5000);
  assert.equal(config.saveDebounceMs, 150);
  assert.equal(config.batchThreshold, 50);
  assert.equal(config.batching, true);
  assert.equal(config.realtime, false);
  assert.equal(config.workers, 2);
  assert.equal(config.cacheEnabled, true);
  assert.equal(config.cacheMaxEntries, 10_000);
  assert.equal(config.cacheTtlDays, 30);
  assert.equal(config.neo4jUri, '');
  assert.equal(config.neo4jUser, 'neo4j');
  assert.equal(config.neo4jBatchSize, DEFAULT_BATCH_SIZE, 'the engine default');
  assert.equal(config.logLevel, 'info');
  assert.equal(config.neo4jConfigured, false);
});

test('typed values pass; wrong types, unknown enums and out-of-bounds numbers fall back to the default', () => {
  const config = new Config(
    source({ dialect: 'postgresql', workers: 4, 'debounce.saveMs': 99999, 'cache.maxEntries': 2.5, logLevel: 'chatty', include: ['a/*.sql', 3], realtime: 'yes', 'batch.threshold': 10 }),
    () => true,
  );
  assert.equal(config.dialect, 'postgresql');
  assert.equal(config.workers, 4);
  assert.equal(config.batchThreshold, 10);
  assert.equal(config.saveDebounceMs, 150);
  assert.equal(config.cacheMaxEntries, 10_000);
  assert.equal(config.logLevel, 'info');
  assert.deepEqual(config.include, ['**/*.sql']);
  assert.equal(config.realtime, false);
});

test('serverSettings carries every server field and survives the server\'s own validation unchanged', () => {
  const config = new Config(source({ dialect: 'mysql', 'batch.enabled': false, exclude: ['x/**'] }), () => true);
  const settings = config.serverSettings();
  assert.equal(settings.dialect, 'mysql');
  assert.equal(settings.batching, false);
  assert.deepEqual(settings.exclude, ['x/**']);
  assert.deepEqual(sanitizeSettings(settings), settings);
  assert.deepEqual(Object.keys(settings).sort(), Object.keys(sanitizeSettings({})).sort());
});

test('Restricted Mode: a Neo4j URI from workspace settings is ignored, a user one is used', () => {
  let trusted = false;
  const config = new Config(source({ 'neo4j.user': 'me' }, { 'neo4j.uri': 'neo4j://evil.example:7687', 'neo4j.user': 'admin' }), () => trusted);
  assert.equal(config.neo4jUri, '');
  assert.equal(config.neo4jUser, 'me');
  assert.equal(config.neo4jConfigured, false);
  trusted = true;
  assert.equal(config.neo4jUri, 'neo4j://evil.example:7687');
  const userLevel = new Config(source({ 'neo4j.uri': 'neo4j://localhost:7687' }), () => false);
  assert.equal(userLevel.neo4jUri, 'neo4j://localhost:7687');
});

test('the manifest declares exactly the settings of the schema, with type, default, bounds and description', () => {
  const declared = manifest.contributes.configuration.properties;
  assert.deepEqual(declared, manifestProperties());
  for (const s of SETTINGS) {
    const p = declared[`sqlGraph.${s.key}`];
    assert.ok(p, s.key);
    assert.equal(typeof p.markdownDescription, 'string');
    if (s.type === 'integer') assert.ok(typeof p.minimum === 'number' && typeof p.maximum === 'number', `${s.key} has bounds`);
  }
  const restricted = SETTINGS.filter((s) => s.restricted).map((s) => `sqlGraph.${s.key}`);
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, restricted);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('restart-required detection', () => {
  const affects = (changed: string[]) => (section: string) => section === 'sqlGraph' || changed.includes(section);
  assert.deepEqual(classifySettingsChange(affects(['sqlGraph.workers', 'sqlGraph.dialect'])), { restart: ['sqlGraph.dialect', 'sqlGraph.workers'], live: false, neo4j: false });
  assert.deepEqual(classifySettingsChange(affects(['sqlGraph.exclude'])), { restart: [], live: true, neo4j: false });
  assert.deepEqual(classifySettingsChange(affects(['sqlGraph.logLevel', 'sqlGraph.cache.ttlDays'])), { restart: ['sqlGraph.cache.ttlDays'], live: true, neo4j: false });
  assert.deepEqual(classifySettingsChange(affects(['sqlGraph.neo4j.uri'])), { restart: [], live: false, neo4j: true });
  assert.deepEqual(classifySettingsChange(() => false), { restart: [], live: false, neo4j: false });
  assert.equal(restartMessage(['sqlGraph.workers']), 'SQL Graph: "sqlGraph.workers" takes effect after the language server restarts.');
});
