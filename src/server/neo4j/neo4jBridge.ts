/**
 * The server's seam to a Neo4j sync. The protocol, the status bar and the
 * tree talk to this interface only; which implementation runs is decided in
 * createNeo4jBridge. The graph store keeps the set of files Neo4j has not
 * acknowledged (pendingCount), so "pending" is real even without a sync.
 */
import type { GraphStore } from '../../engine/store/graphStore.ts';
import type { Neo4jState } from '../../shared/protocol.ts';

export interface Neo4jConnectOptions {
  uri: string;
  user: string;
  password: string;
  database?: string;
  batchSize: number;
}

export interface Neo4jBridgeState {
  state: Neo4jState;
  uri?: string;
  database?: string;
  deadLetters: number;
  message: string;
  lastError?: string;
}

export interface Neo4jBridge {
  readonly available: boolean;
  state(): Neo4jBridgeState;
  /** Resolves when connected; rejects with a message fit for the user. */
  connect(options: Neo4jConnectOptions): Promise<void>;
  disconnect(): Promise<void>;
  /** Retries writes that failed for good; answers how many were replayed. */
  replay(): Promise<number>;
  /** The stores changed (a batch was applied): push what is pending. */
  graphChanged(): void;
  onDidChange(listener: () => void): () => void;
  dispose(): Promise<void>;
}

export interface Neo4jBridgeContext {
  /** The stores of every workspace folder, current at the time of the call. */
  stores(): { folder: string; store: GraphStore }[];
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

