import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Folders that hold tools' output or dependencies, never a project's own SQL. */
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'dbt_packages', 'target', '.venv', 'venv', '__pycache__']);

/**
 * Every `.sql` file under the given files or folders, sorted, each once.
 * Iterative so a deep tree cannot overflow the stack; symlinked folders are
 * not followed (they can loop).
 */
export function discoverSqlFiles(inputs: readonly string[], isIncluded: (path: string) => boolean = (p) => /\.sql$/i.test(p)): string[] {
  const found = new Set<string>();
  const stack: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const stats = statSync(path);
    if (stats.isDirectory()) stack.push(path);
    else found.add(path);
  }
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip it, keep the rest
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name) && !entry.name.startsWith('.')) stack.push(path);
      } else if (entry.isFile() && isIncluded(path)) found.add(path);
    }
  }
  return [...found].sort();
}
