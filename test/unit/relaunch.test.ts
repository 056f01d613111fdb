import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { relaunch, shouldRelaunch } from '../../src/cli/relaunch.ts';
import { ENGINE_ENV, ENGINE_EXEC_ARGV, engineEnv, isEngineProcess } from '../../src/engine/runtime/engineProcess.ts';
import { REPO_ROOT } from '../../scripts/accuracy/corpus.ts';

test('only the long-running commands relaunch, and only once', () => {
  assert.equal(shouldRelaunch(['ingest', 'dir'], {}), true);
  assert.equal(shouldRelaunch(['watch', 'dir'], {}), true);
  for (const command of ['extract', 'stats', 'cache', 'sync', 'help']) assert.equal(shouldRelaunch([command], {}), false, command);
  assert.equal(shouldRelaunch([], {}), false);
  assert.equal(shouldRelaunch(['ingest'], engineEnv({})), false, 'a relaunched process runs the command itself');
  assert.equal(shouldRelaunch(['ingest'], { SQLGRAPH_NO_RELAUNCH: '1' }), false);
  assert.equal(isEngineProcess(engineEnv({})), true);
  assert.equal(isEngineProcess({}), false);
});

test('the relaunched process gets the engine options and its exit code is passed on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-relaunch-'));
  try {
    const script = join(dir, 'child.mjs');
    const report = join(dir, 'report.json');
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';
const [out, code, ...rest] = process.argv.slice(2);
writeFileSync(out, JSON.stringify({ execArgv: process.execArgv, env: process.env, rest }));
process.exit(Number(code));\n`,
    );
    const code = await relaunch(script, [report, '3', 'ingest', '--json']);
    assert.equal(code, 3);
    const seen = JSON.parse(readFileSync(report, 'utf8')) as { execArgv: string[]; env: Record<string, string>; rest: string[] };
    for (const flag of ENGINE_EXEC_ARGV) assert.ok(seen.execArgv.includes(flag), `${flag} in ${seen.execArgv.join(' ')}`);
    for (const [name, value] of Object.entries(ENGINE_ENV)) assert.equal(seen.env[name], value, name);
    assert.equal(isEngineProcess(seen.env), true);
    assert.deepEqual(seen.rest, ['ingest', '--json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`sqlgraph watch` relaunched: SIGTERM to the parent stops the child cleanly', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sqlgraph-relaunch-watch-'));
  try {
    cpSync(join(REPO_ROOT, 'samples', 'workspace'), join(dir, 'ws'), { recursive: true });
    const parent = spawn(process.execPath, [join(REPO_ROOT, 'src', 'cli', 'main.ts'), 'watch', join(dir, 'ws'), '--json', '--no-cache'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SQLGRAPH_ENGINE_PROCESS: '', SQLGRAPH_NO_RELAUNCH: '' },
    });
    let out = '';
    let err = '';
    parent.stdout.on('data', (chunk: Buffer) => (out += String(chunk)));
    parent.stderr.on('data', (chunk: Buffer) => (err += String(chunk)));
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => parent.once('exit', (code, signal) => resolve([code, signal])));
    while (!out.includes('"event":"ready"')) {
      if (parent.exitCode !== null) assert.fail(`watch exited early: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    parent.kill('SIGTERM');
    const [code, signal] = await exited;
    assert.equal(signal, null, `the parent was killed by ${signal ?? ''}: it should wait for the child`);
    assert.equal(code, 0, err);
    assert.match(readFileSync(join(dir, 'ws', '.sqlgraph', 'graph.db')).subarray(0, 16).toString(), /^SQLite format 3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("package.json's bin runs the CLI", () => {
  const bin = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['sqlgraph'];
  assert.ok(bin, 'a sqlgraph command');
  const run = spawnSync(process.execPath, [join(REPO_ROOT, bin), 'help'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^Usage: sqlgraph <command>/);
});
