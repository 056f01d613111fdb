/**
 * Drives the VS Code workbench that code-server serves, through stable handles:
 * the command palette (F1) by command title, status bar items by their DOM id,
 * views by their pane header's aria-label, list rows by their aria attributes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { log, sleep, waitGroupGone } from './processes.ts';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface LaunchedBrowser {
  browser: Browser;
  pid: number | undefined;
  stop: () => Promise<void>;
}

/**
 * Launched as a browser server (bound to 127.0.0.1) so its process id is known
 * and it can be killed by id; each launch gets a new empty profile directory.
 */
export async function launchBrowser(): Promise<LaunchedBrowser> {
  const server = await chromium.launchServer({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000, host: '127.0.0.1' });
  const pid = server.process().pid;
  const browser = await chromium.connect(server.wsEndpoint(), { timeout: 30_000 });
  const stop = async (): Promise<void> => {
    await Promise.race([browser.close().catch(() => undefined), sleep(5000)]);
    await Promise.race([server.close().catch(() => undefined), sleep(5000)]);
    if (pid !== undefined) {
      // Playwright starts Chromium as a process group leader: kill the group (renderers, zygote) by its id.
      for (const target of [-pid, pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
      await waitGroupGone(pid, 5000);
    }
  };
  return { browser, pid, stop };
}

/**
 * The little of the DOM the in-page functions use. The project's tsconfig has
 * no DOM lib (engine code must not see browser globals), so the page's
 * `document` is reached through this shape.
 */
export interface PageElement {
  id: string;
  textContent: string | null;
  value?: string;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getAttribute(name: string): string | null;
}
export interface PageGlobals {
  document: PageElement;
}

/** Shared by every workbench of a run so screenshot numbers follow the run's order. */
let shots = 0;

export interface TreeRow {
  level: number;
  text: string;
  expanded: boolean | undefined;
}

export class Workbench {
  readonly page: Page;
  readonly name: string;
  private readonly screenshots: string;

  constructor(page: Page, name: string, screenshots: string) {
    this.page = page;
    this.name = name;
    this.screenshots = screenshots;
    mkdirSync(screenshots, { recursive: true });
  }

  static async open(browser: Browser, url: string, name: string, screenshots: string): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => log(`[${name}] page error: ${error.message}`));
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 90_000 });
    // The explorer shows once the folder is open; after that keybindings are live.
    await page.locator('.part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    await sleep(1500);
    return new Workbench(page, name, screenshots);
  }

  async screenshot(step: string): Promise<string> {
    const file = join(this.screenshots, `${String(++shots).padStart(2, '0')}-${step}.png`);
    await this.page.screenshot({ path: file, timeout: 20_000 }).catch((error: unknown) => log(`screenshot ${file} failed: ${String(error)}`));
    return file;
  }

  /** Runs a palette command by its title (e.g. "SQL Graph: Ingest Workspace"). */
  async runCommand(title: string): Promise<void> {
    const input = await this.openQuickInput('>');
    await input.fill(`>${title}`);
    const row = this.quickPickRow(title);
    await row.waitFor({ state: 'visible', timeout: 20_000 }).catch(async () => {
      const seen = await this.page.locator('.quick-input-widget .monaco-list-row').allTextContents();
      await this.page.keyboard.press('Escape');
      throw new Error(`command "${title}" is not in the palette (rows: ${seen.slice(0, 5).join(' | ') || 'none'})`);
    });
    await row.click();
    await this.page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
  }

  /** Opens a workspace file through Quick Open (file search, backed by ripgrep). */
  async openFile(relativePath: string): Promise<void> {
    const base = relativePath.split('/').pop() ?? relativePath;
    const input = await this.openQuickInput('>');
    await input.fill(relativePath);
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: base }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator(`.tabs-container .tab[data-resource-name="${base}"], .tabs-container .tab[aria-label^="${base}"]`).first().waitFor({ state: 'visible', timeout: 20_000 });
    await this.page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ state: 'visible', timeout: 20_000 });
  }

  private async openQuickInput(prefix: string): Promise<Locator> {
    const widget = this.page.locator('.quick-input-widget');
    if (await widget.isVisible()) await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await this.page.waitForFunction((p) => (globalThis as unknown as PageGlobals).document.querySelector('.quick-input-widget .quick-input-box input')?.value?.startsWith(p), prefix, { timeout: 5_000 }).catch(() => undefined);
    return input;
  }

  private quickPickRow(title: string): Locator {
    // Rows carry the command title in aria-label; a "recently used" copy may repeat it.
    return this.page.locator('.quick-input-widget .monaco-list-row').filter({ hasText: title }).first();
  }

  /** The text of a status bar item whose DOM id ends with `id` (code-server may prefix the extension id). */
  async statusText(id: string): Promise<string | undefined> {
    return this.page.evaluate((suffix) => {
      const items = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.part.statusbar .statusbar-item'));
      const item = items.find((e) => e.id === suffix || e.id.endsWith(`.${suffix}`));
      return item ? (item.querySelector('.statusbar-item-label')?.textContent ?? item.textContent ?? '').trim() : undefined;
    }, id);
  }

  async statusIds(): Promise<string[]> {
    return this.page.evaluate(() => Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.part.statusbar .statusbar-item')).map((e) => `${e.id}=${(e.textContent ?? '').trim()}`));
  }

  /** Polls (in the page, every animation frame) until the status item's text satisfies `pattern`. */
  async waitForStatus(id: string, accept: (text: string) => boolean, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last: string | undefined;
    for (;;) {
      last = await this.statusText(id);
      if (last !== undefined && accept(last)) return last;
      if (Date.now() > deadline) throw new Error(`status item ${id} never matched within ${timeoutMs} ms; last text: ${JSON.stringify(last)}`);
      await sleep(100);
    }
  }

  /** Resolves with the first status text different from `previous`, polling every frame in the page. */
  async waitForStatusChange(id: string, previous: string, timeoutMs: number): Promise<string> {
    const handle = await this.page.waitForFunction(
      ([suffix, before]) => {
        const items = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll('.part.statusbar .statusbar-item'));
        const item = items.find((e) => e.id === suffix || e.id.endsWith(`.${suffix}`));
        const text = item ? (item.querySelector('.statusbar-item-label')?.textContent ?? item.textContent ?? '').trim() : undefined;
        return text !== undefined && text !== before && /\d+ entities/.test(text) ? text : false;
      },
      [id, previous] as const,
      { timeout: timeoutMs, polling: 'raf' },
    );
    return (await handle.jsonValue()) as string;
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
  }

  async waitForNotification(pattern: RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.notifications()).find((t) => pattern.test(t));
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no notification matching ${pattern} within ${timeoutMs} ms; shown: ${JSON.stringify(await this.notifications())}`);
      await sleep(200);
    }
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  /** Shows an extension's view container by clicking its activity bar entry (aria-label starts with its title). */
  async showViewContainer(title: string): Promise<void> {
    const entry = this.page.locator(`.part.activitybar .action-item a[aria-label^="${title}"], .part.activitybar .action-item[aria-label^="${title}"]`).first();
    if (await entry.count()) {
      const selected = await this.page.locator('.part.sidebar .composite.title h2', { hasText: title.toUpperCase() }).count();
      if (!selected) await entry.click();
    } else {
      await this.runCommand(`View: Show ${title}`);
    }
    await this.page.locator('.part.sidebar').waitFor({ state: 'visible', timeout: 10_000 });
  }

  private pane(view: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator(`.pane-header[aria-label^="${view}"]`) }).first();
  }

  /** Expands every collapsed row of a tree view (to `depth` levels) and returns all rows. */
  async treeRows(view: string, depth = 2): Promise<TreeRow[]> {
    const pane = this.pane(view);
    await pane.waitFor({ state: 'visible', timeout: 15_000 });
    const header = pane.locator('.pane-header').first();
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await pane.locator('.monaco-list-row').first().waitFor({ state: 'visible', timeout: 20_000 });
    for (let round = 0; round < 20; round++) {
      const collapsed = pane.locator('.monaco-list-row[aria-expanded="false"]');
      const n = await collapsed.count();
      let clicked = false;
      for (let i = 0; i < n; i++) {
        const row = collapsed.nth(i);
        const level = Number(await row.getAttribute('aria-level'));
        if (level <= depth) {
          await row.locator('.monaco-tl-twistie').click();
          clicked = true;
          await sleep(300);
          break;
        }
      }
      if (!clicked) break;
    }
    return this.readRows(pane);
  }

  private async readRows(pane: Locator): Promise<TreeRow[]> {
    return pane.locator('.monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => {
        const label = r.querySelector('.label-name')?.textContent ?? '';
        const description = r.querySelector('.label-description')?.textContent ?? '';
        const text = `${label}${description ? ` ${description}` : ''}`.trim() || (r.getAttribute('aria-label') ?? r.textContent ?? '').trim();
        const expanded = r.getAttribute('aria-expanded');
        return { level: Number(r.getAttribute('aria-level') ?? 0), text, expanded: expanded === null ? undefined : expanded === 'true' };
      }),
    );
  }

  /** Opens the Problems panel (by the status bar's problems item, a stable id) and returns each row's text and aria-label. */
  async problems(): Promise<string[]> {
    const panel = this.page.locator('.markers-panel');
    if (!(await panel.isVisible())) {
      const item = this.page.locator('[id="status.problems"]');
      if (await item.count()) await item.click();
      else await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    }
    await panel.waitFor({ state: 'visible', timeout: 15_000 });
    await sleep(500);
    return panel.locator('.monaco-list-row').evaluateAll((rows) => rows.map((r) => `${(r.textContent ?? '').trim()} || ${r.getAttribute('aria-label') ?? ''}`));
  }
}
