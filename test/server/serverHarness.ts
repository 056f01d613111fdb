/**
 * Runs the language server in-process over a pair of in-memory streams and
 * gives the test a plain JSON-RPC connection to it, as VS Code would have.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, ProposedFeatures, PublishDiagnosticsNotification, LogMessageNotification, RegistrationRequest, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { startServer, type ServerOptions } from '../../src/server/server.ts';
import { sanitizeSettings } from '../../src/server/settings.ts';
import { PROTOCOL_VERSION, statusNotification, type ServerSettings, type StatusParams } from '../../src/shared/protocol.ts';

export interface Harness {
  client: MessageConnection;
  folder: string;
  folderUri: string;
  diagnostics: Map<string, PublishDiagnosticsParams>;
  statuses: StatusParams[];
  initializeResult: unknown;
  /** Resolves when `predicate` holds for the diagnostics of `uri` (polls the recorded notifications). */
  waitFor<T>(probe: () => T | undefined, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export function copySample(): string {
  const folder = mkdtempSync(join(tmpdir(), 'sqlgraph-server-'));
  cpSync(new URL('../../samples/workspace', import.meta.url), folder, { recursive: true, filter: (src) => !src.includes('.sqlgraph') });
  return folder;
}

export async function startHarness(options: { settings?: Partial<ServerSettings>; server?: ServerOptions; folder?: string } = {}): Promise<Harness> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Readers/writers (not raw streams), so the server does not exit the process when they end.
  const serverConnection = createConnection(ProposedFeatures.all, new StreamMessageReader(toServer), new StreamMessageWriter(toClient));
  startServer(serverConnection, { statusIntervalMs: 50, liveDelayMs: 20, ...options.server });
  serverConnection.listen();

  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const statuses: StatusParams[] = [];
  client.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => {
    diagnostics.set(p.uri, p);
  });
  client.onNotification(statusNotification, (p: StatusParams) => {
    statuses.push(p);
  });
  client.onNotification(LogMessageNotification.type, () => undefined);
  client.onRequest(RegistrationRequest.type, () => undefined);
  client.listen();

  const folder = options.folder ?? copySample();
  const folderUri = pathToFileURL(folder).href;
  const settings = sanitizeSettings({ workers: 1, ingestOnStartup: false, logLevel: 'debug', ...options.settings });
  const initializeResult = await client.sendRequest('initialize', {
    processId: null,
    rootUri: folderUri,
    capabilities: { workspace: { workspaceFolders: true } },
    workspaceFolders: [{ uri: folderUri, name: 'sample' }],
    initializationOptions: { protocolVersion: PROTOCOL_VERSION, settings, trusted: true },
  });
  await client.sendNotification('initialized', {});

  const waitFor = async <T>(probe: () => T | undefined, timeoutMs = 20_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out waiting');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  return {
    client,
    folder,
    folderUri,
    diagnostics,
    statuses,
    initializeResult,
    waitFor,
    close: async () => {
      await client.sendRequest('shutdown');
      client.dispose();
      serverConnection.dispose();
      if (!options.folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}
