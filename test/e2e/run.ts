#!/usr/bin/env node
/**
 * End-to-end test of the SQL Graph extension in a real VS Code (code-server)
 * driven by Chromium. `npm run test:e2e`; see test/e2e/README.md.
 *
 * Environment:
 *   SQLGRAPH_E2E_CACHE        install cache root (default ~/.cache/sqlgraph-e2e)
 *   SQLGRAPH_E2E_VSIX         use this VSIX instead of building dist/sql-graph.vsix
 *   SQLGRAPH_E2E_TIMEOUT_MS   limit for the test phase (default 600000)
 *   SQLGRAPH_E2E_INSTALL_TIMEOUT_MS  limit for apt + code-server install (default 1800000)
 *   SQLGRAPH_E2E_SYNTH_FILES  size of the responsiveness workspace (default 5000)
 *   SQLGRAPH_E2E_KEEP=1       keep the temp workspaces and user-data dirs
 * Flags: --no-package (use an existing dist/sql-graph.vsix), --skip-synth, --install-only
 */
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startCodeServer, type CodeServerSession } from './codeServer.ts';
import { cliCounts } from './expected.ts';
import { ensureCodeServer, type CodeServerInstall } from './install.ts';
import { ensureDebianPackages } from './prereqs.ts';
import { log, removeTempDirs, runCommand, stopAll, tail, tempDir } from './processes.ts';
import { responsiveness } from './responsiveness.ts';
import { brokenFileDiagnostic, clearCache, editAndSave, ingestWorkspace, serverProcessOptions, treeView, workbenchReady, type StepContext } from './steps.ts';
import { launchBrowser, Workbench, type LaunchedBrowser } from './workbench.ts';

const REPO = resolve(import.meta.dirname, '..', '..');
const FIXTURE = join(REPO, 'test', 'e2e', 'fixture');
const RESULTS = join(REPO, 'test-results', 'e2e');
const TEST_LIMIT_MS = Number(process.env.SQLGRAPH_E2E_TIMEOUT_MS || 10 * 60_000);
const INSTALL_LIMIT_MS = Number(process.env.SQLGRAPH_E2E_INSTALL_TIMEOUT_MS || 30 * 60_000);
const SYNTH_FILES = Number(process.env.SQLGRAPH_E2E_SYNTH_FILES || 5000);
const flags = new Set(process.argv.slice(2));

interface StepResult {
  name: string;
  ok: boolean;
  skipped?: boolean;
  detail: string;
  ms: number;
}

const results: StepResult[] = [];
const figures: string[] = [];
let browser: LaunchedBrowser | undefined;
let current: Workbench | undefined;
let finished = false;
let timedOut = false;

async function step(name: string, body: () => Promise<string>): Promise<boolean> {
  if (timedOut) {
    blocked(name, 'the time limit was reached');
    return false;
  }
  const started = Date.now();
  log(`step ${name} …`);
  try {
    const detail = await body();
    results.push({ name, ok: true, detail, ms: Date.now() - started });
    log(`PASS ${name}: ${detail}`);
    return true;
  } catch (error) {
    if (timedOut) {
      blocked(name, 'interrupted by the time limit');
      return false;
    }
    const detail = error instanceof Error ? error.message : String(error);
    results.push({ name, ok: false, detail, ms: Date.now() - started });
    log(`FAIL ${name}: ${detail}`);
    if (current) await current.screenshot(`${name}-failed`);
    return false;
  }
}

/** A step that could not run because an earlier one failed: a failure. */
function blocked(name: string, why: string): void {
  results.push({ name, ok: false, detail: `not run: ${why}`, ms: 0 });
  log(`FAIL ${name}: not run: ${why}`);
}

/** A step left out on request (--skip-synth): neither passed nor failed. */
function skipped(name: string, why: string): void {
  results.push({ name, ok: false, skipped: true, detail: `skipped: ${why}`, ms: 0 });
  log(`SKIP ${name}: ${why}`);
}

async function shutdown(): Promise<void> {
  await browser?.stop();
  browser = undefined;
  await stopAll();
  removeTempDirs();
}

let exitCode = 1;

/** Prints the summary once (the watchdog and main may both get here) and returns the exit code. */
function report(): number {
  if (finished) return exitCode;
  finished = true;
  const passed = results.filter((r) => r.ok).length;
  const skippedCount = results.filter((r) => r.skipped).length;
  const failed = results.length - passed - skippedCount;
  process.stdout.write('\n');
  for (const r of results) process.stdout.write(`${r.ok ? 'ok  ' : r.skipped ? 'skip' : 'FAIL'} ${r.name.padEnd(14)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.detail}\n`);
  for (const f of figures) process.stdout.write(`${f}\n`);
  process.stdout.write(`screenshots: ${RESULTS}\n`);
  process.stdout.write(`e2e: ${passed} passed, ${failed} failed${skippedCount ? `, ${skippedCount} skipped` : ''}\n`);
  exitCode = failed === 0 && passed > 0 ? 0 : 1;
  return exitCode;
}

/** Kills everything and fails the run once a phase runs past its limit. */
function watchdog(limitMs: number, phase: string): NodeJS.Timeout {
  return setTimeout(() => {
    if (finished) return;
    timedOut = true;
    log(`TIMEOUT: the ${phase} phase ran past ${limitMs / 1000} s; stopping every process it started`);
    results.push({ name: 'time-limit', ok: false, detail: `${phase} exceeded ${limitMs / 1000} s`, ms: limitMs });
    void (async () => {
      if (current) await Promise.race([current.screenshot('timeout'), new Promise((r) => setTimeout(r, 5000))]);
      await shutdown();
      process.exit(report() || 1);
    })();
  }, limitMs);
}

async function resolveVsix(): Promise<string | undefined> {
  if (process.env.SQLGRAPH_E2E_VSIX) return resolve(process.env.SQLGRAPH_E2E_VSIX);
  const built = join(REPO, 'dist', 'sql-graph.vsix');
  if (!flags.has('--no-package') && existsSync(join(REPO, 'scripts', 'package.ts'))) {
    log('building the VSIX: node scripts/package.ts');
    const started = Date.now();
    try {
      await runCommand(process.execPath, [join(REPO, 'scripts', 'package.ts')], { cwd: REPO, timeoutMs: 10 * 60_000 });
      log(`VSIX built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    } catch (error) {
      log(`packaging failed: ${tail(String(error), 15)}`);
      if (existsSync(built)) log('using the VSIX left in dist/ (stale)');
    }
  }
  return existsSync(built) ? built : undefined;
}

function workspaceCopy(): string {
  const copy = join(tempDir('ws'), 'fixture');
  cpSync(FIXTURE, copy, { recursive: true });
  return copy;
}

async function fixtureSession(install: CodeServerInstall, vsix: string | undefined, launched: LaunchedBrowser): Promise<void> {
  const workspace = workspaceCopy();
  const expected = await cliCounts(REPO, workspace);
  log(`CLI on the fixture: ${expected.entities} entities ${JSON.stringify(expected.byKind)} in ${expected.files} files`);
  let session: CodeServerSession | undefined;
  const opened = await step('workbench', async () => {
    session = await startCodeServer({ install, vsix, workspace, name: 'fixture' });
    current = await Workbench.open(launched.browser, session.url, 'fixture', RESULTS);
    const installed = readdirSync(session.extensionsDir).filter((d) => d.startsWith('sql-graph.'));
    if (installed.length === 0) throw new Error(`the VSIX is not installed (extensions dir: ${readdirSync(session.extensionsDir).join(', ') || 'empty'})`);
    return `${installed.join(', ')}; ${await workbenchReady({ repo: REPO, workspace, expected, wb: current })}`;
  });
  const names = ['ingest', 'tree', 'problems', 'edit-save', 'cache-clear'];
  if (!opened || !current) {
    for (const n of names) blocked(n, 'the workbench did not come up with the extension');
    return;
  }
  const ctx: StepContext = { repo: REPO, workspace, expected, wb: current };
  const extensionsDir = session?.extensionsDir ?? '';
  const ingested = await step('ingest', async () => `${await ingestWorkspace(ctx)}; ${serverProcessOptions(extensionsDir)}`);
  await step('tree', () => treeView(ctx));
  await step('problems', () => brokenFileDiagnostic(ctx));
  if (ingested) {
    await step('edit-save', async () => {
      const r = await editAndSave(ctx);
      figures.push(`figure: save → status bar update ${r.saveToStatusMs.toFixed(0)} ms`);
      return r.detail;
    });
  } else blocked('edit-save', 'ingest failed');
  await step('cache-clear', () => clearCache(ctx));
  await current.page.context().close().catch(() => undefined);
  current = undefined;
  (session as CodeServerSession | undefined)?.stop();
}

async function main(): Promise<number> {
  const installDog = watchdog(INSTALL_LIMIT_MS, 'install');
  const installStarted = Date.now();
  await ensureDebianPackages();
  const install = await ensureCodeServer();
  clearTimeout(installDog);
  figures.push(`figure: prerequisites and install ${((Date.now() - installStarted) / 1000).toFixed(0)} s`);
  if (flags.has('--install-only')) {
    finished = true;
    process.stdout.write(`code-server ${install.dir} ready\n`);
    return 0;
  }
  rmSync(RESULTS, { recursive: true, force: true });
  mkdirSync(RESULTS, { recursive: true });
  const testDog = watchdog(TEST_LIMIT_MS, 'test');
  const testStarted = Date.now();
  try {
    const vsix = await resolveVsix();
    log(vsix ? `VSIX: ${vsix}` : 'no VSIX found (dist/sql-graph.vsix): the extension steps will fail');
    browser = await launchBrowser();
    log(`Chromium pid ${browser.pid}`);
    await fixtureSession(install, vsix, browser);
    if (flags.has('--skip-synth')) skipped('responsiveness', '--skip-synth');
    else {
      await step('responsiveness', async () => {
        const r = await responsiveness({ repo: REPO, install, vsix, browser: (browser as LaunchedBrowser).browser, screenshots: RESULTS, files: SYNTH_FILES, onSession: (_s, wb) => (current = wb) });
        figures.push(`figure: event-loop delay p99 ${r.p99Ms} ms; ${SYNTH_FILES}-file ingest ${(r.ingestMs / 1000).toFixed(1)} s in the extension`);
        return r.detail;
      });
    }
  } finally {
    clearTimeout(testDog);
    await shutdown();
  }
  figures.push(`figure: test phase ${((Date.now() - testStarted) / 1000).toFixed(0)} s`);
  return report();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping every process this run started`);
    void shutdown().then(() => process.exit(130));
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  log(`e2e setup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await shutdown();
  if (!finished) {
    results.push({ name: 'setup', ok: false, detail: error instanceof Error ? error.message : String(error), ms: 0 });
    report();
  }
  process.exitCode = 1;
}
