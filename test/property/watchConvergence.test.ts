/**
 * Property: random sequences of create, modify, delete and rename (and one
 * burst of 10,000 events, like a git checkout) against a folder under
 * `sqlgraph watch`; once quiet, the store must equal a from-scratch ingest of
 * the same folder, every time.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Prng } from '../../scripts/bench/synthCorpus.ts';
import type { GraphFragment } from '../../src/engine/model/graph.ts';
import { IngestPipeline } from '../../src/engine/pipeline/ingestPipeline.ts';
import { WatchSession } from '../../src/engine/pipeline/watchSession.ts';
import { describeGraphDiff } from '../helpers/graphDiff.ts';
import { randomSqlFile } from '../helpers/randomSql.ts';

const SEQUENCES = Number(process.env['SQLGRAPH_PROPERTY_SEQUENCES'] ?? 200);
const isSql = (p: string): boolean => p.endsWith('.sql');

let root: string;
let pipeline: IngestPipeline;
let session: WatchSession;
const errors: string[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sqlgraph-watch-'));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  pipeline = await IngestPipeline.open({
    root,
    dialect: 'postgresql',
    workers: 1,
    cache: { path: join(root, '.sqlgraph', 'cache.db') },
    batcher: { realtime: true },
    log: (level, message) => {
      if (level !== 'info') errors.push(`${level}: ${message}`);
    },
  });
  ({ session } = await WatchSession.start(pipeline, { isIncluded: isSql, burstThreshold: 500, rescanDelayMs: 200, onError: (e) => errors.push(`watch: ${e.message}`) }));
});

after(async () => {
  session.close();
  await pipeline.close();
  rmSync(root, { recursive: true, force: true });
});

function sqlFiles(): string[] {
  const out: string[] = [];
  for (const dir of ['', 'a', 'b']) {
    const d = join(root, dir);
    if (!existsSync(d)) continue;
    for (const name of readdirSync(d)) if (isSql(name)) out.push(join(dir, name));
  }
  return out;
}

async function fromScratch(): Promise<GraphFragment> {
  const fresh = await IngestPipeline.open({ root, dialect: 'postgresql', workers: 0, cache: false, storePath: ':memory:' });
  try {
    await fresh.ingestAll();
    return fresh.store.exportAll();
  } finally {
    await fresh.close();
  }
}

async function assertConverged(what: string): Promise<void> {
  const expected = await fromScratch();
  const actual = pipeline.store.exportAll();
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    assert.fail(`${what}: the watched store differs from a from-scratch ingest\n${describeGraphDiff(actual, expected)}\n${errors.join('\n')}`);
  }
}

function randomOperation(rng: Prng): void {
  const files = sqlFiles();
  const pick = (): string | undefined => (files.length ? rng.pick(files) : undefined);
  const newName = (): string => join(rng.pick(['', 'a', 'b']), `f${rng.int(0, 40)}.sql`);
  const op = files.length < 3 ? 0 : rng.int(0, 4);
  if (op === 0 || op === 1) {
    const path = op === 0 ? newName() : (pick() ?? newName());
    writeFileSync(join(root, path), randomSqlFile(rng));
  } else if (op === 2) {
    const path = pick();
    if (path) unlinkSync(join(root, path));
  } else {
    const from = pick();
    const to = newName();
    if (from && from !== to) renameSync(join(root, from), join(root, to));
  }
}

test(`${SEQUENCES} random edit sequences converge to a from-scratch ingest`, async () => {
  const rng = new Prng(20261128);
  for (let sequence = 0; sequence < SEQUENCES; sequence++) {
    const operations = rng.int(1, 12);
    for (let i = 0; i < operations; i++) {
      randomOperation(rng);
      // Sometimes edit again while the previous batch is being parsed.
      if (rng.next() < 0.3) await new Promise((r) => setTimeout(r, rng.int(0, 15)));
    }
    await session.whenQuiet(150);
    await assertConverged(`sequence ${sequence}`);
  }
});

test('a burst of 10,000 events (a checkout) converges', async () => {
  const rng = new Prng(42);
  const burst = join(root, 'b', 'burst');
  mkdirSync(burst, { recursive: true });
  let events = 0;
  // 2,500 files created, 2,500 rewritten, 2,500 renamed, 2,500 deleted: 10,000 events.
  const names = Array.from({ length: 2500 }, (_, i) => join(burst, `g${i}.sql`));
  const step = (fn: (n: string) => void): void => {
    for (const n of names) {
      fn(n);
      events++;
    }
  };
  step((n) => writeFileSync(n, randomSqlFile(rng)));
  step((n) => writeFileSync(n, randomSqlFile(rng)));
  step((n) => renameSync(n, `${n}.moved.sql`));
  step((n) => unlinkSync(`${n}.moved.sql`));
  assert.equal(events, 10_000);
  for (let i = 0; i < 300; i++) writeFileSync(join(burst, `keep${i}.sql`), randomSqlFile(rng));
  await session.whenQuiet(500);
  await assertConverged('after the burst');
  rmSync(burst, { recursive: true, force: true });
  await session.whenQuiet(500);
  await assertConverged('after removing the burst folder');
});
