/**
 * Starts, restarts and talks to the language server (dist/server.cjs, its own
 * Node process over IPC). The extension host does no parsing: every request
 * here is a message, and status arrives as notifications, never by polling.
 */
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ENGINE_EXEC_ARGV, engineEnv } from '../engine/runtime/engineProcess.ts';
import {
  didChangeSettings,
  ingestProgressNotification,
  PROTOCOL_VERSION,
  statusNotification,
  type IngestProgressParams,
  type InitializationOptions,
  type ServerInfoExtension,
  type StatusParams,
} from '../shared/protocol.ts';
import type { Config } from './config.ts';
import type { Log } from './log.ts';

type Listener<T> = (value: T) => void;

export class ServerController implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly context: vscode.ExtensionContext;
  private readonly config: Config;
  private readonly log: Log;
  private readonly statusListeners = new Set<Listener<StatusParams>>();
  private readonly progressListeners = new Set<Listener<IngestProgressParams>>();
  private readonly startListeners = new Set<Listener<ServerInfoExtension | undefined>>();
  /** The last status, so late subscribers (a tree opened later) start with something. */
  lastStatus: StatusParams | undefined;
  serverInfo: ServerInfoExtension | undefined;

  constructor(context: vscode.ExtensionContext, config: Config, log: Log) {
    this.context = context;
    this.config = config;
    this.log = log;
  }

  onStatus(listener: Listener<StatusParams>): vscode.Disposable {
    this.statusListeners.add(listener);
    return new vscode.Disposable(() => this.statusListeners.delete(listener));
  }

  onIngestProgress(listener: Listener<IngestProgressParams>): vscode.Disposable {
    this.progressListeners.add(listener);
    return new vscode.Disposable(() => this.progressListeners.delete(listener));
  }

  onDidStart(listener: Listener<ServerInfoExtension | undefined>): vscode.Disposable {
    this.startListeners.add(listener);
    return new vscode.Disposable(() => this.startListeners.delete(listener));
  }

  /** The running client, started on first use. */
  ready(): Promise<LanguageClient> {
    if (this.client?.isRunning()) return Promise.resolve(this.client);
    this.starting ??= this.start().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async restart(): Promise<void> {
    const client = this.client;
    this.lastStatus = undefined;
    if (!client) {
      await this.ready();
      return;
    }
    this.log.info('restarting the language server');
    await client.restart();
    this.afterStart(client);
  }

  sendSettings(): void {
    const client = this.client;
    if (!client?.isRunning()) return;
    client.sendNotification(didChangeSettings, { settings: this.config.serverSettings() }).catch((error: unknown) => this.log.error('sending settings failed', error));
  }

  async dispose(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.dispose(5000).catch(() => undefined);
  }

  private async start(): Promise<LanguageClient> {
    const module = this.context.asAbsolutePath('dist/server.cjs');
    const serverOptions: ServerOptions = {
      // The server runs the pipeline: started with the engine's options, as the CLI's long-running commands are.
      run: { module, transport: TransportKind.ipc, options: { execArgv: [...ENGINE_EXEC_ARGV], env: engineEnv() } },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: [...ENGINE_EXEC_ARGV, '--nolazy', '--inspect=6011'], env: engineEnv() } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'sql' },
        { scheme: 'untitled', language: 'sql' },
      ],
      // Changes made outside the editor (checkouts, generators) reach the server as watcher events.
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.sql') },
      initializationOptions: (): InitializationOptions => ({ protocolVersion: PROTOCOL_VERSION, settings: this.config.serverSettings(), trusted: vscode.workspace.isTrusted }),
      outputChannel: this.log.channel,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      diagnosticCollectionName: 'sql-graph',
      initializationFailedHandler: (error) => {
        this.log.error('the language server failed to initialize', error);
        return false;
      },
    };
    const client = new LanguageClient('sqlGraph', 'SQL Graph', serverOptions, clientOptions);
    client.onNotification(statusNotification, (status) => {
      this.lastStatus = status;
      for (const l of this.statusListeners) l(status);
    });
    client.onNotification(ingestProgressNotification, (progress) => {
      for (const l of this.progressListeners) l(progress);
    });
    this.client = client;
    await client.start();
    this.afterStart(client);
    return client;
  }

  private afterStart(client: LanguageClient): void {
    const experimental = client.initializeResult?.capabilities.experimental as { sqlGraph?: ServerInfoExtension } | undefined;
    this.serverInfo = experimental?.sqlGraph;
    if (this.serverInfo?.protocolVersion !== PROTOCOL_VERSION) {
      const message = `SQL Graph: the language server speaks protocol ${String(this.serverInfo?.protocolVersion)}, this extension ${PROTOCOL_VERSION}. Reinstall the extension.`;
      this.log.error(message);
      void vscode.window.showErrorMessage(message);
    }
    for (const l of this.startListeners) l(this.serverInfo);
  }
}
