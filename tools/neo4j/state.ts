/**
 * The running development Neo4j server, as `npm run neo4j:start` recorded it
 * in `.neo4j/state.json`. Tests and benchmarks import readNeo4jState().
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { STATE_DIR, STATE_FILE } from './paths.ts';
import { processIsAlive } from './processAlive.ts';

export interface Neo4jConnection {
  uri: string;
  user: string;
  password: string;
  pid: number;
}

export interface Neo4jServerState extends Neo4jConnection {
  dataDir: string;
}

/** The server to connect to, or undefined when none is running. */
export function readNeo4jState(): Neo4jConnection | undefined {
  const state = readServerState();
  if (state === undefined || !isServerProcess(state.pid)) return undefined;
  return { uri: state.uri, user: state.user, password: state.password, pid: state.pid };
}

/** The state file as written, whether or not its process still lives. */
export function readServerState(): Neo4jServerState | undefined {
  if (!existsSync(STATE_FILE)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(STATE_FILE, 'utf8'));
  } catch {
    return undefined;
  }
  return isServerState(parsed) ? parsed : undefined;
}

export function writeServerState(state: Neo4jServerState): void {
  mkdirSync(STATE_DIR, { recursive: true });
  // It holds the password.
  writeFileSync(STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function removeServerState(): void {
  rmSync(STATE_FILE, { force: true });
}

/**
 * True when `pid` is alive and, where /proc can tell, is our Java server:
 * a stale state file must not make us trust (or kill) a recycled pid.
 */
export function isServerProcess(pid: number): boolean {
  if (!processIsAlive(pid)) return false;
  const cmdlineFile = `/proc/${pid}/cmdline`;
  if (!existsSync(cmdlineFile)) return process.platform !== 'linux';
  try {
    return readFileSync(cmdlineFile, 'utf8').includes('sqlgraph-neo4j');
  } catch {
    return false;
  }
}

function isServerState(value: unknown): value is Neo4jServerState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v['uri'] === 'string' &&
    typeof v['user'] === 'string' &&
    typeof v['password'] === 'string' &&
    typeof v['pid'] === 'number' &&
    Number.isInteger(v['pid']) &&
    typeof v['dataDir'] === 'string'
  );
}
