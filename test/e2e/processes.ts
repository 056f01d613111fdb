/**
 * Every process the e2e run starts goes through here, so that all of them can
 * be stopped by id on success, failure or the overall timeout. Each child gets
 * its own process group (detached) so stopping it also stops what it spawned
 * (code-server's extension host, npm's node-gyp), still addressed by that id.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions extends SpawnOptions {
  /** Milliseconds; the process group is killed after this. */
  timeoutMs?: number;
  /** Echo output lines with this prefix while the command runs. */
  echo?: string;
}

const started = new Set<ChildProcess>();
/** Set by the final stop: nothing may start after it (a step still unwinding after a timeout). */
let closed = false;

export function log(message: string): void {
  process.stdout.write(`[e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function startProcess(command: string, args: readonly string[], options: SpawnOptions & { echo?: string } = {}): ChildProcess {
  if (closed) throw new Error(`not starting ${command}: the run is shutting down`);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
  started.add(child);
  child.once('exit', () => started.delete(child));
  if (options.echo !== undefined) {
    const prefix = options.echo;
    const echo = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) if (line.trim()) process.stdout.write(`  ${prefix}${line}\n`);
    };
    child.stdout?.on('data', echo);
    child.stderr?.on('data', echo);
  }
  return child;
}

/** Runs a command to completion; rejects on a non-zero exit or the timeout. */
export function runCommand(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const { timeoutMs = 10 * 60_000, ...rest } = options;
  return new Promise((resolve, reject) => {
    const child = startProcess(command, args, rest);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stopProcess(child);
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve({ code, stdout, stderr });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}\n${tail(stderr || stdout)}`));
    });
  });
}

export function tail(text: string, lines = 30): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Signals the child's process group (its id, negated); falls back to the child alone. */
export function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** Stops everything still running: SIGTERM, then SIGKILL for what ignores it; no process starts after it. */
export async function stopAll(graceMs = 3000): Promise<void> {
  closed = true;
  const living = [...started];
  for (const child of living) stopProcess(child, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && living.some((c) => started.has(c))) await sleep(100);
  for (const child of living) if (started.has(child)) stopProcess(child, 'SIGKILL');
  // The group may outlive its leader (e.g. an extension host); SIGKILL the group regardless.
  for (const child of living) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // No such group left.
    }
  }
  for (const child of living) if (child.pid !== undefined) await waitGroupGone(child.pid, 5000);
}

/** Waits until no process of the group `pgid` is left (signal 0 fails with ESRCH). */
export async function waitGroupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const tempDirs: string[] = [];

/** A new temp folder, removed by removeTempDirs at the end of the run. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sqlgraph-e2e-${prefix}-`));
  tempDirs.push(dir);
  return dir;
}

/** Removes the run's temp folders (workspaces, user data) unless SQLGRAPH_E2E_KEEP=1. */
export function removeTempDirs(): void {
  if (process.env.SQLGRAPH_E2E_KEEP === '1') {
    if (tempDirs.length) log(`kept temp folders: ${tempDirs.join(' ')}`);
    return;
  }
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
