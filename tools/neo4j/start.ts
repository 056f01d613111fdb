/**
 * `npm run neo4j:start`: builds tools/neo4j if needed and starts a real Neo4j
 * Community server for tests and benchmarks; see readNeo4jState() in state.ts.
 * Exits 0 when one is already running.
 */
import { ensureBuilt } from './build.ts';
import { withStartLock } from './lock.ts';
import { LOG_FILE, STATE_FILE } from './paths.ts';
import { passwordFromEnvironment, startNeo4jServer, stopNeo4jServer } from './server.ts';
import { readNeo4jState, readServerState } from './state.ts';
import { requireJava } from './toolchain.ts';

async function start(): Promise<void> {
  const running = readNeo4jState();
  if (running !== undefined) {
    console.log(`Neo4j is already running at ${running.uri} (pid ${running.pid}); state in ${STATE_FILE}.`);
    return;
  }
  // A server that died (or a machine that rebooted) leaves its state and data behind.
  if (readServerState() !== undefined) console.log(await stopNeo4jServer());
  const password = passwordFromEnvironment();
  requireJava();
  await ensureBuilt();
  const started = Date.now();
  const state = await startNeo4jServer(password);
  console.log(`Neo4j ready at ${state.uri} (pid ${state.pid}) after ${((Date.now() - started) / 1000).toFixed(1)} s; state in ${STATE_FILE}, log in ${LOG_FILE}.`);
}

try {
  await withStartLock(start);
} catch (error) {
  console.error(`neo4j:start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
