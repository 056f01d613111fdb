import { NEO4J_UNAVAILABLE, type Neo4jBridge, type Neo4jBridgeState } from './neo4jBridge.ts';

/** The bridge of a build without a Neo4j sync: every action answers with one clear message. */
export class UnavailableNeo4j implements Neo4jBridge {
  readonly available = false;

  state(): Neo4jBridgeState {
    return { state: 'unavailable', deadLetters: 0, message: NEO4J_UNAVAILABLE };
  }

  connect(): Promise<void> {
    return Promise.reject(new Error(NEO4J_UNAVAILABLE));
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  replay(): Promise<number> {
    return Promise.reject(new Error(NEO4J_UNAVAILABLE));
  }

  graphChanged(): void {}

  onDidChange(): () => void {
    return () => undefined;
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
