import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { MAX_CLOCK_STEP_MS } from '../../src/engine/cache/cacheClock.ts';
import { SCHEMA_VERSION } from '../../src/engine/cache/cacheDatabase.ts';
import { buildCacheContext, cacheKey } from '../../src/engine/cache/cacheKey.ts';
import { openParseCache } from '../../src/engine/cache/parseCache.ts';
import type { ParseCacheOptions } from '../../src/engine/cache/cacheOptions.ts';

const root = mkdtempSync(join(tmpdir(), 'sqlgraph-parse-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;
const DAY = 24 * 60 * 60 * 1000;

function freshPath(): string {
  return join(root, `w${folders++}`, '.sqlgraph', 'cache.db');
}

/** A wall clock the test moves by hand. */
function manualClock(start = Date.UTC(2026, 0, 1)): { now: () => number; set: (t: number) => void; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, set: (t) => (time = t), advance: (ms) => (time += ms) };
}

function open(options: Partial<ParseCacheOptions> & { path: string }, warnings: string[] = []) {
  return openParseCache({ log: (level, message) => level === 'warn' && warnings.push(message), ...options });
}

const context = buildCacheContext({ engine: '0.1.0', dialect: 'postgresql', backends: [{ id: 'sqlparser-rs', version: '0.62.0' }] });
const key = (name: string): string => cacheKey(`-- ${name}\nSELECT 1;`, context);

test('file and statement entries round-trip, keep their payload type and survive a reopen', () => {
  const path = freshPath();
  const warnings: string[] = [];
  const cache = open({ path }, warnings);
  assert.equal(cache.enabled, true);
  const json = JSON.stringify({ statements: [{ kind: 'select', reads: ['t'] }] });
  const bytes = Uint8Array.from([1, 2, 3, 250]);
  assert.equal(cache.getFile(key('a')), undefined);
  cache.putFile(key('a'), json);
  cache.putFile(key('b'), bytes);
  cache.putStatement(key('s'), '{"s":1}');
  // Buffered puts are visible before they are written.
  assert.equal(cache.getFile(key('a')), json);
  cache.flush();
  assert.equal(cache.getFile(key('a')), json);
  assert.deepEqual([...(cache.getFile(key('b')) as Uint8Array)], [1, 2, 3, 250]);
  assert.equal(cache.getStatement(key('s')), '{"s":1}');
  // Files and statements are separate tables.
  assert.equal(cache.getStatement(key('a')), undefined);
  assert.equal(cache.getFile(key('s')), undefined);
  const stats = cache.stats();
  assert.equal(stats.entries, 2);
  assert.equal(stats.statementEntries, 1);
  assert.equal(stats.hits, 4);
  assert.equal(stats.misses, 3);
  assert.equal(stats.hitRate, 4 / 7);
  assert.ok(stats.bytes > 0);
  assert.equal(stats.path, path);
  cache.close();
  assert.equal(cache.enabled, false);
  assert.equal(cache.getFile(key('a')), undefined, 'a closed cache is a miss, not an error');

  const again = open({ path }, warnings);
  assert.equal(again.getFile(key('a')), json);
  const b = again.getFile(key('b'));
  assert.ok(b instanceof Uint8Array && typeof b !== 'string');
  assert.equal(again.getStatement(key('s')), '{"s":1}');
  // Presence without the payload: from the database, and from the buffer before a flush.
  assert.equal(again.hasStatement(key('s')), true);
  assert.equal(again.hasStatement(key('a')), false, 'a file entry is not a statement entry');
  again.putStatement(key('t'), '{"t":1}');
  assert.equal(again.hasStatement(key('t')), true);
  assert.equal(again.stats().hits, 5);
  assert.equal(again.stats().misses, 1);
  again.close();
  assert.deepEqual(warnings, []);
  assert.equal(readFileSync(join(path, '..', '.gitignore'), 'utf8'), '*\n');
});

test('a buffered byte payload is a copy: the caller may reuse its buffer', () => {
  const cache = open({ path: freshPath() });
  const buffer = Uint8Array.from([7, 7, 7]);
  cache.putFile(key('copy'), buffer);
  buffer.fill(0);
  cache.flush();
  assert.deepEqual([...(cache.getFile(key('copy')) as Uint8Array)], [7, 7, 7]);
  cache.close();
});

test('buffered writes reach the database on their own after flushDelayMs', async () => {
  const path = freshPath();
  const cache = open({ path, flushDelayMs: 5 });
  cache.putFile(key('auto'), 'payload');
  const reader = new Database(path, { readonly: true });
  const count = () => reader.prepare('SELECT count(*) FROM files').pluck().get();
  assert.equal(count(), 0);
  await new Promise((resolve) => setTimeout(resolve, 60));
  assert.equal(count(), 1);
  reader.close();
  cache.close();
});

test('a recorded path gives back its key until the file is forgotten, evicted or cleared', () => {
  const path = freshPath();
  const cache = open({ path, maxEntries: 2 });
  cache.putFile(key('one'), 'one');
  cache.recordPath('/w/one.sql', key('one'));
  assert.deepEqual(cache.getFileByPath('/w/one.sql'), { key: key('one') });
  cache.flush();
  assert.deepEqual(cache.getFileByPath('/w/one.sql'), { key: key('one') });
  assert.equal(cache.getFileByPath('/w/other.sql'), undefined);
  // A path is only recorded for a key whose file entry exists.
  cache.recordPath('/w/ghost.sql', key('never stored'));
  cache.flush();
  assert.equal(cache.getFileByPath('/w/ghost.sql'), undefined);
  // Re-recording replaces the key.
  cache.putFile(key('one v2'), 'one v2');
  cache.recordPath('/w/one.sql', key('one v2'));
  cache.flush();
  assert.deepEqual(cache.getFileByPath('/w/one.sql'), { key: key('one v2') });
  cache.close();

  const again = open({ path, maxEntries: 2 });
  assert.deepEqual(again.getFileByPath('/w/one.sql'), { key: key('one v2') }, 'kept across sessions');
  again.forgetPath('/w/one.sql');
  assert.equal(again.getFileByPath('/w/one.sql'), undefined);
  again.flush();
  assert.equal(again.getFileByPath('/w/one.sql'), undefined);
  const stats = again.stats();
  assert.equal(stats.pathHits, 1);
  assert.equal(stats.pathMisses, 2);

  // Evicting a file entry forgets the paths that point at it.
  again.recordPath('/w/one.sql', key('one v2'));
  again.flush();
  again.putFile(key('x'), 'x');
  again.putFile(key('y'), 'y');
  again.flush();
  assert.equal(again.getFileByPath('/w/one.sql'), undefined);

  again.recordPath('/w/x.sql', key('x'));
  again.flush();
  again.clear();
  assert.equal(again.getFileByPath('/w/x.sql'), undefined);
  assert.equal(again.getFile(key('x')), undefined);
  assert.equal(again.stats().entries, 0);
  again.close();
});

test('LRU: the least recently used files are evicted down to maxEntries; statements to 10× that', () => {
  const clock = manualClock();
  const cache = open({ path: freshPath(), maxEntries: 3, now: clock.now });
  for (const name of ['a', 'b', 'c']) {
    cache.putFile(key(name), name);
    cache.flush();
    clock.advance(2 * 60_000);
  }
  assert.equal(cache.getFile(key('a')), 'a'); // a is now the most recent
  cache.putFile(key('d'), 'd');
  cache.flush();
  assert.equal(cache.getFile(key('b')), undefined, 'b was the least recently used');
  for (const name of ['a', 'c', 'd']) assert.equal(cache.getFile(key(name)), name);
  assert.equal(cache.stats().entries, 3);
  assert.equal(cache.stats().evictions, 1);

  for (let i = 0; i < 35; i++) cache.putStatement(key(`statement ${i}`), `s${i}`);
  cache.flush();
  assert.equal(cache.stats().statementEntries, 30);
  assert.equal(cache.stats().evictions, 6);
  cache.close();
});

test('cleanup removes entries unused for ttlDays and keeps the ones in use', () => {
  const clock = manualClock();
  const path = freshPath();
  const cache = open({ path, ttlDays: 30, now: clock.now });
  cache.putFile(key('used'), 'used');
  cache.putFile(key('unused'), 'unused');
  cache.putStatement(key('unused statement'), 'unused');
  cache.putFile(key('skipped by path'), 'p');
  cache.recordPath('/w/p.sql', key('skipped by path'));
  cache.flush();
  for (let day = 1; day <= 40; day++) {
    clock.advance(DAY);
    if (day % 10 === 0) {
      assert.equal(cache.getFile(key('used')), 'used');
      assert.deepEqual(cache.getFileByPath('/w/p.sql'), { key: key('skipped by path') });
    }
    assert.deepEqual(cache.cleanup(), day === 31 ? { expired: 2, evicted: 0 } : { expired: 0, evicted: 0 }, `day ${day}`);
  }
  assert.equal(cache.getFile(key('unused')), undefined);
  assert.equal(cache.getStatement(key('unused statement')), undefined);
  assert.equal(cache.getFile(key('used')), 'used');
  assert.equal(cache.getFile(key('skipped by path')), 'p', 'a path hit keeps its file entry alive');
  assert.equal(cache.stats().expired, 2);
  cache.close();
});

test('clock jumps of years, forwards or backwards, neither expire nor invalidate entries', () => {
  const clock = manualClock();
  const path = freshPath();
  const warnings: string[] = [];
  const cache = open({ path, ttlDays: 30, maxEntries: 3, now: clock.now }, warnings);
  cache.putFile(key('old'), 'old');
  cache.flush();

  clock.advance(10 * 365 * DAY); // forwards ten years
  assert.deepEqual(cache.cleanup(), { expired: 0, evicted: 0 });
  assert.equal(cache.getFile(key('old')), 'old');

  clock.advance(-20 * 365 * DAY); // backwards twenty years
  cache.putFile(key('new1'), 'new1');
  cache.flush();
  assert.deepEqual(cache.cleanup(), { expired: 0, evicted: 0 });
  assert.equal(cache.getFile(key('old')), 'old');
  assert.equal(cache.getFile(key('new1')), 'new1');

  // LRU order still follows real use: entries written after the jump count as newer.
  clock.advance(5 * 60_000);
  cache.putFile(key('new2'), 'new2');
  cache.flush();
  clock.advance(5 * 60_000);
  cache.putFile(key('new3'), 'new3');
  cache.flush();
  assert.equal(cache.getFile(key('old')), undefined, 'old was least recently used');
  assert.equal(cache.getFile(key('new1')), 'new1');
  cache.close();

  // The cache clock persists: reopening after another jump changes nothing either.
  clock.advance(50 * 365 * DAY);
  const again = open({ path, ttlDays: 30, maxEntries: 3, now: clock.now }, warnings);
  for (const name of ['new1', 'new2', 'new3']) assert.equal(again.getFile(key(name)), name);
  again.flush();
  // Time that really passes, observed day by day, still expires entries.
  for (let day = 0; day < 31; day++) {
    clock.advance(MAX_CLOCK_STEP_MS);
    again.cleanup();
  }
  assert.equal(again.stats().entries, 0);
  again.close();
  assert.deepEqual(warnings, []);
});

test('a database of another schema version is rebuilt, not misread', () => {
  for (const otherVersion of [SCHEMA_VERSION + 1, 0]) {
    const path = freshPath();
    const cache = open({ path });
    cache.putFile(key('a'), 'a');
    cache.close();
    const raw = new Database(path);
    if (otherVersion === 0) raw.exec('DROP TABLE files; CREATE TABLE files (k, v); INSERT INTO files VALUES (1, 2);');
    raw.pragma(`user_version = ${otherVersion}`);
    raw.close();

    const warnings: string[] = [];
    const again = open({ path }, warnings);
    assert.equal(again.getFile(key('a')), undefined);
    assert.equal(again.stats().entries, 0);
    again.putFile(key('b'), 'b');
    again.flush();
    assert.equal(again.getFile(key('b')), 'b');
    again.close();
    assert.deepEqual(warnings, []);
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    check.close();
  }
});

test('a disabled cache opens no file and answers every call harmlessly', () => {
  const path = freshPath();
  const cache = open({ path, enabled: false });
  assert.equal(cache.enabled, false);
  cache.putFile(key('a'), 'a');
  cache.putStatement(key('a'), 'a');
  cache.recordPath('/a.sql', key('a'));
  cache.flush();
  assert.equal(cache.getFile(key('a')), undefined);
  assert.equal(cache.getStatement(key('a')), undefined);
  assert.equal(cache.getFileByPath('/a.sql'), undefined);
  assert.deepEqual(cache.cleanup(), { expired: 0, evicted: 0 });
  cache.clear();
  const stats = cache.stats();
  assert.equal(stats.enabled, false);
  assert.equal(stats.degraded, 'disabled by settings');
  assert.equal(stats.entries, 0);
  cache.close();
  assert.equal(existsSync(path), false);
});

test('hits refresh last use only when it is older than a minute, so most hits write nothing', () => {
  const clock = manualClock();
  const path = freshPath();
  const cache = open({ path, now: clock.now });
  cache.putFile(key('a'), 'a');
  cache.flush();
  const reader = new Database(path, { readonly: true });
  const lastUsed = () => reader.prepare('SELECT last_used FROM files').pluck().get();
  const written = lastUsed();
  clock.advance(30_000);
  cache.getFile(key('a'));
  cache.flush();
  assert.equal(lastUsed(), written);
  clock.advance(60_000);
  cache.getFile(key('a'));
  cache.flush();
  assert.equal(lastUsed(), (written as number) + 90_000);
  reader.close();
  cache.close();
});

test('a put with a payload of the wrong type is skipped with a warning, and the rest of its batch is written', () => {
  const warnings: string[] = [];
  const cache = open({ path: freshPath() }, warnings);
  cache.putFile(key('good'), 'good');
  cache.putFile(key('bad'), 42 as unknown as string);
  cache.putStatement(key('bad'), { not: 'a payload' } as unknown as string);
  cache.flush();
  assert.equal(cache.getFile(key('good')), 'good');
  assert.equal(cache.getFile(key('bad')), undefined);
  assert.equal(cache.stats().writesSkipped, 2);
  assert.equal(cache.stats().enabled, true);
  assert.equal(warnings.length, 1);
  cache.close();
});
