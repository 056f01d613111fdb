/**
 * The palette commands. Each is a request to the server and a message for
 * the user; nothing here parses or walks the workspace.
 */
import * as vscode from 'vscode';
import type { EntityKind } from '../engine/model/graph.ts';
import type { Range } from '../engine/model/range.ts';
import { cacheStatsRequest, cancelRequest, clearCacheRequest, flushRequest, ingestWorkspaceRequest } from '../shared/protocol.ts';
import type { EventLoopMonitor } from './eventLoopMonitor.ts';
import type { Log } from './log.ts';
import type { Neo4jConnection } from './neo4jConnection.ts';
import type { OverviewTree } from './overviewTree.ts';
import type { ServerController } from './serverController.ts';
import { cacheStatsMessage, ingestMessage } from './statusFormat.ts';
import { LOAD_MORE_COMMAND, OPEN_LOCATION_COMMAND } from './treeModel.ts';

export interface CommandDeps {
  server: ServerController;
  neo4j: Neo4jConnection;
  tree: OverviewTree;
  log: Log;
  eventLoop: EventLoopMonitor;
}

let progressTokens = 0;

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { server, neo4j, tree, log, eventLoop } = deps;
  const guarded =
    (name: string, fn: (...args: never[]) => Promise<unknown>) =>
    async (...args: never[]): Promise<unknown> => {
      try {
        return await fn(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error(`${name} failed`, error);
        void vscode.window.showErrorMessage(`SQL Graph: ${name} failed: ${message}`);
        return undefined;
      }
    };

  const ingestWorkspace = async (): Promise<unknown> => {
    const client = await server.ready();
    const progressToken = `ingest-${++progressTokens}`;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SQL Graph: Ingesting workspace', cancellable: true },
      async (progress, token) => {
        const perFolder = new Map<string, { done: number; total: number }>();
        let reported = 0;
        const sub = server.onIngestProgress((p) => {
          if (p.progressToken !== progressToken) return;
          perFolder.set(p.folder, { done: p.done, total: p.total });
          let done = 0;
          let total = 0;
          for (const f of perFolder.values()) {
            done += f.done;
            total += f.total;
          }
          const fraction = total === 0 ? 0 : (done / total) * 100;
          progress.report({ message: `${done}/${total} files`, increment: Math.max(0, fraction - reported) });
          reported = Math.max(reported, fraction);
        });
        try {
          return await client.sendRequest(ingestWorkspaceRequest, { progressToken }, token);
        } finally {
          sub.dispose();
        }
      },
    );
    const message = ingestMessage(result);
    log.info(message);
    if (result.folders.some((f) => f.error)) void vscode.window.showWarningMessage(message);
    else void vscode.window.showInformationMessage(message);
    return result;
  };

  const showCacheStats = async (): Promise<unknown> => {
    const client = await server.ready();
    const stats = await client.sendRequest(cacheStatsRequest);
    const message = cacheStatsMessage(stats);
    void vscode.window.showInformationMessage(message);
    return stats;
  };

  const clearCache = async (): Promise<unknown> => {
    const client = await server.ready();
    const result = await client.sendRequest(clearCacheRequest);
    void vscode.window.showInformationMessage(`SQL Graph: parse cache cleared (${result.cleared} entries).`);
    return result;
  };

  const flush = async (): Promise<unknown> => {
    const client = await server.ready();
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'SQL Graph: flushing' }, () => client.sendRequest(flushRequest));
    void vscode.window.showInformationMessage('SQL Graph: pending changes flushed; the graph is up to date.');
    return result;
  };

  const openLocation = async (uri: string, range?: Range): Promise<unknown> => {
    const selection = range ? new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character) : undefined;
    await vscode.window.showTextDocument(vscode.Uri.parse(uri), { preview: true, ...(selection ? { selection } : {}) });
    return undefined;
  };

  return [
    vscode.commands.registerCommand('sqlGraph.ingestWorkspace', guarded('Ingest Workspace', ingestWorkspace)),
    vscode.commands.registerCommand('sqlGraph.cancel', guarded('Cancel', async () => (await server.ready()).sendRequest(cancelRequest))),
    vscode.commands.registerCommand('sqlGraph.showCacheStats', guarded('Show Cache Stats', showCacheStats)),
    vscode.commands.registerCommand('sqlGraph.clearCache', guarded('Clear Parse Cache', clearCache)),
    vscode.commands.registerCommand('sqlGraph.flush', guarded('Flush Pending Changes', flush)),
    vscode.commands.registerCommand('sqlGraph.connectNeo4j', guarded('Connect to Neo4j', () => neo4j.connectInteractively())),
    vscode.commands.registerCommand('sqlGraph.disconnectNeo4j', guarded('Disconnect from Neo4j', () => neo4j.disconnect())),
    vscode.commands.registerCommand('sqlGraph.replay', guarded('Replay Failed Writes', () => neo4j.replay())),
    vscode.commands.registerCommand('sqlGraph.showOutput', () => log.show()),
    vscode.commands.registerCommand('sqlGraph.restartServer', guarded('Restart Server', () => server.restart())),
    vscode.commands.registerCommand(OPEN_LOCATION_COMMAND, guarded('Open', (uri: string, range?: Range) => openLocation(uri, range))),
    vscode.commands.registerCommand(LOAD_MORE_COMMAND, guarded('Load More', (kind: EntityKind) => tree.loadMore(kind))),
    vscode.commands.registerCommand('sqlGraph.debug.eventLoopDelay', (options?: { reset?: boolean }) => eventLoop.read(options ?? {})),
  ];
}
