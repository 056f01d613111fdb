/**
 * One code-server session: its own extensions dir, user-data-dir and a free
 * port on 127.0.0.1, with the VSIX installed and settings that keep the
 * workbench quiet (no welcome page, no update checks, no auto-closing so typed
 * SQL lands as typed). Stopped by the process registry with everything else.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { CodeServerInstall } from './install.ts';
import { log, runCommand, sleep, startProcess, stopProcess, tempDir } from './processes.ts';

export interface CodeServerSession {
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  process: ChildProcess;
  /** Everything code-server printed, for failure reports. */
  output: () => string;
  stop: () => void;
}

export interface SessionOptions {
  install: CodeServerInstall;
  vsix: string | undefined;
  /** More VSIXs to install beside it (the e2e probe). */
  extraVsix?: string[];
  workspace: string;
  name: string;
  /** User settings on top of the quiet defaults. */
  settings?: Record<string, unknown>;
}

const SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.quickSuggestions': { other: false, comments: false, strings: false },
  'editor.suggestOnTriggerCharacters': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'chat.disableAIFeatures': true,
  'git.enabled': false,
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startCodeServer(options: SessionOptions): Promise<CodeServerSession> {
  const { install, workspace, name } = options;
  const base = tempDir(`${name}-session`);
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, ...options.settings }, null, 2));
  // Its own config file, so code-server does not write one under ~/.config.
  const common = ['--config', join(base, 'config.yaml'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir];
  for (const vsix of [options.vsix, ...(options.extraVsix ?? [])]) {
    if (!vsix) continue;
    log(`[${name}] installing ${vsix}`);
    const result = await runCommand(install.node, [install.entry, ...common, '--install-extension', vsix], { env: install.env, timeoutMs: 3 * 60_000 });
    const said = `${result.stdout}${result.stderr}`.trim().split('\n').filter((l) => l.trim()).pop() ?? '';
    log(`[${name}] ${said}`);
  }
  const port = await freePort();
  const args = [install.entry, ...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace];
  let output = '';
  const child = startProcess(install.node, args, { env: { ...install.env, SQLGRAPH_E2E: '1' }, cwd: workspace });
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on port ${port} within 60 s:\n${output}`);
    await sleep(250);
  }
  log(`[${name}] code-server pid ${child.pid} on 127.0.0.1:${port}, workspace ${workspace}`);
  return { url, port, userDataDir, extensionsDir, process: child, output: () => output, stop: () => stopProcess(child) };
}
