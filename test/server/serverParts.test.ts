import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Coalescer, type CoalescerClock } from '../../src/server/coalescer.ts';
import { toLspDiagnostic } from '../../src/server/diagnostics.ts';
import { compileFileFilter, globToRegExp } from '../../src/server/globFilter.ts';
import { DEFAULT_SETTINGS, logs, sanitizeSettings } from '../../src/server/settings.ts';
import { buildStatus } from '../../src/server/statusBuilder.ts';
import { bundledWorkerScript } from '../../src/server/workerScript.ts';
import type { PipelineSnapshot } from '../../src/engine/pipeline/stats.ts';
import type { Neo4jStatus } from '../../src/shared/protocol.ts';

test('globs: **, *, ?, braces, classes; include minus exclude', () => {
  assert.ok(globToRegExp('**/*.sql').test('a/b/c.sql'));
  assert.ok(globToRegExp('**/*.sql').test('c.sql'));
  assert.ok(!globToRegExp('*.sql').test('a/c.sql'));
  assert.ok(globToRegExp('models/{staging,marts}/*.sql').test('models/marts/x.sql'));
  assert.ok(globToRegExp('v?.sql').test('v1.sql'));
  assert.ok(globToRegExp('[ab].sql').test('b.sql'));
  assert.ok(!globToRegExp('[!ab].sql').test('a.sql'));
  const filter = compileFileFilter(['**/*.sql'], ['**/node_modules/**', 'target/**']);
  assert.equal(filter('warehouse/x.sql'), true);
  assert.equal(filter('a/node_modules/p/x.sql'), false);
  assert.equal(filter('target/compiled/x.sql'), false);
  assert.equal(filter('warehouse/x.txt'), false);
  assert.equal(compileFileFilter(['*.SQL'], [])('deep/dir/x.sql'), true, 'a glob without / matches the name anywhere, case-insensitively');
});

test('settings: anything becomes valid settings', () => {
  assert.deepEqual(sanitizeSettings(undefined), DEFAULT_SETTINGS);
  assert.deepEqual(sanitizeSettings('garbage'), DEFAULT_SETTINGS);
  const s = sanitizeSettings({ dialect: 'klingon', workers: 99, saveDebounceMs: -5, include: 'x', logLevel: 'debug' });
  assert.equal(s.dialect, 'auto');
  assert.equal(s.workers, 16);
  assert.equal(s.saveDebounceMs, 0);
  assert.deepEqual(s.include, DEFAULT_SETTINGS.include);
  assert.equal(s.logLevel, 'debug');
  assert.equal(logs('info', 'debug'), false);
  assert.equal(logs('info', 'warn'), true);
  assert.equal(logs('off', 'error'), false);
});

test('diagnostics: source, code, severity; file-level problems on the first line', () => {
  const range = { start: { line: 4, character: 2 }, end: { line: 4, character: 9 } };
  assert.deepEqual(toLspDiagnostic({ severity: 'error', code: 'parse-error', message: 'm', range }), { range, severity: 1, code: 'parse-error', source: 'sql-graph', message: 'm' });
  assert.equal(toLspDiagnostic({ severity: 'warning', code: 'fallback-extraction', message: 'm', range }).severity, 2);
  assert.deepEqual(toLspDiagnostic({ severity: 'error', code: 'binary-file', message: 'm', range }).range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
});

test('coalescer: at most one call per interval, the latest state, no timer when idle', () => {
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const clock: CoalescerClock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const t = { at: now + ms, fn };
      timers.push(t);
      return t;
    },
    clearTimeout: (t) => timers.splice(timers.indexOf(t as (typeof timers)[number]), 1),
  };
  const advance = (to: number): void => {
    now = to;
    for (const t of [...timers].sort((a, b) => a.at - b.at)) {
      if (t.at > now) continue;
      timers.splice(timers.indexOf(t), 1);
      t.fn();
    }
  };
  const calls: number[] = [];
  const c = new Coalescer(() => calls.push(now), 1000, clock);
  c.request();
  advance(0);
  assert.deepEqual(calls, [0]);
  for (let t = 10; t < 900; t += 100) {
    now = t;
    c.request();
  }
  assert.equal(timers.length, 1);
  advance(999);
  assert.deepEqual(calls, [0]);
  advance(1000);
  assert.deepEqual(calls, [0, 1000]);
  assert.equal(timers.length, 0);
  advance(5000);
  c.request();
  advance(5000);
  assert.deepEqual(calls, [0, 1000, 5000]);
  // A change the user waits for moves the next run up to 100 ms after the last, never sooner.
  now = 5050;
  c.request();
  c.requestSoon(100);
  assert.equal(timers.length, 1);
  advance(5099);
  assert.deepEqual(calls, [0, 1000, 5000]);
  advance(5100);
  assert.deepEqual(calls, [0, 1000, 5000, 5100]);
  now = 5300;
  c.requestSoon(100);
  c.request(); // a later ordinary request does not push it back
  advance(5300);
  assert.deepEqual(calls, [0, 1000, 5000, 5100, 5300]);
});

const neo4j: Neo4jStatus = { state: 'unavailable', available: false, pending: 0, deadLetters: 0, message: 'x' };

function snapshot(over: Partial<PipelineSnapshot> = {}): PipelineSnapshot {
  return {
    filesProcessed: 0,
    filesSkippedUnchanged: 0,
    filesRemoved: 0,
    batches: 0,
    stageMillis: { read: 0, cache: 0, parse: 0, resolve: 0, store: 0, catalog: 0 },
    latency: { count: 0, p50: 0, p95: 0, p99: 0, max: 0 },
    throughput: 0,
    errorsByKind: {},
    queueDepth: 0,
    busyWorkers: 0,
    workers: 2,
    pendingEvents: 0,
    busy: false,
    ...over,
  };
}

test('status: sums over folders, ingest progress as queued, health from open errors', () => {
  const s = buildStatus({
    folders: [
      { name: 'a', snapshot: snapshot({ busy: true, queueDepth: 60, pendingEvents: 2 }), counts: { entities: { table: 3, column: 10 }, relationships: { HAS_COLUMN: 10 }, files: 2 }, ingest: { done: 100, total: 5000 } },
      { name: 'b', snapshot: snapshot(), counts: { entities: { view: 1 }, relationships: {}, files: 1 } },
    ],
    neo4j,
    problemFiles: 1,
    graphVersion: 7,
  });
  assert.equal(s.entities, 14);
  assert.equal(s.files, 3);
  assert.equal(s.busy, true);
  assert.equal(s.queued, 2 + 4900);
  assert.equal(s.workers, 4);
  assert.equal(s.message, 'Ingesting 100/5000 files');
  assert.equal(s.health, 'ok');
  const broken = buildStatus({ folders: [{ name: 'c', openError: 'disk full' }], neo4j, problemFiles: 0, graphVersion: 0 });
  assert.equal(broken.health, 'error');
  assert.equal(broken.message, 'c: disk full');
  const idle = buildStatus({ folders: [{ name: 'a', snapshot: snapshot({ cache: { enabled: true, hits: 3, misses: 1, hitRate: 0.75, pathHits: 0, pathMisses: 0, entries: 4, statementEntries: 0, bytes: 10, evictions: 0, expired: 0, writes: 0, writesSkipped: 0, path: 'p', degraded: 'read-only disk' } }) }], neo4j, problemFiles: 0, graphVersion: 0 });
  assert.equal(idle.cache.hitRate, 0.75);
  assert.equal(idle.health, 'warning');
  assert.match(idle.message, /read-only disk/);
});

test('worker script: the sibling worker.cjs in a bundle, the engine default from source', () => {
  assert.equal(bundledWorkerScript('file:///ext/dist/server.cjs')?.href, 'file:///ext/dist/worker.cjs');
  assert.equal(bundledWorkerScript('file:///repo/src/server/workerScript.ts'), undefined);
  assert.equal(bundledWorkerScript(), undefined);
});
