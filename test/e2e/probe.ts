/**
 * A tiny helper extension installed next to SQL Graph in the responsiveness
 * session. `sqlGraph.debug.eventLoopDelay` is hidden and only returns its
 * percentiles, which no UI shows; the probe calls it through the VS Code API
 * and puts the answer in a notification the test can read. Its palette
 * commands reset the histogram (before an ingest) and show it (after).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand, tempDir } from './processes.ts';

export const PROBE_RESET = 'SQL Graph E2E: Reset Event Loop Delay';
export const PROBE_SHOW = 'SQL Graph E2E: Show Event Loop Delay';

const MANIFEST = {
  name: 'sql-graph-e2e-probe',
  displayName: 'SQL Graph E2E probe',
  description: 'Shows the hidden event-loop delay command of SQL Graph for the e2e test.',
  publisher: 'sql-graph-e2e',
  version: '0.0.1',
  license: 'MIT',
  engines: { vscode: '^1.90.0' },
  main: './extension.js',
  contributes: {
    commands: [
      { command: 'sqlGraphE2e.resetEventLoopDelay', title: 'Reset Event Loop Delay', category: 'SQL Graph E2E' },
      { command: 'sqlGraphE2e.showEventLoopDelay', title: 'Show Event Loop Delay', category: 'SQL Graph E2E' },
    ],
  },
};

const SOURCE = `const vscode = require('vscode');
const HIDDEN = 'sqlGraph.debug.eventLoopDelay';
exports.activate = (context) => {
  const call = async (reset) => {
    try {
      const d = await vscode.commands.executeCommand(HIDDEN, { reset });
      if (!d || typeof d.p99 !== 'number') throw new Error('no percentiles from ' + HIDDEN + ': ' + JSON.stringify(d));
      const text = 'E2E event loop ' + (reset ? 'reset' : 'delay') + ': p50 ' + d.p50 + ' ms, p90 ' + d.p90 + ' ms, p99 ' + d.p99 + ' ms, max ' + d.max + ' ms over ' + d.count + ' samples in ' + d.sinceMs + ' ms';
      vscode.window.showInformationMessage(text);
    } catch (error) {
      vscode.window.showErrorMessage('E2E event loop failed: ' + (error && error.message ? error.message : String(error)));
    }
  };
  context.subscriptions.push(
    vscode.commands.registerCommand('sqlGraphE2e.resetEventLoopDelay', () => call(true)),
    vscode.commands.registerCommand('sqlGraphE2e.showEventLoopDelay', () => call(false)),
  );
};
`;

/** Writes and packages the probe; returns the VSIX path. */
export async function buildProbe(repo: string): Promise<string> {
  const dir = tempDir('probe');
  const src = join(dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'package.json'), JSON.stringify(MANIFEST, null, 2));
  writeFileSync(join(src, 'extension.js'), SOURCE);
  writeFileSync(join(src, 'LICENSE'), 'MIT\n');
  writeFileSync(join(src, 'README.md'), '# SQL Graph E2E probe\n');
  const vsix = join(dir, 'probe.vsix');
  const vsce = join(repo, 'node_modules', '@vscode', 'vsce', 'vsce');
  await runCommand(process.execPath, [vsce, 'package', '--allow-missing-repository', '--skip-license', '--no-dependencies', '-o', vsix], { cwd: src, timeoutMs: 120_000 });
  return vsix;
}
