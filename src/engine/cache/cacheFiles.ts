import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Damaged databases kept for inspection; older ones are deleted so they cannot pile up. */
const KEPT_CORRUPT_COPIES = 3;

/**
 * Creates the cache's folder. A `.sqlgraph` folder we create gets a
 * `.gitignore` so the cache is never committed by accident.
 */
export function prepareCacheFolder(databasePath: string): void {
  const folder = dirname(databasePath);
  const created = mkdirSync(folder, { recursive: true });
  if (created !== undefined && basename(folder) === '.sqlgraph') {
    try {
      writeFileSync(join(folder, '.gitignore'), '*\n', { flag: 'wx' });
    } catch {
      // Only a convenience.
    }
  }
}

/**
 * Renames a damaged database (with its WAL) to `<path>.corrupt-<timestamp>`
 * and drops its shared-memory index, so a fresh database can take its place.
 * Returns the new name.
 */
export function moveCorruptDatabaseAside(path: string, timestamp: number): string {
  const stamp = new Date(timestamp).toISOString().replaceAll(':', '-').replace('.', '-');
  let target = `${path}.corrupt-${stamp}`;
  for (let n = 1; existsSync(target); n++) target = `${path}.corrupt-${stamp}-${n}`;
  if (existsSync(path)) renameSync(path, target);
  for (const suffix of ['-wal', '-journal']) {
    if (existsSync(path + suffix)) renameSync(path + suffix, target + suffix);
  }
  rmSync(`${path}-shm`, { force: true });
  pruneCorruptCopies(path);
  return target;
}

function pruneCorruptCopies(path: string): void {
  const folder = dirname(path);
  const prefix = `${basename(path)}.corrupt-`;
  try {
    const copies = readdirSync(folder)
      .filter((name) => name.startsWith(prefix) && !name.endsWith('-wal') && !name.endsWith('-journal'))
      .sort();
    for (const name of copies.slice(0, Math.max(0, copies.length - KEPT_CORRUPT_COPIES))) {
      for (const suffix of ['', '-wal', '-journal']) rmSync(join(folder, name + suffix), { force: true });
    }
  } catch {
    // Pruning is housekeeping; the recovery itself already succeeded.
  }
}
