import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import type { FileEvent } from '../pipeline/batcher.ts';

export interface FileWatcherOptions {
  isIncluded: (absolutePath: string) => boolean;
  onEvent: (event: FileEvent) => void;
  /**
   * Something may have been missed (a watcher error, a folder removed or
   * replaced wholesale): the owner should reconcile with a rescan.
   */
  onRescanNeeded?: (reason: string) => void;
}

const IGNORED_DIRS = new Set(['.git', '.hg', '.svn', '.sqlgraph', 'node_modules', 'dbt_packages', 'target', '.venv', 'venv', '__pycache__']);

/**
 * Watches a folder tree with one plain (non-recursive) watcher per folder:
 * Node's recursive mode on Linux was seen here to stop reporting events after
 * a mix of renames and deletes, and per-folder inotify watches are what it
 * builds on anyway. A new folder is watched as soon as it appears and the
 * files already in it are reported; a vanished folder asks for a rescan.
 */
export class FileWatcher {
  private readonly options: FileWatcherOptions;
  private readonly watchers = new Map<string, FSWatcher>();
  private closed = false;

  constructor(root: string, options: FileWatcherOptions) {
    this.options = options;
    this.watchTree(root, false);
  }

  get watchedFolders(): number {
    return this.watchers.size;
  }

  close(): void {
    this.closed = true;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Watches dir and every folder below it; with `report`, reports the files found (a folder that just appeared). */
  private watchTree(dir: string, report: boolean): void {
    const stack = [dir];
    while (stack.length > 0 && !this.closed) {
      const current = stack.pop() as string;
      if (this.watchers.has(current)) continue;
      let watcher: FSWatcher;
      try {
        watcher = watch(current, { persistent: true }, (_kind, name) => {
          if (name) this.onChange(current, name.toString());
        });
      } catch (error) {
        this.options.onRescanNeeded?.(`cannot watch ${current}: ${(error as Error).message}`);
        continue;
      }
      watcher.on('error', (error) => {
        this.unwatch(current);
        this.options.onRescanNeeded?.(`watcher error on ${current}: ${error.message}`);
      });
      this.watchers.set(current, watcher);
      let entries;
      try {
        entries = readdirSync(current, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        const path = join(current, entry.name);
        if (entry.isDirectory()) {
          if (!IGNORED_DIRS.has(entry.name) && !entry.name.startsWith('.')) stack.push(path);
        } else if (report && entry.isFile() && this.options.isIncluded(path)) this.options.onEvent({ kind: 'create', path });
      }
    }
  }

  private onChange(dir: string, name: string): void {
    if (this.closed) return;
    const path = join(dir, name);
    let stats;
    try {
      stats = statSync(path);
    } catch {
      stats = undefined;
    }
    if (stats?.isDirectory()) {
      if (!IGNORED_DIRS.has(name) && !name.startsWith('.')) this.watchTree(path, true);
      return;
    }
    if (!stats && this.watchers.has(path)) {
      // A watched folder vanished (deleted or renamed away): its files went with it.
      for (const watched of [...this.watchers.keys()]) if (watched === path || !relative(path, watched).startsWith('..')) this.unwatch(watched);
      this.options.onRescanNeeded?.(`folder removed: ${path}`);
      return;
    }
    if (!this.options.isIncluded(path)) return;
    this.options.onEvent(stats?.isFile() ? { kind: 'change', path } : { kind: 'delete', path });
  }

  private unwatch(dir: string): void {
    this.watchers.get(dir)?.close();
    this.watchers.delete(dir);
  }
}
