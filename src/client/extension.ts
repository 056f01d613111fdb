/**
 * The extension's entry point (dist/extension.cjs). Activated by SQL files
 * and by its commands, never on startup. Everything heavy runs in the
 * language server's process; the extension host only relays messages.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands.ts';
import { classifySettingsChange, Config, restartMessage, type ConfigurationSource } from './config.ts';
import { EventLoopMonitor } from './eventLoopMonitor.ts';
import { Log } from './log.ts';
import { Neo4jConnection } from './neo4jConnection.ts';
import { OverviewTree } from './overviewTree.ts';
import { ServerController } from './serverController.ts';
import { SETTINGS_SECTION } from './settingsSchema.ts';
import { StatusBar } from './statusBar.ts';

let controller: ServerController | undefined;

function configurationSource(): ConfigurationSource {
  return {
    get: <T>(key: string) => vscode.workspace.getConfiguration(SETTINGS_SECTION).get<T>(key),
    inspect: <T>(key: string) => vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<T>(key),
  };
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const eventLoop = new EventLoopMonitor();
  const config = new Config(configurationSource(), () => vscode.workspace.isTrusted);
  const log = new Log(() => config.logLevel);
  const server = new ServerController(context, config, log);
  controller = server;
  const statusBar = new StatusBar(() => config.neo4jConfigured);
  const tree = new OverviewTree(server, log);
  const neo4j = new Neo4jConnection(context, server, config, log);

  context.subscriptions.push(
    { dispose: () => eventLoop.dispose() },
    log,
    statusBar,
    tree,
    vscode.window.createTreeView('sqlGraph.overview', { treeDataProvider: tree, showCollapseAll: true }),
    server.onStatus((status) => {
      statusBar.update(status);
      tree.update(status);
    }),
    server.onDidStart(() => {
      statusBar.update(server.lastStatus);
      tree.update(server.lastStatus);
      void neo4j.connectIfConfigured();
    }),
    ...registerCommands({ server, neo4j, tree, log, eventLoop }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      const change = classifySettingsChange((section) => event.affectsConfiguration(section));
      if (change.live) server.sendSettings();
      if (change.restart.length > 0) {
        void vscode.window.showInformationMessage(restartMessage(change.restart), 'Restart Server').then((choice) => {
          if (choice === 'Restart Server') void vscode.commands.executeCommand('sqlGraph.restartServer');
        });
      }
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      log.info('workspace trusted: workspace Neo4j settings now apply');
      void neo4j.connectIfConfigured();
    }),
  );

  log.info(`SQL Graph ${String((context.extension.packageJSON as { version?: unknown }).version)} activating (workspace ${vscode.workspace.isTrusted ? 'trusted' : 'restricted'})`);
  try {
    await server.ready();
  } catch (error) {
    log.error('the language server did not start', error);
    void vscode.window.showErrorMessage('SQL Graph: the language server did not start. See "SQL Graph: Show Output".');
  }
}

export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}
