/**
 * Starts and stops the development Neo4j server: a detached Java process
 * (EmbeddedNeo4j) with its data in a temporary folder, recorded in
 * `.neo4j/state.json`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DATA_DIR_PREFIX, JAR_FILE, LOG_FILE, PROJECT_DIR, STATE_DIR } from './paths.ts';
import { isServerProcess, readServerState, removeServerState, writeServerState } from './state.ts';
import type { Neo4jServerState } from './state.ts';
import { javaCommand } from './toolchain.ts';
import { processIsAlive } from './processAlive.ts';

const READY_PATTERN = /^NEO4J READY (bolt:\/\/\S+)$/m;
const READY_TIMEOUT_MS = 180_000;
const STOP_GRACE_MS = 30_000;
/** Neo4j refuses shorter passwords (dbms.security.auth_minimum_password_length). */
const MIN_PASSWORD_LENGTH = 8;

/**
 * A fixed 1 GB heap, as Neo4j's memory recommendations size a server (a
 * 512 MB serial-GC heap spent about a fifth of the server's CPU collecting
 * during bulk syncs). Parallel GC rather than Neo4j's default G1: on two
 * cores G1's concurrent work cost more CPU in the bulk benchmark. The page
 * cache is set in EmbeddedNeo4j.
 */
const JVM_OPTIONS = [
  '-Xms1g',
  '-Xmx1g',
  '-XX:+UseParallelGC',
  '-XX:+ExitOnOutOfMemoryError',
  // Lets Neo4j's page cache use direct buffers as the Neo4j server's own launcher does.
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
];

export function passwordFromEnvironment(): string {
  const given = process.env['SQLGRAPH_NEO4J_PASSWORD'];
  if (given === undefined || given === '') return randomBytes(18).toString('base64url');
  if (given.length < MIN_PASSWORD_LENGTH) {
    throw new Error(`SQLGRAPH_NEO4J_PASSWORD must have at least ${MIN_PASSWORD_LENGTH} characters (Neo4j refuses shorter ones)`);
  }
  return given;
}

/** Starts the server and waits until Bolt accepts connections. The jar must be built. */
export async function startNeo4jServer(password: string): Promise<Neo4jServerState> {
  mkdirSync(STATE_DIR, { recursive: true });
  const port = await findFreePort();
  const dataDir = mkdtempSync(join(tmpdir(), DATA_DIR_PREFIX));
  const logFd = openSync(LOG_FILE, 'w');
  const child = spawn(javaCommand(), [...JVM_OPTIONS, '-jar', JAR_FILE, String(port), dataDir], {
    cwd: PROJECT_DIR,
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, SQLGRAPH_NEO4J_PASSWORD: password },
  });
  closeSync(logFd);
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  });
  child.on('error', (error) => {
    exited = `could not be started: ${error.message}`;
  });
  child.unref();

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const uri = READY_PATTERN.exec(readLog())?.[1];
    if (uri !== undefined && child.pid !== undefined) {
      const state: Neo4jServerState = { uri, user: 'neo4j', password, pid: child.pid, dataDir };
      writeServerState(state);
      return state;
    }
    const failure = exited ?? (Date.now() > deadline ? `did not print NEO4J READY within ${READY_TIMEOUT_MS / 1000} s` : undefined);
    if (failure !== undefined) {
      if (child.pid !== undefined && exited === undefined) await stopProcess(child.pid);
      removeDataDir(dataDir);
      throw new Error(`Neo4j ${failure}. Last lines of ${LOG_FILE}:\n${logTail(40)}`);
    }
    await sleep(200);
  }
}

/** Stops the recorded server (SIGTERM, then SIGKILL) and removes its data and state. Returns what it did. */
export async function stopNeo4jServer(): Promise<string> {
  const state = readServerState();
  if (state === undefined) return 'No Neo4j server is recorded in .neo4j/state.json; nothing to stop.';
  let outcome = `Neo4j (pid ${state.pid}) was no longer running`;
  if (isServerProcess(state.pid)) outcome = `Stopped Neo4j (pid ${state.pid}${(await stopProcess(state.pid)) ? ', killed after the grace period' : ''})`;
  removeDataDir(state.dataDir);
  removeServerState();
  return `${outcome}; removed ${state.dataDir}.`;
}

/** SIGTERM, then SIGKILL if it outlives the grace period. Returns true when it had to kill. */
async function stopProcess(pid: number): Promise<boolean> {
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, STOP_GRACE_MS)) return false;
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, 10_000))) throw new Error(`Neo4j (pid ${pid}) survived SIGKILL`);
  return true;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  if (!processIsAlive(pid)) return false;
  // A zombie (our own child, not yet reaped) has exited all the same.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Only ever deletes a folder this tool created. */
function removeDataDir(dataDir: string): void {
  if (basename(dataDir).startsWith(DATA_DIR_PREFIX)) rmSync(dataDir, { recursive: true, force: true });
}

function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function readLog(): string {
  return existsSync(LOG_FILE) ? readFileSync(LOG_FILE, 'utf8') : '';
}

export function logTail(lines: number): string {
  return readLog().trimEnd().split('\n').slice(-lines).join('\n');
}
