/**
 * `npm run package`: a production build, then `vsce package` into
 * dist/sql-graph.vsix. Dependencies are not collected by vsce
 * (--no-dependencies): the bundles carry everything except the native and
 * WASM packages, whose run-time files esbuild.mjs copies to dist/node_modules/
 * and .vscodeignore lets in file by file. Only the linux-x64 native module
 * ships, so the VSIX is marked for that target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
export const VSIX_PATH = join(root, 'dist', 'sql-graph.vsix');

function run(args: string[], label: string): void {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`package: ${label} failed (exit ${String(result.status ?? result.signal)})\n`);
    process.exit(1);
  }
}

rmSync(VSIX_PATH, { force: true });
run(['esbuild.mjs', '--production'], 'the production build');
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
if (!existsSync(vsce)) {
  process.stderr.write('package: @vscode/vsce is not installed; run npm ci\n');
  process.exit(1);
}
run([vsce, 'package', '--no-dependencies', '--target', 'linux-x64', '--allow-missing-repository', '--out', VSIX_PATH], 'vsce package');
process.stdout.write(`package: ${VSIX_PATH} (${(statSync(VSIX_PATH).size / 1e6).toFixed(2)} MB)\n`);
