/**
 * The packaged extension: `npm run package` (or a VSIX newer than every input)
 * holds exactly the bundles, the linux-x64 native module, the WASM parser and
 * the media; and its server starts and ingests from the unpacked VSIX alone,
 * with no node_modules of the repository in reach.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { PROTOCOL_VERSION, ingestWorkspaceRequest, statsRequest } from '../../src/shared/protocol.ts';
import { listZip, unzipTo } from './zipReader.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const vsixPath = join(root, 'dist', 'sql-graph.vsix');

function newestInput(): number {
  let newest = 0;
  const visit = (path: string): void => {
    const s = statSync(path);
    if (s.isDirectory()) for (const e of readdirSync(path)) visit(join(path, e));
    else newest = Math.max(newest, s.mtimeMs);
  };
  for (const p of ['src', 'media', 'esbuild.mjs', 'package.json', '.vscodeignore', 'README.md', 'LICENSE', 'scripts/package.ts']) visit(join(root, p));
  return newest;
}

function filesUnder(folder: string): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) for (const e of readdirSync(path)) visit(join(path, e));
    else out.push(relative(folder, path).split('\\').join('/'));
  };
  visit(folder);
  return out;
}

let unpacked: string | undefined;
let entries: ReturnType<typeof listZip>;

before(() => {
  if (!existsSync(vsixPath) || statSync(vsixPath).mtimeMs < newestInput()) {
    const result = spawnSync(process.execPath, [join(root, 'scripts', 'package.ts')], { cwd: root, encoding: 'utf8' });
    assert.equal(result.status, 0, `npm run package failed:\n${result.stdout}\n${result.stderr}`);
  }
  const zip = readFileSync(vsixPath);
  entries = listZip(zip);
  unpacked = mkdtempSync(join(tmpdir(), 'sqlgraph-vsix-'));
  unzipTo(zip, unpacked);
});

after(() => {
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

test('the VSIX holds exactly what runs', () => {
  const sqliteLib = filesUnder(join(root, 'node_modules', 'better-sqlite3', 'lib')).map((f) => `extension/dist/node_modules/better-sqlite3/lib/${f}`);
  const expected = [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/package.json',
    'extension/readme.md',
    'extension/LICENSE.txt',
    'extension/dist/extension.cjs',
    'extension/dist/server.cjs',
    'extension/dist/worker.cjs',
    'extension/dist/cli.cjs',
    'extension/media/icon.png',
    'extension/media/sql-graph.svg',
    'extension/dist/node_modules/better-sqlite3/package.json',
    'extension/dist/node_modules/better-sqlite3/LICENSE',
    'extension/dist/node_modules/better-sqlite3/prebuilds/linux-x64.node',
    ...sqliteLib,
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/package.json',
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/dist/index.cjs',
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/wasm/package.json',
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/wasm/LICENSE',
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/wasm/sqlparser_rs_wasm.js',
    'extension/dist/node_modules/@guanmingchiu/sqlparser-ts/wasm/sqlparser_rs_wasm_bg.wasm',
  ].sort();
  const actual = entries.map((e) => e.name).filter((n) => !n.endsWith('/')).sort();
  assert.deepEqual(actual, expected);
  assert.ok(!actual.some((n) => n.startsWith('extension/node_modules/')), 'nothing from the root node_modules');
  assert.ok(unpacked);
  const manifest = JSON.parse(readFileSync(join(unpacked, 'extension', 'package.json'), 'utf8')) as { main: string };
  assert.equal(manifest.main, './dist/extension.cjs');
  const total = entries.reduce((n, e) => n + e.compressedSize, 0);
  assert.ok(total < 8 * 1024 * 1024, `VSIX payload ${total} bytes`);
});

test('the packaged server starts alone over stdio, ingests with its workers, and exits cleanly', async () => {
  assert.ok(unpacked);
  const extension = join(unpacked, 'extension');
  const workspace = mkdtempSync(join(tmpdir(), 'sqlgraph-vsix-ws-'));
  cpSync(join(root, 'samples', 'workspace'), workspace, { recursive: true, filter: (src) => !src.includes('.sqlgraph') });
  // cwd outside the repository: nothing may come from its node_modules.
  const child = spawn(process.execPath, [join(extension, 'dist', 'server.cjs'), '--stdio'], { cwd: unpacked, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  connection.onNotification(() => undefined);
  connection.listen();
  try {
    const uri = pathToFileURL(workspace).href;
    const init = (await connection.sendRequest('initialize', {
      processId: null,
      rootUri: uri,
      capabilities: {},
      workspaceFolders: [{ uri, name: 'ws' }],
      initializationOptions: { protocolVersion: PROTOCOL_VERSION, trusted: true, settings: { workers: 1, ingestOnStartup: false } },
    })) as { capabilities: { experimental: { sqlGraph: { protocolVersion: number } } } };
    assert.equal(init.capabilities.experimental.sqlGraph.protocolVersion, PROTOCOL_VERSION);
    await connection.sendNotification('initialized', {});
    const result = await connection.sendRequest(ingestWorkspaceRequest, {});
    assert.equal(result.folders[0]?.summary?.parsed, 6, JSON.stringify(result));
    assert.equal(result.folders[0]?.summary?.diagnostics.error, 0, 'workers parsed every file (a worker that cannot load reports errors)');
    const stats = await connection.sendRequest(statsRequest);
    assert.equal(stats.folders[0]?.counts.entities.table, 5);
    // Six parse tasks, then one resolve task (six files fit one chunk): all in the packaged worker.
    assert.equal(stats.folders[0]?.snapshot.pool?.completed, 7);
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
    assert.equal(await exited, 0, stderr);
  } finally {
    connection.dispose();
    child.kill();
    rmSync(workspace, { recursive: true, force: true });
  }
});
