/**
 * One `neo4j:start` at a time per checkout: two at once would each launch a
 * server and one state file would lose track of the other.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATE_DIR } from './paths.ts';
import { processIsAlive } from './processAlive.ts';

const LOCK_FILE = join(STATE_DIR, 'start.lock');

/** Runs `action` holding the lock, waiting up to `timeoutMs` for another holder. */
export async function withStartLock<T>(action: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  mkdirSync(STATE_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  while (!tryAcquire()) {
    if (Date.now() > deadline) throw new Error(`another neo4j:start still holds ${LOCK_FILE} after ${timeoutMs / 1000} s`);
    await sleep(500);
  }
  try {
    return await action();
  } finally {
    rmSync(LOCK_FILE, { force: true });
  }
}

function tryAcquire(): boolean {
  try {
    const fd = openSync(LOCK_FILE, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // A holder that died (killed mid-start) must not block every later start.
  if (!holderIsAlive()) rmSync(LOCK_FILE, { force: true });
  return false;
}

function holderIsAlive(): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(LOCK_FILE, 'utf8'));
  } catch {
    return true; // being written or just removed: look again shortly
  }
  return processIsAlive(pid);
}
