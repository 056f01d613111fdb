/** The one place that decides which Neo4j bridge the server runs. */
import { EngineNeo4jBridge } from './engineNeo4jBridge.ts';
import type { Neo4jBridge, Neo4jBridgeContext } from './neo4jBridge.ts';

export function createNeo4jBridge(context: Neo4jBridgeContext): Neo4jBridge {
  return new EngineNeo4jBridge(context);
}
