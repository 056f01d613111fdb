/** Where the replica lives. The password is passed in, never read from or written to settings. */
export interface Neo4jConfig {
  uri: string;
  user: string;
  password: string;
  /** Default `neo4j`. */
  database?: string;
}

export const DEFAULT_DATABASE = 'neo4j';

export function databaseOf(config: Pick<Neo4jConfig, 'database'>): string {
  return config.database ?? DEFAULT_DATABASE;
}

/** The config as it may be printed or logged. */
export function describeConfig(config: Neo4jConfig): string {
  return `${config.uri} (user ${JSON.stringify(config.user)}, database ${JSON.stringify(databaseOf(config))})`;
}
