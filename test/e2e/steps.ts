/**
 * The e2e steps against one workbench. Each returns a one-line detail on
 * success and throws with what it saw on failure; expected figures come from
 * the CLI, never from the extension itself.
 */
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliCounts, cliDiagnostics, statusEntities, type ExpectedCounts } from './expected.ts';
import { ENGINE_ENV, ENGINE_EXEC_ARGV } from '../../src/engine/runtime/engineProcess.ts';
import { log, sleep, tempDir } from './processes.ts';
import type { PageGlobals, TreeRow, Workbench } from './workbench.ts';

export const STATUS_ID = 'sqlGraph.status';
export const INGEST = 'SQL Graph: Ingest Workspace';
const TOP_LEVEL = ['Status', 'Cache', 'Batches', 'Neo4j', 'Graph', 'Problems'];

export interface StepContext {
  repo: string;
  workspace: string;
  expected: ExpectedCounts;
  wb: Workbench;
}

/** The extension activated: its status bar item is there. */
export async function workbenchReady(ctx: StepContext): Promise<string> {
  const text = await ctx.wb.waitForStatus(STATUS_ID, (t) => t.includes('SQL Graph'), 90_000).catch(async (error: unknown) => {
    throw new Error(`${String(error)}; status bar items: ${JSON.stringify(await ctx.wb.statusIds())}`);
  });
  await ctx.wb.screenshot('workbench');
  const domId = (await ctx.wb.statusIds()).find((s) => s.includes(STATUS_ID))?.split('=')[0];
  return `status bar item #${domId ?? '?'}: "${text}"`;
}

/**
 * Runs Ingest Workspace and waits for its completion message, then for the
 * status bar (updated at most once a second) to show `entities`.
 */
export async function ingestAndWait(wb: Workbench, entities: number, timeoutMs: number): Promise<{ message: string; status: string }> {
  await wb.clearNotifications();
  await wb.runCommand(INGEST);
  const message = await wb.waitForNotification(/^SQL Graph: ingest(ed| cancelled)/, timeoutMs).catch(async (error: unknown) => {
    throw new Error(`${String(error)}; status bar: "${(await wb.statusText(STATUS_ID)) ?? 'none'}"`);
  });
  if (!/^SQL Graph: ingested/.test(message) || /failed/.test(message)) throw new Error(`ingest did not complete: "${message}"`);
  const status = await wb.waitForStatus(STATUS_ID, (t) => statusEntities(t) === entities, 20_000).catch((error: unknown) => {
    throw new Error(`after "${message}": ${String(error)}; CLI counts ${entities}`);
  });
  return { message, status };
}

/** a. Ingest from the palette; once it reports completion the status bar shows the CLI's entity count. */
export async function ingestWorkspace(ctx: StepContext): Promise<string> {
  const started = Date.now();
  const { message, status } = await ingestAndWait(ctx.wb, ctx.expected.entities, 120_000);
  await ctx.wb.screenshot('ingest');
  return `"${message}" → "${status}" (CLI: ${ctx.expected.entities} entities) after ${Date.now() - started} ms`;
}

/**
 * The language server runs as a process of its own, started by the extension
 * with the engine's options (node flags and malloc environment): found by
 * its command line among this machine's processes.
 */
export function serverProcessOptions(extensionsDir: string): string {
  const servers: { pid: string; argv: string[]; env: string[] }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!argv.some((a) => a.startsWith(extensionsDir) && a.endsWith('server.cjs'))) continue;
      servers.push({ pid, argv, env: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0') });
    } catch {
      // A process that ended meanwhile.
    }
  }
  if (servers.length !== 1) throw new Error(`expected one language server process under ${extensionsDir}, found ${servers.length}`);
  const server = servers[0]!;
  for (const flag of ENGINE_EXEC_ARGV) if (!server.argv.includes(flag)) throw new Error(`server ${server.pid} lacks ${flag}: ${server.argv.join(' ')}`);
  for (const [name, value] of Object.entries(ENGINE_ENV)) if (!server.env.includes(`${name}=${value}`)) throw new Error(`server ${server.pid} lacks ${name}=${value} in its environment`);
  return `language server pid ${server.pid} with ${ENGINE_EXEC_ARGV.join(' ')} and ${Object.keys(ENGINE_ENV).join(', ')}`;
}

/** b. The Overview tree: its top-level nodes, the entity total and the per-kind counts under Graph. */
export async function treeView(ctx: StepContext): Promise<string> {
  await ctx.wb.showViewContainer('SQL Graph');
  let rows: TreeRow[] = [];
  const problems: string[] = [];
  const deadline = Date.now() + 30_000;
  // The tree refreshes on status notifications (at most once a second): retry until it agrees or time runs out.
  for (;;) {
    rows = await ctx.wb.treeRows('Overview', 1);
    problems.length = 0;
    const top = rows.filter((r) => r.level === 1).map((r) => r.text);
    for (const name of TOP_LEVEL) if (!top.some((t) => t === name || t.startsWith(`${name} `) || t.startsWith(`${name}:`))) problems.push(`no top-level node ${name} (have: ${top.join(' | ')})`);
    const entities = rows.map((r) => /Entities:?\s*([\d,]+)/i.exec(r.text)).find((m) => m);
    const shown = entities?.[1] === undefined ? undefined : Number(entities[1].replace(/,/g, ''));
    if (shown !== ctx.expected.entities) problems.push(`Entities row shows ${shown ?? 'nothing'}, CLI counts ${ctx.expected.entities}`);
    const graphAt = rows.findIndex((r) => r.level === 1 && r.text.startsWith('Graph'));
    const graphKids: TreeRow[] = [];
    for (let i = graphAt + 1; graphAt >= 0 && i < rows.length && (rows[i]?.level ?? 0) > 1; i++) if (rows[i]?.level === 2) graphKids.push(rows[i] as TreeRow);
    for (const [kind, count] of Object.entries(ctx.expected.byKind)) {
      const row = graphKids.find((r) => new RegExp(`^${kind}\\b`, 'i').test(r.text));
      const n = row ? /\(([\d,]+)\)/.exec(row.text)?.[1] : undefined;
      if (n === undefined || Number(n.replace(/,/g, '')) !== count) problems.push(`Graph/${kind} shows ${row ? `"${row.text}"` : 'no row'}, CLI counts ${count}`);
    }
    if (problems.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
  await ctx.wb.screenshot('tree');
  log(`tree rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.text}`).join(' / ')}`);
  if (problems.length) throw new Error(problems.join('; '));
  return `top-level ${TOP_LEVEL.join(', ')}; Entities ${ctx.expected.entities}; Graph ${Object.entries(ctx.expected.byKind).map(([k, n]) => `${k} (${n})`).join(', ')}`;
}

/** c. The broken file's diagnostic is in the Problems panel, from sql-graph, on the line the CLI reports. */
export async function brokenFileDiagnostic(ctx: StepContext): Promise<string> {
  const relative = 'broken/broken.sql';
  const fromCli = await cliDiagnostics(ctx.repo, join(ctx.workspace, relative));
  const expectedLine = fromCli[0]?.line;
  if (expectedLine !== 7) throw new Error(`fixture drift: the CLI puts broken.sql's first diagnostic on line ${expectedLine ?? 'none'}, the fixture says 7`);
  await ctx.wb.openFile(relative);
  const deadline = Date.now() + 30_000;
  let rows: string[] = [];
  let hit: string | undefined;
  while (!hit) {
    rows = await ctx.wb.problems();
    hit = rows.find((r) => /sql-graph/.test(r) && new RegExp(`(Ln ${expectedLine}\\b|line ${expectedLine}\\b)`).test(r));
    if (hit || Date.now() > deadline) break;
    await sleep(1000);
  }
  await ctx.wb.screenshot('problems');
  if (!hit) throw new Error(`no sql-graph problem at line ${expectedLine}; Problems rows: ${JSON.stringify(rows)}`);
  return `Problems: ${hit.split(' || ')[0]}`;
}

/** d. Type a CREATE TABLE and save; the status bar's count moves to what the CLI counts for the edited workspace. */
export async function editAndSave(ctx: StepContext): Promise<{ detail: string; saveToStatusMs: number }> {
  const relative = 'schema/customers.sql';
  const addition = '\n\nCREATE TABLE e2e_added (\n    id bigint PRIMARY KEY,\n    label text NOT NULL\n);\n';
  const original = readFileSync(join(ctx.workspace, relative), 'utf8');
  // The count after the edit, from the CLI on a copy with the same edit.
  const preview = tempDir('preview');
  cpSync(ctx.workspace, preview, { recursive: true, filter: (src) => !src.includes('.sqlgraph') });
  writeFileSync(join(preview, relative), original + addition);
  const after = await cliCounts(ctx.repo, preview);
  if (after.entities === ctx.expected.entities) throw new Error('the edit does not change the CLI count: pick another edit');
  const before = (await ctx.wb.statusText(STATUS_ID)) ?? '';

  await ctx.wb.openFile(relative);
  const page = ctx.wb.page;
  await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText(addition);
  await sleep(300);
  const t0 = performance.now();
  await page.keyboard.press('Control+S');
  const updated = await page
    .waitForFunction(
      ([suffix, want]) => {
        const item = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.part.statusbar .statusbar-item')).find((e) => e.id === suffix || e.id.endsWith(`.${suffix}`));
        const text = (item?.querySelector('.statusbar-item-label')?.textContent ?? item?.textContent ?? '').trim();
        const n = /SQL Graph:\s*([\d,]+)\s+entit/i.exec(text)?.[1];
        return n !== undefined && Number(n.replace(/,/g, '')) === want ? text : false;
      },
      [STATUS_ID, after.entities] as const,
      { timeout: 60_000, polling: 'raf' },
    )
    .then(async (h) => String(await h.jsonValue()))
    .catch(async () => {
      await ctx.wb.screenshot('save-failed');
      throw new Error(`status never showed ${after.entities} entities after the save; last "${(await ctx.wb.statusText(STATUS_ID)) ?? ''}", before "${before}"`);
    });
  const ms = performance.now() - t0;
  await ctx.wb.screenshot('after-save');
  const saved = readFileSync(join(ctx.workspace, relative), 'utf8');
  if (saved !== original + addition) throw new Error(`the file on disk is not the typed text (${saved.length} chars vs ${original.length + addition.length})`);
  ctx.expected = after;
  return { detail: `"${before}" → "${updated}" (CLI: ${after.entities}) in ${ms.toFixed(0)} ms from Ctrl+S`, saveToStatusMs: ms };
}

/** e. Clear the parse cache, then Show Cache Stats reports 0 entries. */
export async function clearCache(ctx: StepContext): Promise<string> {
  await ctx.wb.clearNotifications();
  await ctx.wb.runCommand('SQL Graph: Clear Parse Cache');
  await sleep(1000);
  await ctx.wb.clearNotifications();
  await ctx.wb.runCommand('SQL Graph: Show Cache Stats');
  const message = await ctx.wb.waitForNotification(/^SQL Graph cache:/, 20_000);
  await ctx.wb.screenshot('cache-stats');
  const zero = /(^|[^\d,.])0 (cache )?entries\b|entries:?\s*0\b/i.test(message);
  if (!zero) throw new Error(`Show Cache Stats says "${message}", not 0 entries`);
  return `"${message}"`;
}
