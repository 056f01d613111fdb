/**
 * Connecting to Neo4j: URI and user go to settings, the password to
 * SecretStorage (the OS keychain), never to settings or the log. In
 * Restricted Mode only a URI the user typed or set in user settings is used:
 * a workspace's settings never make us connect anywhere.
 */
import * as vscode from 'vscode';
import { connectNeo4jRequest, disconnectNeo4jRequest, replayRequest, type Neo4jStatus } from '../shared/protocol.ts';
import type { Config } from './config.ts';
import type { Log } from './log.ts';
import type { ServerController } from './serverController.ts';

const UNAVAILABLE = 'Neo4j support is not available in this build.';

function secretKey(uri: string, user: string): string {
  return `sqlGraph.neo4j.password:${user}@${uri}`;
}

function validUri(value: string): string | undefined {
  return /^(neo4j|bolt)(\+s|\+ssc)?:\/\/[^\s/]+/i.test(value.trim()) ? undefined : 'A Neo4j URI such as neo4j://localhost:7687 or bolt+s://host:7687';
}

export class Neo4jConnection {
  private readonly context: vscode.ExtensionContext;
  private readonly server: ServerController;
  private readonly config: Config;
  private readonly log: Log;

  constructor(context: vscode.ExtensionContext, server: ServerController, config: Config, log: Log) {
    this.context = context;
    this.server = server;
    this.config = config;
    this.log = log;
  }

  private get available(): boolean {
    return this.server.serverInfo?.neo4jAvailable === true;
  }

  /** "Connect to Neo4j…": asks URI, user and password, then connects. */
  async connectInteractively(): Promise<void> {
    await this.server.ready();
    if (!this.available) {
      void vscode.window.showWarningMessage(`SQL Graph: ${UNAVAILABLE}`);
      return;
    }
    const uri = await vscode.window.showInputBox({ title: 'Connect to Neo4j (1/3)', prompt: 'Neo4j URI', value: this.config.neo4jUri || 'neo4j://localhost:7687', validateInput: validUri, ignoreFocusOut: true });
    if (uri === undefined) return;
    const user = await vscode.window.showInputBox({ title: 'Connect to Neo4j (2/3)', prompt: 'User', value: this.config.neo4jUser || 'neo4j', ignoreFocusOut: true });
    if (user === undefined) return;
    const stored = await this.context.secrets.get(secretKey(uri.trim(), user));
    const password = await vscode.window.showInputBox({
      title: 'Connect to Neo4j (3/3)',
      prompt: stored ? 'Password (leave empty to keep the stored one)' : 'Password (kept in the OS keychain)',
      password: true,
      ignoreFocusOut: true,
    });
    if (password === undefined) return;
    const secret = password === '' && stored ? stored : password;
    // A workspace setting only where it will be honoured (trusted); otherwise a user setting.
    const target = vscode.workspace.isTrusted && vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    const section = vscode.workspace.getConfiguration('sqlGraph');
    await section.update('neo4j.uri', uri.trim(), target);
    await section.update('neo4j.user', user, target);
    await this.context.secrets.store(secretKey(uri.trim(), user), secret);
    await this.connect(uri.trim(), user, secret, true);
  }

  /** At start: connects silently when a URI is configured and its password is stored. */
  async connectIfConfigured(): Promise<void> {
    if (!this.available || !this.config.neo4jConfigured) return;
    const password = await this.context.secrets.get(secretKey(this.config.neo4jUri, this.config.neo4jUser));
    if (password === undefined) {
      this.log.info('Neo4j is configured but no password is stored; run "SQL Graph: Connect to Neo4j…"');
      return;
    }
    await this.connect(this.config.neo4jUri, this.config.neo4jUser, password, false);
  }

  async disconnect(): Promise<void> {
    const client = await this.server.ready();
    const status = await client.sendRequest(disconnectNeo4jRequest);
    void vscode.window.showInformationMessage(`SQL Graph: Neo4j ${status.state === 'unavailable' ? UNAVAILABLE : 'disconnected'}`);
  }

  async replay(): Promise<void> {
    const client = await this.server.ready();
    if (!this.available) {
      void vscode.window.showWarningMessage(`SQL Graph: ${UNAVAILABLE}`);
      return;
    }
    const result = await client.sendRequest(replayRequest);
    void vscode.window.showInformationMessage(`SQL Graph: replayed ${result.replayed} failed writes; ${result.status.deadLetters} still failing.`);
  }

  private async connect(uri: string, user: string, password: string, interactive: boolean): Promise<void> {
    const client = await this.server.ready();
    const database = this.config.neo4jDatabase;
    try {
      const status: Neo4jStatus = await client.sendRequest(connectNeo4jRequest, { uri, user, password, ...(database ? { database } : {}) });
      this.log.info(`Neo4j: ${status.state} (${uri})`);
      if (interactive) void vscode.window.showInformationMessage(`SQL Graph: connected to Neo4j at ${uri}.`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.warn(`Neo4j: could not connect to ${uri}: ${message}`);
      if (interactive) void vscode.window.showErrorMessage(`SQL Graph: could not connect to Neo4j: ${message}`);
    }
  }
}
