/**
 * The SQL Graph language server: one ingestion pipeline per workspace folder,
 * fed by editor saves (CRITICAL) and the client's file watcher (NORMAL);
 * diagnostics from the store after every batch and from as-you-type parsing;
 * a coalesced status notification; the custom requests of shared/protocol.ts.
 *
 * startServer takes any connection, so tests drive it over in-memory streams.
 * No handler lets an exception escape: the jsonrpc layer turns a throw into an
 * error response, and background work logs instead of throwing.
 */
import { basename } from 'node:path';
import {
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseText } from '../engine/extract/parseFile.ts';
import type { DialectSetting } from '../engine/model/dialect.ts';
import { ENTITY_KINDS, type EntityKind } from '../engine/model/graph.ts';
import type { ParserBackend } from '../engine/parse/backend.ts';
import { createBackends } from '../engine/parse/backends.ts';
import {
  cacheStatsRequest,
  cancelRequest,
  clearCacheRequest,
  connectNeo4jRequest,
  didChangeSettings,
  disconnectNeo4jRequest,
  entitiesRequest,
  flushRequest,
  graphKindsRequest,
  ingestProgressNotification,
  ingestWorkspaceRequest,
  neo4jStatusRequest,
  problemsRequest,
  PROTOCOL_VERSION,
  replayRequest,
  statsRequest,
  statusNotification,
  type CacheStatsResult,
  type EntitiesParams,
  type EntitiesResult,
  type FolderIngestResult,
  type IngestParams,
  type IngestResult,
  type InitializationOptions,
  type LogLevel,
  type Neo4jStatus,
  type ProblemFile,
  type ServerInfoExtension,
  type ServerSettings,
} from '../shared/protocol.ts';
import { Coalescer } from './coalescer.ts';
import { toLspDiagnostics } from './diagnostics.ts';
import { DiagnosticsPublisher } from './diagnosticsPublisher.ts';
import { FolderHost } from './folderHost.ts';
import { LiveDiagnostics } from './liveDiagnostics.ts';
import { createNeo4jBridge } from './neo4j/createNeo4jBridge.ts';
import type { Neo4jBridge } from './neo4j/neo4jBridge.ts';
import { logs, sanitizeSettings } from './settings.ts';
import { buildStatus, type FolderState } from './statusBuilder.ts';
import { canonicalUri, pathOfUri, uriOfPath } from './uris.ts';

export interface ServerOptions {
  /** The parse worker script; undefined uses the engine's default (running from source). */
  workerScript?: URL;
  /** Status notifications at most this often. Default 1000 ms. */
  statusIntervalMs?: number;
  /** Quiet period before as-you-type parsing. Default 300 ms. */
  liveDelayMs?: number;
}

interface FolderEntry {
  uri: string;
  name: string;
  path: string;
  host?: FolderHost;
  opening?: Promise<FolderHost | undefined>;
  openError?: string;
}

const MAX_PAGE = 1000;

export function startServer(connection: Connection, options: ServerOptions = {}): void {
  let settings: ServerSettings = sanitizeSettings(undefined);
  let trusted = false;
  let shuttingDown = false;
  let graphVersion = 0;
  const folders = new Map<string, FolderEntry>();
  const documents = new TextDocuments(TextDocument);
  const publisher = new DiagnosticsPublisher((uri, diagnostics) => void connection.sendDiagnostics({ uri, diagnostics }));

  const log = (level: Exclude<LogLevel, 'off'>, message: string): void => {
    if (!logs(settings.logLevel, level)) return;
    if (level === 'error') connection.console.error(message);
    else if (level === 'warn') connection.console.warn(message);
    else if (level === 'info') connection.console.info(message);
    else connection.console.log(message);
  };
  const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

  const neo4j: Neo4jBridge = createNeo4jBridge({
    stores: () => [...folders.values()].flatMap((f) => (f.host ? [{ folder: f.uri, store: f.host.pipeline.store }] : [])),
    log,
  });

  const hosts = (): FolderHost[] => [...folders.values()].flatMap((f) => (f.host ? [f.host] : []));

  const neo4jStatus = (): Neo4jStatus => {
    let pending = 0;
    for (const h of hosts()) {
      try {
        pending += h.pipeline.store.pendingCount();
      } catch (error) {
        log('warn', `pending count of ${h.root}: ${describe(error)}`);
      }
    }
    const s = neo4j.state();
    return {
      state: s.state,
      available: neo4j.available,
      pending,
      deadLetters: s.deadLetters,
      message: s.message,
      ...(s.uri ? { uri: s.uri } : {}),
      ...(s.database ? { database: s.database } : {}),
      ...(s.lastError ? { lastError: s.lastError } : {}),
    };
  };

  const sendStatus = (): void => {
    if (shuttingDown) return;
    try {
      const states: FolderState[] = [...folders.values()].map((f) => {
        const state: FolderState = { name: f.name };
        if (f.openError) state.openError = f.openError;
        if (f.host) {
          state.snapshot = f.host.pipeline.snapshot();
          state.counts = f.host.pipeline.store.counts();
          const progress = f.host.ingestProgress;
          if (progress) state.ingest = { ...progress };
          if (f.host.pipeline.store.recovery) state.recovery = f.host.pipeline.store.recovery.message;
        }
        return state;
      });
      void connection.sendNotification(statusNotification, buildStatus({ folders: states, neo4j: neo4jStatus(), problemFiles: publisher.problemFileCount(), graphVersion }));
    } catch (error) {
      log('error', `status: ${describe(error)}`);
    }
  };
  const status = new Coalescer(sendStatus, options.statusIntervalMs ?? 1000);
  neo4j.onDidChange(() => status.request());

  // ---- diagnostics ---------------------------------------------------------------------------

  const publishStored = (host: FolderHost, paths: readonly string[]): void => {
    for (const path of paths) {
      const file = host.pipeline.store.file(path);
      publisher.setStored(uriOfPath(`${host.root}/${path}`), file ? toLspDiagnostics(file.diagnostics) : []);
    }
  };

  const publishFolder = (host: FolderHost): void => {
    const entries = new Map<string, ReturnType<typeof toLspDiagnostics>>();
    for (const f of host.pipeline.store.files()) if (f.diagnostics.length > 0) entries.set(uriOfPath(`${host.root}/${f.path}`), toLspDiagnostics(f.diagnostics));
    publisher.syncFolder(uriOfPath(host.root).replace(/\/?$/, '/'), entries);
  };

  let liveBackends: Promise<ParserBackend[]> | undefined;
  const live = new LiveDiagnostics({
    ...(options.liveDelayMs !== undefined ? { delayMs: options.liveDelayMs } : {}),
    current: (uri) => documents.get(uri),
    parse: async (uri, text) => {
      liveBackends ??= createBackends();
      const backends = await liveBackends;
      const path = pathOfUri(uri);
      const host = path === undefined ? undefined : hostOf(path);
      const relativePath = path === undefined ? 'untitled.sql' : host ? host.relativePath(path) : basename(path);
      return parseText(relativePath, text, 'utf-8', { dialect: settings.dialect as DialectSetting, backends }).diagnostics;
    },
    publish: (uri, diagnostics) => publisher.setLive(canonicalUri(uri), toLspDiagnostics(diagnostics)),
    onError: (error) => log('error', `as-you-type parse failed: ${describe(error)}`),
  });

  // ---- folders --------------------------------------------------------------------------------

  function hostOf(absolutePath: string): FolderHost | undefined {
    // The deepest folder wins when folders nest.
    let best: FolderHost | undefined;
    for (const h of hosts()) if (h.contains(absolutePath) && (!best || h.root.length > best.root.length)) best = h;
    return best;
  }

  const openFolder = (folder: WorkspaceFolder): Promise<FolderHost | undefined> => {
    const path = pathOfUri(folder.uri);
    const uri = canonicalUri(folder.uri);
    const entry: FolderEntry = { uri, name: folder.name, path: path ?? uri };
    folders.set(uri, entry);
    if (path === undefined) {
      entry.openError = 'not a local folder';
      return Promise.resolve(undefined);
    }
    entry.opening = (async () => {
      try {
        const host = await FolderHost.open(uri, path, settings, options.workerScript, (level, message) => log(level, `${folder.name}: ${message}`));
        if (folders.get(uri) !== entry || shuttingDown) {
          await host.close();
          return undefined;
        }
        entry.host = host;
        host.pipeline.onBatchApplied((batch) => {
          graphVersion++;
          try {
            publishStored(host, batch.paths);
          } catch (error) {
            log('error', `diagnostics: ${describe(error)}`);
          }
          neo4j.graphChanged();
          log('debug', `${folder.name}: applied ${batch.paths.length} files in ${batch.millis.toFixed(0)} ms`);
          // A saved file just reached the graph: show it within a tenth of a second, not a second.
          status.requestSoon(100);
        });
        publishFolder(host);
        log('info', `${folder.name}: graph at ${host.pipeline.store.path}`);
        return host;
      } catch (error) {
        entry.openError = describe(error);
        log('error', `${folder.name}: could not open the graph: ${entry.openError}`);
        return undefined;
      } finally {
        status.request();
      }
    })();
    return entry.opening;
  };

  const closeFolder = async (uri: string): Promise<void> => {
    const entry = folders.get(canonicalUri(uri));
    if (!entry) return;
    folders.delete(entry.uri);
    const host = entry.host ?? (await entry.opening);
    if (host) {
      publisher.syncFolder(uriOfPath(host.root).replace(/\/?$/, '/'), new Map());
      await host.close();
    }
    status.request();
  };

  const ready = async (): Promise<FolderHost[]> => {
    await Promise.all([...folders.values()].map((f) => f.opening ?? Promise.resolve(undefined)));
    return hosts();
  };

  const selectedHosts = async (folder: string | undefined): Promise<FolderHost[]> => {
    const all = await ready();
    if (folder === undefined) return all;
    const uri = canonicalUri(folder);
    const chosen = all.filter((h) => h.uri === uri);
    if (chosen.length === 0) throw new Error(`Not a workspace folder of this server: ${folder}`);
    return chosen;
  };

  // ---- ingest ---------------------------------------------------------------------------------

  const running = new Set<AbortController>();

  const ingest = async (params: IngestParams, signal?: AbortSignal): Promise<IngestResult> => {
    const targets = await selectedHosts(params.folder);
    const abort = new AbortController();
    running.add(abort);
    const onAbort = (): void => abort.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const results: FolderIngestResult[] = [];
    let cancelled = false;
    try {
      // One folder at a time: each folder has its own worker pool already.
      for (const host of targets) {
        if (abort.signal.aborted) {
          cancelled = true;
          break;
        }
        try {
          const summary = await host.ingest((p) => {
            if (params.progressToken !== undefined) void connection.sendNotification(ingestProgressNotification, { progressToken: params.progressToken, folder: host.uri, ...p });
            status.request();
          }, abort.signal);
          graphVersion++;
          publishFolder(host);
          neo4j.graphChanged();
          results.push({ folder: host.uri, summary });
          log('info', `${basename(host.root)}: ingested ${summary.files} files (${summary.parsed} parsed, ${summary.unchanged} unchanged, ${summary.removed} removed) in ${summary.seconds.toFixed(2)} s`);
        } catch (error) {
          if (abort.signal.aborted) {
            cancelled = true;
            log('info', `${basename(host.root)}: ingest cancelled`);
            break;
          }
          results.push({ folder: host.uri, error: describe(error) });
          log('error', `${basename(host.root)}: ingest failed: ${describe(error)}`);
        }
      }
    } finally {
      running.delete(abort);
      signal?.removeEventListener('abort', onAbort);
      status.request();
    }
    return { cancelled, folders: results };
  };

  // ---- lifecycle --------------------------------------------------------------------------------

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as Partial<InitializationOptions>;
    settings = sanitizeSettings(init.settings);
    trusted = init.trusted === true;
    if (init.protocolVersion !== undefined && init.protocolVersion !== PROTOCOL_VERSION) {
      log('warn', `client speaks protocol ${String(init.protocolVersion)}, this server ${PROTOCOL_VERSION}`);
    }
    const initial = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: basename(pathOfUri(params.rootUri) ?? params.rootUri) }] : []);
    for (const folder of initial) void openFolder(folder);
    const extension: ServerInfoExtension = { protocolVersion: PROTOCOL_VERSION, neo4jAvailable: neo4j.available };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        experimental: { sqlGraph: extension },
      },
      serverInfo: { name: 'SQL Graph', version: String(PROTOCOL_VERSION) },
    };
  });

  connection.onInitialized(() => {
    if (trusted) log('debug', 'workspace trusted');
    try {
      connection.workspace.onDidChangeWorkspaceFolders((event) => {
        for (const removed of event.removed) void closeFolder(removed.uri);
        for (const added of event.added) {
          void openFolder(added).then((host) => {
            if (host && settings.ingestOnStartup) void ingest({ folder: host.uri });
          });
        }
      });
    } catch {
      // The client did not announce workspace folder support: folders are fixed.
    }
    if (settings.ingestOnStartup) void ready().then(() => ingest({}));
    status.request();
  });

  connection.onShutdown(async () => {
    shuttingDown = true;
    status.dispose();
    live.dispose();
    for (const abort of running) abort.abort();
    await neo4j.dispose().catch(() => undefined);
    await Promise.all([...folders.keys()].map((uri) => closeFolder(uri).catch((error: unknown) => log('error', `closing ${uri}: ${describe(error)}`))));
  });

  connection.onNotification(didChangeSettings, (params) => {
    settings = sanitizeSettings(params?.settings);
    for (const h of hosts()) h.applySettings(settings);
    log('debug', 'settings applied');
  });

  // ---- documents and file events ---------------------------------------------------------------

  documents.onDidSave((event) => {
    const path = pathOfUri(event.document.uri);
    if (path === undefined) return;
    const handled = hostOf(path)?.handleEvent('save', path) ?? false;
    if (handled) status.request();
  });

  documents.onDidChangeContent((event) => live.schedule(event.document.uri));

  documents.onDidClose((event) => {
    live.cancel(event.document.uri);
    publisher.clearLive(canonicalUri(event.document.uri));
  });

  connection.onDidChangeWatchedFiles((params) => {
    let handled = false;
    for (const change of params.changes ?? []) {
      const path = pathOfUri(change.uri);
      if (path === undefined) continue;
      const kind = change.type === FileChangeType.Created ? 'create' : change.type === FileChangeType.Deleted ? 'delete' : 'change';
      handled = (hostOf(path)?.handleEvent(kind, path) ?? false) || handled;
    }
    if (handled) status.request();
  });

  // ---- requests ---------------------------------------------------------------------------------

  connection.onRequest(ingestWorkspaceRequest, (params, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return ingest(params ?? {}, abort.signal);
  });

  connection.onRequest(cancelRequest, () => {
    let cancelled = 0;
    for (const h of hosts()) if (h.cancel()) cancelled++;
    for (const abort of running) abort.abort();
    return { cancelled };
  });

  connection.onRequest(statsRequest, async () => {
    const all = await ready();
    return { folders: all.map((h) => ({ folder: h.uri, snapshot: h.pipeline.snapshot(), counts: h.pipeline.store.counts() })) };
  });

  connection.onRequest(cacheStatsRequest, async (): Promise<CacheStatsResult> => {
    const all = await ready();
    const perFolder = all.map((h) => ({ folder: h.uri, cache: h.pipeline.cache?.stats() ?? null }));
    const caches = perFolder.flatMap((f) => (f.cache ? [f.cache] : []));
    const total = (pick: (c: (typeof caches)[number]) => number): number => caches.reduce((n, c) => n + pick(c), 0);
    const hits = total((c) => c.hits);
    const misses = total((c) => c.misses);
    return {
      folders: perFolder,
      total: {
        enabled: caches.some((c) => c.enabled),
        entries: total((c) => c.entries),
        statementEntries: total((c) => c.statementEntries),
        hits,
        misses,
        hitRate: hits + misses === 0 ? 0 : hits / (hits + misses),
        bytes: total((c) => c.bytes),
        evictions: total((c) => c.evictions),
      },
    };
  });

  connection.onRequest(clearCacheRequest, async () => {
    let cleared = 0;
    for (const h of await ready()) {
      const cache = h.pipeline.cache;
      if (!cache) continue;
      const before = cache.stats();
      cache.clear();
      cleared += before.entries + before.statementEntries;
    }
    log('info', `parse cache cleared (${cleared} entries)`);
    status.request();
    return { cleared };
  });

  connection.onRequest(flushRequest, async () => {
    const all = await ready();
    await Promise.all(all.map((h) => h.pipeline.flush()));
    status.request();
    return { folders: all.length };
  });

  connection.onRequest(neo4jStatusRequest, () => neo4jStatus());

  connection.onRequest(connectNeo4jRequest, async (params) => {
    if (typeof params?.uri !== 'string' || typeof params.user !== 'string' || typeof params.password !== 'string') {
      throw new Error('Connecting to Neo4j needs a URI, a user and a password.');
    }
    // The password is passed on, never logged.
    await neo4j.connect({
      uri: params.uri,
      user: params.user,
      password: params.password,
      batchSize: settings.neo4jBatchSize,
      ...(params.database ? { database: params.database } : {}),
    });
    log('info', `Neo4j: connected to ${params.uri}`);
    status.request();
    return neo4jStatus();
  });

  connection.onRequest(disconnectNeo4jRequest, async () => {
    await neo4j.disconnect();
    status.request();
    return neo4jStatus();
  });

  connection.onRequest(replayRequest, async () => {
    const replayed = await neo4j.replay();
    status.request();
    return { replayed, status: neo4jStatus() };
  });

  connection.onRequest(graphKindsRequest, async () => {
    const totals = new Map<EntityKind, number>();
    for (const h of await ready()) {
      for (const [kind, n] of Object.entries(h.pipeline.store.counts().entities)) totals.set(kind as EntityKind, (totals.get(kind as EntityKind) ?? 0) + (n ?? 0));
    }
    return { kinds: ENTITY_KINDS.flatMap((kind) => ((totals.get(kind) ?? 0) > 0 ? [{ kind, count: totals.get(kind) ?? 0 }] : [])) };
  });

  connection.onRequest(entitiesRequest, async (params: EntitiesParams): Promise<EntitiesResult> => {
    if (!params || !(ENTITY_KINDS as readonly string[]).includes(params.kind)) throw new Error(`Unknown entity kind: ${String(params?.kind)}`);
    const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(Number(params.limit) || 200)));
    const offset = Math.max(0, Math.floor(Number(params.offset) || 0));
    const all = await ready();
    const perHost = all.map((h) => ({ host: h, count: h.pipeline.store.counts().entities[params.kind] ?? 0 }));
    const total = perHost.reduce((n, p) => n + p.count, 0);
    const items: EntitiesResult['items'] = [];
    let skip = offset;
    for (const { host, count } of perHost) {
      if (items.length >= limit) break;
      if (skip >= count) {
        skip -= count;
        continue;
      }
      for (const e of host.pipeline.store.entitiesOfKind(params.kind, limit - items.length, skip)) {
        items.push({ key: e.key, name: e.name, kind: e.kind, defined: e.defined, uri: uriOfPath(`${host.root}/${e.file}`), range: e.range, ...(e.schema ? { schema: e.schema } : {}) });
      }
      skip = 0;
    }
    const next = offset + items.length;
    return { items, total, ...(next < total ? { nextOffset: next } : {}) };
  });

  connection.onRequest(problemsRequest, async () => {
    const files: ProblemFile[] = [];
    for (const h of await ready()) {
      for (const f of h.pipeline.store.files()) {
        const errors = f.diagnostics.filter((d) => d.severity === 'error').length;
        const warnings = f.diagnostics.filter((d) => d.severity === 'warning').length;
        if (errors === 0 && warnings === 0) continue;
        const first = f.diagnostics.find((d) => d.severity === 'error') ?? f.diagnostics.find((d) => d.severity === 'warning');
        files.push({ uri: uriOfPath(`${h.root}/${f.path}`), path: f.path, errors, warnings, ...(first ? { first: { message: first.message, range: first.range } } : {}) });
      }
    }
    files.sort((a, b) => b.errors - a.errors || a.path.localeCompare(b.path));
    return { files };
  });

  documents.listen(connection);
}
