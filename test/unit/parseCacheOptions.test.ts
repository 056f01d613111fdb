import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { buildCacheContext, cacheKey } from '../../src/engine/cache/cacheKey.ts';
import { CacheClock, MAX_CLOCK_STEP_MS } from '../../src/engine/cache/cacheClock.ts';
import { cacheOptionsFromEnv, defaultCachePath, resolveCacheOptions } from '../../src/engine/cache/cacheOptions.ts';
import type { ParseCacheOptions } from '../../src/engine/cache/cacheOptions.ts';

test('cacheKey depends on both content and context, and bytes equal their UTF-8 text', () => {
  const a = cacheKey('SELECT 1', 'ctx');
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(cacheKey('SELECT 1', 'ctx'), a);
  assert.notEqual(cacheKey('SELECT 2', 'ctx'), a);
  assert.notEqual(cacheKey('SELECT 1', 'ctx2'), a);
  assert.equal(cacheKey(new TextEncoder().encode('SELECT 1 -- é'), 'ctx'), cacheKey('SELECT 1 -- é', 'ctx'));
  // Moving text across the context/content boundary gives another key.
  assert.notEqual(cacheKey('b', 'a'), cacheKey('', 'ab'));
  assert.notEqual(cacheKey('1:a\nb', ''), cacheKey('b', 'a'));
});

test('buildCacheContext sorts keys at every depth and drops undefined values', () => {
  const one = buildCacheContext({ engine: '1', dialect: 'tsql', backends: [{ version: '2', id: 'x' }], schema: undefined });
  const two = buildCacheContext({ backends: [{ id: 'x', version: '2' }], dialect: 'tsql', engine: '1' });
  assert.equal(one, two);
  assert.equal(one, '{"backends":[{"id":"x","version":"2"}],"dialect":"tsql","engine":"1"}');
  assert.notEqual(buildCacheContext({ dialect: 'tsql', defaultSchema: 'dbo' }), buildCacheContext({ dialect: 'tsql', defaultSchema: 'sales' }));
  // Array order is meaningful (backend preference order).
  assert.notEqual(buildCacheContext({ b: ['x', 'y'] }), buildCacheContext({ b: ['y', 'x'] }));
});

test('defaultCachePath is <workspace>/.sqlgraph/cache.db', () => {
  assert.equal(defaultCachePath('/work/ws'), join('/work/ws', '.sqlgraph', 'cache.db'));
  assert.equal(defaultCachePath('ws'), join(resolve('ws'), '.sqlgraph', 'cache.db'));
});

function fromEnv(env: Record<string, string | undefined>, defaults: Partial<ParseCacheOptions> = {}): { options: ParseCacheOptions; warnings: string[] } {
  const warnings: string[] = [];
  const options = cacheOptionsFromEnv(env, { path: '/ws/.sqlgraph/cache.db', log: (_level, message) => warnings.push(message), ...defaults });
  return { options, warnings };
}

test('cacheOptionsFromEnv merges valid variables over the defaults', () => {
  const { options, warnings } = fromEnv({
    SQLGRAPH_ENABLE_PARSE_CACHE: 'false',
    SQLGRAPH_PARSE_CACHE_PATH: '/elsewhere/c.db',
    SQLGRAPH_PARSE_CACHE_MAX_ENTRIES: '500',
    SQLGRAPH_PARSE_CACHE_TTL_DAYS: '7.5',
    UNRELATED: 'x',
  });
  assert.deepEqual(warnings, []);
  assert.equal(options.enabled, false);
  assert.equal(options.path, '/elsewhere/c.db');
  assert.equal(options.maxEntries, 500);
  assert.equal(options.ttlDays, 7.5);
  for (const word of ['0', 'false', 'OFF', 'no']) assert.equal(fromEnv({ SQLGRAPH_ENABLE_PARSE_CACHE: word }).options.enabled, false, word);
  for (const word of ['1', 'TRUE', 'on', 'yes']) assert.equal(fromEnv({ SQLGRAPH_ENABLE_PARSE_CACHE: word }, { enabled: false }).options.enabled, true, word);
  // Empty and absent variables leave the defaults alone.
  const untouched = fromEnv({ SQLGRAPH_ENABLE_PARSE_CACHE: '', SQLGRAPH_PARSE_CACHE_MAX_ENTRIES: '  ' }, { maxEntries: 42 });
  assert.deepEqual(untouched.warnings, []);
  assert.equal(untouched.options.maxEntries, 42);
  assert.equal(untouched.options.enabled, undefined);
});

test('cacheOptionsFromEnv warns about each invalid value and keeps the default', () => {
  const { options, warnings } = fromEnv(
    {
      SQLGRAPH_ENABLE_PARSE_CACHE: 'maybe',
      SQLGRAPH_PARSE_CACHE_MAX_ENTRIES: '-5',
      SQLGRAPH_PARSE_CACHE_TTL_DAYS: 'forever',
    },
    { maxEntries: 42, ttlDays: 3 },
  );
  assert.equal(warnings.length, 3);
  assert.match(warnings[0] ?? '', /SQLGRAPH_ENABLE_PARSE_CACHE="maybe"/);
  assert.match(warnings[1] ?? '', /SQLGRAPH_PARSE_CACHE_MAX_ENTRIES="-5".*whole number/);
  assert.match(warnings[2] ?? '', /SQLGRAPH_PARSE_CACHE_TTL_DAYS="forever"/);
  assert.equal(options.enabled, undefined);
  assert.equal(options.maxEntries, 42);
  assert.equal(options.ttlDays, 3);
  for (const bad of ['0', '1.5', '1e3', '99999999999']) {
    assert.equal(fromEnv({ SQLGRAPH_PARSE_CACHE_MAX_ENTRIES: bad }).warnings.length, 1, bad);
  }
  for (const bad of ['0', '-1', 'NaN', '1e9']) {
    assert.equal(fromEnv({ SQLGRAPH_PARSE_CACHE_TTL_DAYS: bad }).warnings.length, 1, bad);
  }
});

test('resolveCacheOptions fills defaults, caps the busy timeout at 200 ms and rejects bad numbers with a warning', () => {
  const warnings: string[] = [];
  const log = (_level: string, message: string) => warnings.push(message);
  const defaults = resolveCacheOptions({ path: 'c.db', log });
  assert.equal(defaults.path, resolve('c.db'));
  assert.equal(defaults.enabled, true);
  assert.equal(defaults.maxEntries, 10_000);
  assert.equal(defaults.maxStatementEntries, 100_000);
  assert.equal(defaults.ttlMs, 30 * 24 * 60 * 60 * 1000);
  assert.equal(defaults.busyTimeoutMs, 100);
  assert.deepEqual(warnings, []);
  assert.equal(resolveCacheOptions({ path: 'c.db', busyTimeoutMs: 5000, log }).busyTimeoutMs, 200);
  const bad = resolveCacheOptions({ path: 'c.db', maxEntries: 0, ttlDays: Number.NaN, busyTimeoutMs: -1, log });
  assert.equal(bad.maxEntries, 10_000);
  assert.equal(bad.ttlMs, 30 * 24 * 60 * 60 * 1000);
  assert.equal(bad.busyTimeoutMs, 100);
  assert.equal(warnings.length, 3);
  assert.equal(resolveCacheOptions({ path: 'c.db', maxEntries: 7 }).maxStatementEntries, 70);
});

test('the cache clock never goes backwards and moves at most a day per observation', () => {
  let wall = 1_000_000;
  const clock = new CacheClock(() => wall);
  assert.equal(clock.now(), 1_000_000);
  wall += 5_000;
  assert.equal(clock.now(), 1_005_000);
  wall -= 10 * 365 * 24 * 3600 * 1000;
  assert.equal(clock.now(), 1_005_000);
  wall += 1_000; // time passing after a backwards jump still counts
  assert.equal(clock.now(), 1_006_000);
  wall += 50 * 365 * 24 * 3600 * 1000;
  assert.equal(clock.now(), 1_006_000 + MAX_CLOCK_STEP_MS);
  const resumed = new CacheClock(() => wall + 3_000, clock.snapshot());
  assert.equal(resumed.now(), 1_006_000 + MAX_CLOCK_STEP_MS + 3_000);
  const broken = new CacheClock(() => {
    throw new Error('no clock');
  });
  assert.equal(broken.now(), 0);
  const nan = new CacheClock(() => Number.NaN, { cacheTime: 5, lastWall: 5 });
  assert.equal(nan.now(), 5);
});
