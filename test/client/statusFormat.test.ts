import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cacheStatsMessage, ingestMessage, statusText, statusTooltip } from '../../src/client/statusFormat.ts';
import type { CacheStatsResult } from '../../src/shared/protocol.ts';
import { neo4jOff, status } from './statusFixture.ts';

test('idle text: entities and rounded cache hit rate', () => {
  assert.equal(statusText(status(), false), '$(database) SQL Graph: 1234 entities · 98% cache');
  assert.equal(statusText(status({ cache: { ...status().cache, hitRate: 0.456 } }), false), '$(database) SQL Graph: 1234 entities · 46% cache');
});

test('busy text: queued files with a spinner', () => {
  assert.equal(statusText(status({ busy: true, queued: 4200 }), false), '$(sync~spin) SQL Graph: 4200 queued');
});

test('Neo4j suffix only when configured or connected', () => {
  const connected = status({ neo4j: { ...neo4jOff, state: 'connected', available: true, pending: 0 } });
  assert.equal(statusText(connected, true), '$(database) SQL Graph: 1234 entities · 98% cache · Neo4j ✓');
  const offline = status({ neo4j: { ...neo4jOff, state: 'offline', available: true } });
  assert.equal(statusText(offline, true), '$(database) SQL Graph: 1234 entities · 98% cache · Neo4j offline (12 pending)');
  const error = status({ neo4j: { ...neo4jOff, state: 'error', available: true, lastError: 'auth' } });
  assert.equal(statusText(error, true), '$(database) SQL Graph: 1234 entities · 98% cache · Neo4j error');
  assert.equal(statusText(status(), false), '$(database) SQL Graph: 1234 entities · 98% cache');
});

test('before the first status: starting', () => {
  assert.equal(statusText(undefined, false), '$(sync~spin) SQL Graph: starting');
});

test('tooltip: details and command links', () => {
  const md = statusTooltip(status({ health: 'warning', message: 'parse cache: read-only' }), false);
  assert.match(md, /\*\*SQL Graph\*\* \$\(warning\) parse cache: read\\-only/);
  assert.match(md, /1234 entities, 125 relationships in 6 files/);
  assert.match(md, /98\.0% hit rate, 6 entries, 64\.0 KB/);
  assert.match(md, /0\/2 busy/);
  assert.match(md, /\(command:sqlGraph\.showCacheStats\)/);
  assert.doesNotMatch(md, /Neo4j/);
  assert.match(statusTooltip(status({ neo4j: { ...neo4jOff, state: 'connected', available: true, uri: 'neo4j://h:7687' } }), true), /Neo4j \| connected to neo4j:\/\/h:7687/);
});

test('cache stats message', () => {
  const result: CacheStatsResult = {
    folders: [],
    total: { enabled: true, entries: 6, statementEntries: 2, hits: 49, misses: 1, hitRate: 0.98, bytes: 2 * 1024 * 1024, evictions: 3 },
  };
  assert.equal(cacheStatsMessage(result), 'SQL Graph cache: 6 entries (2 statements), hit rate 98.0% (49 hits, 1 misses), size 2.0 MB, 3 evictions.');
  assert.equal(cacheStatsMessage({ folders: [], total: { ...result.total, enabled: false } }), 'SQL Graph cache: off.');
});

test('ingest message', () => {
  const summary = { files: 10, parsed: 7, unchanged: 3, removed: 1, reResolved: 0, statements: 20, bytes: 1, seconds: 1.25, diagnostics: { error: 0, warning: 0, info: 0 } };
  assert.equal(ingestMessage({ cancelled: false, folders: [{ folder: 'a', summary }] }), 'SQL Graph: ingested 10 files in 1.3 s (7 parsed, 3 unchanged, 1 removed).');
  assert.equal(ingestMessage({ cancelled: true, folders: [] }), 'SQL Graph: ingest cancelled.');
  assert.match(ingestMessage({ cancelled: false, folders: [{ folder: 'b', error: 'disk full' }] }), /1 folder\(s\) failed: disk full/);
});
