/** `npm run neo4j:stop`: stops the server that `npm run neo4j:start` started. */
import { stopNeo4jServer } from './server.ts';

try {
  console.log(await stopNeo4jServer());
} catch (error) {
  console.error(`neo4j:stop failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
