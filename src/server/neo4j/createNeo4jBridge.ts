/**
 * The one place that decides which Neo4j bridge the server runs. When the
 * engine's Neo4j sync (src/engine/neo4j) lands, adapt it to Neo4jBridge here;
 * nothing else in the server or client changes.
 */
import type { Neo4jBridge, Neo4jBridgeContext } from './neo4jBridge.ts';
import { UnavailableNeo4j } from './unavailableNeo4j.ts';

export function createNeo4jBridge(_context: Neo4jBridgeContext): Neo4jBridge {
  return new UnavailableNeo4j();
}
