/**
 * The language server's entry point (dist/server.cjs). The transport comes
 * from the command line: `--node-ipc` when VS Code starts it, `--stdio` for
 * other clients and the packaging test.
 *
 * Hardening: the server must outlive any bad input. Uncaught exceptions and
 * unhandled rejections are logged and the server carries on; only the
 * client's `exit` ends the process.
 */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { limitHeapGrowth } from '../engine/runtime/heapGrowth.ts';
import { startServer } from './server.ts';
import { bundledWorkerScript } from './workerScript.ts';

const connection = createConnection(ProposedFeatures.all);

function report(kind: string, error: unknown): void {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  try {
    connection.console.error(`SQL Graph server: ${kind}: ${text}`);
  } catch {
    process.stderr.write(`SQL Graph server: ${kind}: ${text}\n`);
  }
}

limitHeapGrowth();
process.on('uncaughtException', (error) => report('uncaught exception', error));
process.on('unhandledRejection', (reason) => report('unhandled rejection', reason));

const workerScript = bundledWorkerScript();
startServer(connection, workerScript ? { workerScript } : {});
connection.listen();
