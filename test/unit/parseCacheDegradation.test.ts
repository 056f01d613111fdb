import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { cacheKey } from '../../src/engine/cache/cacheKey.ts';
import { openParseCache } from '../../src/engine/cache/parseCache.ts';
import type { ParseCache } from '../../src/engine/cache/parseCache.ts';
import type { ParseCacheOptions } from '../../src/engine/cache/cacheOptions.ts';

const root = mkdtempSync(join(tmpdir(), 'sqlgraph-parse-cache-degraded-'));
after(() => rmSync(root, { recursive: true, force: true }));
let folders = 0;

function freshPath(): string {
  const folder = join(root, `w${folders++}`);
  mkdirSync(folder, { recursive: true });
  return join(folder, 'cache.db');
}

function open(options: Partial<ParseCacheOptions> & { path: string }, warnings: string[]): ParseCache {
  return openParseCache({ log: (level, message) => level === 'warn' && warnings.push(message), ...options });
}

const key = (name: string): string => cacheKey(name, 'test-context');
const payload = (name: string, size = 2000): string => JSON.stringify({ name, pad: 'x'.repeat(size) });

/** A cache file with `count` file entries, closed (so its WAL is checkpointed into it). */
function seed(path: string, count: number, size = 2000): void {
  const cache = open({ path }, []);
  for (let i = 0; i < count; i++) cache.putFile(key(`f${i}`), payload(`f${i}`, size));
  cache.close();
}

function corruptCopies(path: string): string[] {
  return readdirSync(dirname(path)).filter((name) => name.startsWith('cache.db.corrupt-') && !name.endsWith('-wal'));
}

/** Every call of the public API, none of which may throw. */
function exerciseEverything(cache: ParseCache): void {
  cache.putFile(key('p'), 'p');
  cache.putStatement(key('s'), 's');
  cache.recordPath('/p.sql', key('p'));
  cache.forgetPath('/q.sql');
  cache.flush();
  cache.getFile(key('p'));
  cache.getStatement(key('s'));
  cache.getFileByPath('/p.sql');
  cache.cleanup();
  cache.stats();
}

function assertWorks(cache: ParseCache): void {
  cache.putFile(key('after'), 'after');
  cache.flush();
  assert.equal(cache.getFile(key('after')), 'after');
  assert.equal(cache.enabled, true);
}

for (const [name, damage] of [
  ['random bytes', (path: string) => writeFileSync(path, randomBytes(64 * 1024))],
  ['a text file', (path: string) => writeFileSync(path, 'these are my notes, not a database\n'.repeat(100))],
] as const) {
  test(`a cache file holding ${name} is moved aside and rebuilt, with one warning`, () => {
    const path = freshPath();
    damage(path);
    const warnings: string[] = [];
    const cache = open({ path }, warnings);
    assertWorks(cache);
    exerciseEverything(cache);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /damaged.*moved it to .*cache\.db\.corrupt-/);
    assert.equal(corruptCopies(path).length, 1);
    assert.equal(cache.stats().degraded, undefined);
    cache.close();
  });
}

test('a truncated database is moved aside when the damage is found, and lookups never throw', () => {
  const path = freshPath();
  seed(path, 1500);
  truncateSync(path, Math.floor(statSync(path).size * 0.4));
  const warnings: string[] = [];
  const cache = open({ path }, warnings);
  let hits = 0;
  for (let i = 0; i < 1500; i++) if (cache.getFile(key(`f${i}`)) === payload(`f${i}`)) hits++;
  assert.ok(hits < 1500, 'some entries were lost with the truncated pages');
  assert.equal(corruptCopies(path).length, 1);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assertWorks(cache);
  exerciseEverything(cache);
  cache.close();
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});

test('corruption found by a later query is recovered from the same way, without a crash', () => {
  const path = freshPath();
  seed(path, 1500);
  const warnings: string[] = [];
  const cache = open({ path }, warnings);
  assert.equal(cache.getFile(key('f0')), payload('f0'));
  // Scribble over the middle of the file behind the open connection's back.
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(Math.floor(size * 0.5)), 0, Math.floor(size * 0.5), Math.floor(size * 0.25));
  closeSync(fd);
  for (let i = 0; i < 1500; i++) {
    cache.getFile(key(`f${i}`));
    cache.getFileByPath(`/f${i}.sql`);
    if (i % 100 === 0) {
      cache.putFile(key(`new${i}`), 'new');
      cache.flush();
    }
  }
  assert.equal(corruptCopies(path).length, 1);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assertWorks(cache);
  cache.close();
});

test('a location that cannot be created (a path under a regular file) gives a disabled cache and one warning', () => {
  const file = join(root, `plain-file-${folders++}`);
  writeFileSync(file, 'not a folder');
  const path = join(file, '.sqlgraph', 'cache.db');
  const warnings: string[] = [];
  const cache = open({ path }, warnings);
  assert.equal(cache.enabled, false);
  exerciseEverything(cache);
  assert.equal(cache.getFile(key('p')), undefined);
  cache.clear();
  const stats = cache.stats();
  assert.equal(stats.enabled, false);
  assert.match(stats.degraded ?? '', /folder/);
  cache.close();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /disabled/);
});

test('a read-only database (SQLITE_READONLY) keeps serving lookups, skips writes and warns once', () => {
  const path = freshPath();
  seed(path, 5);
  const warnings: string[] = [];
  const cache = open({ path, tuneConnection: (db) => db.pragma('query_only = 1') }, warnings);
  assert.equal(cache.enabled, true);
  assert.equal(cache.getFile(key('f1')), payload('f1'));
  for (let i = 0; i < 3; i++) exerciseEverything(cache);
  assert.equal(cache.getFile(key('p')), undefined);
  const stats = cache.stats();
  assert.match(stats.degraded ?? '', /writes disabled.*read-only/);
  assert.ok(stats.writesSkipped >= 9, `skipped ${stats.writesSkipped}`);
  assert.equal(stats.entries, 5);
  cache.close();
  assert.equal(warnings.length, 1, warnings.join('\n'));
});

test('a full disk (SQLITE_FULL) disables writes with one warning, loses nothing already stored and corrupts nothing', () => {
  const path = freshPath();
  seed(path, 5);
  const warnings: string[] = [];
  const cache = open(
    {
      path,
      tuneConnection: (db) => {
        const pages = db.pragma('page_count', { simple: true }) as number;
        db.pragma(`max_page_count = ${pages + 4}`);
      },
    },
    warnings,
  );
  for (let i = 0; i < 40; i++) {
    cache.putFile(key(`big${i}`), payload(`big${i}`, 5000));
    if (i % 5 === 4) cache.flush();
  }
  exerciseEverything(cache);
  const stats = cache.stats();
  assert.match(stats.degraded ?? '', /writes disabled.*full/);
  assert.ok(stats.writesSkipped > 0);
  for (let i = 0; i < 5; i++) assert.equal(cache.getFile(key(`f${i}`)), payload(`f${i}`));
  cache.close();
  assert.equal(warnings.length, 1, warnings.join('\n'));
  const check = new Database(path, { readonly: true });
  assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
  check.close();
});

/** Another process holding a lock on the database until released. */
async function holdLock(path: string, mode: 'exclusive' | 'writer'): Promise<{ release: () => Promise<void> }> {
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const script = `
    const Database = require(${JSON.stringify(modulePath)});
    const db = new Database(${JSON.stringify(path)});
    ${mode === 'exclusive' ? "db.pragma('locking_mode = EXCLUSIVE');" : ''}
    db.exec('BEGIN EXCLUSIVE');
    db.exec("INSERT INTO meta (name, value) VALUES ('locker', 1) ON CONFLICT (name) DO UPDATE SET value = value + 1");
    ${mode === 'exclusive' ? "db.exec('COMMIT');" : ''}
    process.stdout.write('locked\\n');
    process.stdin.on('end', () => { db.close(); process.exit(0); });
    process.stdin.resume();`;
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('locked') && resolve());
    child.on('exit', (code) => reject(new Error(`locker exited ${code}: ${stderr}`)));
  });
  return {
    release: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.on('exit', () => resolve());
        child.stdin.end();
      }),
  };
}

/** Design bound is 200 ms; the margin absorbs a loaded 2-core machine. */
const LOCK_WAIT_LIMIT_MS = 450;

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

test('a database locked by another process: lookups miss within the bound, writes are skipped and counted, then it recovers', async () => {
  const path = freshPath();
  seed(path, 3);
  const warnings: string[] = [];
  const lock = await holdLock(path, 'exclusive');
  let cache: ParseCache;
  try {
    // Asking for a long timeout must not make the cache wait longer than its cap.
    const opened = timed(() => open({ path, busyTimeoutMs: 5000 }, warnings));
    cache = opened.value;
    assert.ok(opened.ms < LOCK_WAIT_LIMIT_MS, `open waited ${opened.ms} ms`);
    assert.equal(cache.enabled, true, 'locked is a passing state, not a reason to turn the cache off');
    const lookup = timed(() => cache.getFile(key('f1')));
    assert.equal(lookup.value, undefined);
    assert.ok(lookup.ms < LOCK_WAIT_LIMIT_MS, `lookup waited ${lookup.ms} ms`);
    // The cache does not wait again at every lookup while the lock lasts.
    const many = timed(() => {
      for (let i = 0; i < 200; i++) cache.getFile(key(`f${i % 3}`));
    });
    assert.ok(many.ms < 100, `200 lookups took ${many.ms} ms`);
    const write = timed(() => {
      cache.putFile(key('while locked'), 'w');
      cache.flush();
    });
    assert.ok(write.ms < LOCK_WAIT_LIMIT_MS, `write waited ${write.ms} ms`);
    assert.equal(cache.stats().writesSkipped, 1);
    exerciseEverything(cache);
    // Past the back-off, one more attempt waits at most the busy timeout, and still misses.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const retry = timed(() => cache.getFile(key('f1')));
    assert.equal(retry.value, undefined);
    assert.ok(retry.ms < LOCK_WAIT_LIMIT_MS, `retry waited ${retry.ms} ms`);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /locked by another process/);
  } finally {
    await lock.release();
  }
  // Once the lock is gone and the back-off has passed, the cache works again.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  assert.equal(cache.getFile(key('f1')), payload('f1'));
  assertWorks(cache);
  cache.close();
  assert.equal(warnings.length, 1);
  assert.equal(corruptCopies(path).length, 0, 'a lock is not mistaken for corruption');
});

test('a writer holding a transaction: lookups still hit (WAL), writes are skipped within the bound', async () => {
  const path = freshPath();
  seed(path, 3);
  const warnings: string[] = [];
  const cache = open({ path }, warnings);
  const lock = await holdLock(path, 'writer');
  try {
    const lookup = timed(() => cache.getFile(key('f2')));
    assert.equal(lookup.value, payload('f2'));
    assert.ok(lookup.ms < 50, `lookup took ${lookup.ms} ms`);
    const write = timed(() => {
      cache.putFile(key('while locked'), 'w');
      cache.putStatement(key('while locked'), 'w');
      cache.flush();
    });
    assert.ok(write.ms < LOCK_WAIT_LIMIT_MS, `write waited ${write.ms} ms`);
    assert.equal(cache.stats().writesSkipped, 2);
    assert.equal(cache.getFile(key('while locked')), undefined);
  } finally {
    await lock.release();
  }
  cache.close();
  assert.equal(warnings.length, 1, warnings.join('\n'));
});
