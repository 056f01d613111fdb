/**
 * The server's Neo4j bridge over the engine's sync: one driver for the
 * connection, one Neo4jSync per workspace folder's store. After every applied
 * batch the pending files are pushed; during an outage the sync keeps the
 * work pending and retries, and the state reads "offline" until it succeeds.
 */
import { DeadLetterLog, deadLetterPath } from '../../engine/neo4j/deadLetters.ts';
import { closeNeo4jDriver, neo4jDriver, verifyNeo4j } from '../../engine/neo4j/driver.ts';
import { DEFAULT_DATABASE, type Neo4jConfig } from '../../engine/neo4j/neo4jConfig.ts';
import { Neo4jSync } from '../../engine/neo4j/neo4jSync.ts';
import { ensureSchema } from '../../engine/neo4j/schema.ts';
import type { GraphStore } from '../../engine/store/graphStore.ts';
import type { Neo4jBridge, Neo4jBridgeContext, Neo4jBridgeState, Neo4jConnectOptions } from './neo4jBridge.ts';

interface Connection {
  config: Neo4jConfig;
  batchSize: number;
  abort: AbortController;
  syncs: WeakMap<GraphStore, Neo4jSync>;
}

export class EngineNeo4jBridge implements Neo4jBridge {
  readonly available = true;
  private readonly context: Neo4jBridgeContext;
  private connection: Connection | undefined;
  private status: Neo4jBridgeState = { state: 'disabled', deadLetters: 0, message: 'Not connected to Neo4j.' };
  private readonly listeners = new Set<() => void>();
  private running: Promise<void> | undefined;
  private again = false;

  constructor(context: Neo4jBridgeContext) {
    this.context = context;
  }

  state(): Neo4jBridgeState {
    return this.status;
  }

  async connect(options: Neo4jConnectOptions): Promise<void> {
    await this.disconnect();
    const config: Neo4jConfig = { uri: options.uri, user: options.user, password: options.password, ...(options.database ? { database: options.database } : {}) };
    this.update({ state: 'connecting', uri: options.uri, database: options.database ?? DEFAULT_DATABASE, message: `Connecting to ${options.uri}…` });
    try {
      const driver = neo4jDriver(config);
      await verifyNeo4j(driver, config);
      await ensureSchema(driver, options.database ?? DEFAULT_DATABASE);
    } catch (error) {
      await closeNeo4jDriver(config).catch(() => undefined);
      const message = error instanceof Error ? error.message : String(error);
      this.update({ state: 'error', message, lastError: message });
      throw new Error(message);
    }
    this.connection = { config, batchSize: options.batchSize, abort: new AbortController(), syncs: new WeakMap() };
    this.update({ state: 'connected', message: `Connected to ${options.uri}.` });
    this.graphChanged();
  }

  async disconnect(): Promise<void> {
    const connection = this.connection;
    if (!connection) return;
    this.connection = undefined;
    connection.abort.abort();
    await this.running?.catch(() => undefined);
    await closeNeo4jDriver(connection.config).catch(() => undefined);
    this.update({ state: 'disabled', message: 'Disconnected from Neo4j.' });
  }

  async replay(): Promise<number> {
    const connection = this.connection;
    if (!connection) throw new Error('Not connected to Neo4j: run "SQL Graph: Connect to Neo4j…" first.');
    let succeeded = 0;
    for (const { folder, store } of this.context.stores()) {
      const report = await this.syncFor(connection, folder, store).replay({ signal: connection.abort.signal });
      succeeded += report.succeeded;
    }
    this.countDeadLetters();
    return succeeded;
  }

  graphChanged(): void {
    if (!this.connection) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pushPending().finally(() => {
      this.running = undefined;
    });
  }

  onDidChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async dispose(): Promise<void> {
    await this.disconnect();
    this.listeners.clear();
  }

  private async pushPending(): Promise<void> {
    do {
      this.again = false;
      const connection = this.connection;
      if (!connection) return;
      try {
        for (const { folder, store } of this.context.stores()) {
          if (store.pendingCount() === 0) continue;
          await this.syncFor(connection, folder, store).syncPending({ signal: connection.abort.signal });
        }
        if (this.connection === connection) this.update({ state: 'connected', message: `Connected to ${connection.config.uri}; in sync.` });
      } catch (error) {
        if (connection.abort.signal.aborted) return;
        const message = error instanceof Error ? error.message : String(error);
        this.context.log('error', `Neo4j sync: ${message}`);
        this.update({ state: 'error', message, lastError: message });
        return;
      } finally {
        this.countDeadLetters();
      }
    } while (this.again);
  }

  private syncFor(connection: Connection, folder: string, store: GraphStore): Neo4jSync {
    let sync = connection.syncs.get(store);
    if (!sync) {
      sync = new Neo4jSync(store, {
        driver: neo4jDriver(connection.config),
        ...(connection.config.database ? { database: connection.config.database } : {}),
        deadLetters: new DeadLetterLog(deadLetterPath(folder)),
        batchSize: connection.batchSize,
        target: { uri: connection.config.uri, user: connection.config.user },
        log: (level, message) => {
          this.context.log(level === 'warn' ? 'warn' : 'info', message);
          // Retrying means the server is away: the work stays pending until it is back.
          if (level === 'warn' && this.connection === connection) this.update({ state: 'offline', message: `Neo4j unreachable; changes stay pending and are retried. ${message}` });
        },
      });
      connection.syncs.set(store, sync);
    }
    return sync;
  }

  private countDeadLetters(): void {
    let count = 0;
    for (const { folder } of this.context.stores()) {
      try {
        count += new DeadLetterLog(deadLetterPath(folder)).read().letters.length;
      } catch {
        // An unreadable log counts as empty here; replay reports the problem.
      }
    }
    if (count !== this.status.deadLetters) this.update({ deadLetters: count });
  }

  private update(change: Partial<Neo4jBridgeState>): void {
    this.status = { ...this.status, ...change };
    for (const listener of this.listeners) listener();
  }
}
