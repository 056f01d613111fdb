/**
 * f. A 5,000-file synthetic workspace in its own code-server session: reset the
 * extension host's event-loop histogram, ingest from the palette, then read the
 * delay percentiles through the hidden command `sqlGraph.debug.eventLoopDelay`
 * (called by the probe extension, see probe.ts), so p99 covers the ingest.
 * The session turns ingest-on-startup off so that window holds one full ingest.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateCorpus, writeCorpus } from '../../scripts/bench/synthCorpus.ts';
import { startCodeServer, type CodeServerSession } from './codeServer.ts';
import { cliCounts, statusEntities } from './expected.ts';
import { buildProbe, PROBE_RESET, PROBE_SHOW } from './probe.ts';
import type { CodeServerInstall } from './install.ts';
import { log, tempDir } from './processes.ts';
import { ingestAndWait, STATUS_ID } from './steps.ts';
import { Workbench } from './workbench.ts';
import type { Browser } from 'playwright-core';

export const P99_LIMIT_MS = 50;

export interface ResponsivenessResult {
  detail: string;
  p99Ms: number;
  ingestMs: number;
}

export interface ResponsivenessOptions {
  repo: string;
  install: CodeServerInstall;
  vsix: string | undefined;
  browser: Browser;
  screenshots: string;
  files: number;
  onSession: (session: CodeServerSession, wb: Workbench | undefined) => void;
}

export function synthWorkspace(files: number): string {
  const dir = join(tempDir('synth'), `synth-${files}`);
  mkdirSync(dir, { recursive: true });
  const corpus = generateCorpus({ files, seed: 1 });
  const bytes = writeCorpus(dir, corpus);
  log(`synthetic workspace: ${corpus.length} files, ${(bytes / 1e6).toFixed(1)} MB in ${dir}`);
  return dir;
}

/** Finds `p99` followed by a number of milliseconds in a text. */
export function parseP99(text: string): number | undefined {
  const match = /p99\D{0,12}?([\d.]+)\s*ms/i.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** Runs a probe command and returns its notification. */
async function probe(wb: Workbench, title: string): Promise<string> {
  await wb.clearNotifications();
  await wb.runCommand(title);
  return wb.waitForNotification(/^E2E event loop/, 20_000);
}

export async function responsiveness(options: ResponsivenessOptions): Promise<ResponsivenessResult> {
  const workspace = synthWorkspace(options.files);
  const cliStarted = Date.now();
  const expected = await cliCounts(options.repo, workspace);
  log(`CLI on ${options.files} files: ${expected.entities} entities in ${((Date.now() - cliStarted) / 1000).toFixed(1)} s`);
  const probeVsix = await buildProbe(options.repo);
  const session = await startCodeServer({ install: options.install, vsix: options.vsix, extraVsix: [probeVsix], workspace, name: 'synth', settings: { 'sqlGraph.ingestOnStartup': false } });
  options.onSession(session, undefined);
  const wb = await Workbench.open(options.browser, session.url, 'synth', options.screenshots);
  options.onSession(session, wb);
  await wb.waitForStatus(STATUS_ID, (t) => t.includes('SQL Graph'), 90_000);
  // No ingest on startup here (settings), so the measured window holds exactly the palette's full ingest.
  await wb.waitForStatus(STATUS_ID, (t) => statusEntities(t) !== undefined, 60_000);
  log(`reset: ${await probe(wb, PROBE_RESET)}`);
  const started = Date.now();
  const { message, status } = await ingestAndWait(wb, expected.entities, 6 * 60_000);
  const ingestMs = Date.now() - started;
  await wb.screenshot('synth-ingest');
  const shown = await probe(wb, PROBE_SHOW);
  await wb.screenshot('synth-event-loop');
  const p99 = parseP99(shown);
  if (p99 === undefined) throw new Error(`no p99 in "${shown}"`);
  const detail = `${options.files} files: "${message}"; "${status}" (CLI ${expected.entities}) after ${(ingestMs / 1000).toFixed(1)} s; ${shown}`;
  if (!(p99 < P99_LIMIT_MS)) throw new Error(`${detail}: p99 is not under ${P99_LIMIT_MS} ms`);
  return { detail, p99Ms: p99, ingestMs };
}
