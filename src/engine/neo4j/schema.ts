/**
 * The replica's schema: a version node and numbered forward migrations,
 * applied in order. Schema commands cannot share a transaction with data
 * writes, so each statement runs in its own transaction and the version is
 * bumped in a last one; every statement is idempotent (IF NOT EXISTS), so a
 * migration cut short is simply run again.
 */
import type { Driver } from 'neo4j-driver';
import { Neo4jConnectionError } from './errors.ts';
import { ENTITY_LABEL, FILE_LABEL, RELATIONSHIP_TYPE_NAMES, SCHEMA_LABEL } from './labels.ts';

export interface Migration {
  version: number;
  description: string;
  statements: readonly string[];
}

const UNIQUE_KEYS = [
  `CREATE CONSTRAINT sqlgraph_entity_key IF NOT EXISTS FOR (n:${ENTITY_LABEL}) REQUIRE n.key IS UNIQUE`,
  `CREATE CONSTRAINT sqlgraph_file_path IF NOT EXISTS FOR (n:${FILE_LABEL}) REQUIRE n.path IS UNIQUE`,
  `CREATE CONSTRAINT sqlgraph_schema_id IF NOT EXISTS FOR (n:${SCHEMA_LABEL}) REQUIRE n.id IS UNIQUE`,
];

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'unique keys of entities, files and the schema node', statements: UNIQUE_KEYS },
  {
    version: 2,
    description: "relationship indexes on `file`, to replace one file's contribution",
    statements: RELATIONSHIP_TYPE_NAMES.map((t) => `CREATE INDEX sqlgraph_${t.toLowerCase()}_file IF NOT EXISTS FOR ()-[r:${t}]-() ON (r.file)`),
  },
];

export const SCHEMA_VERSION = MIGRATIONS.reduce((v, m) => Math.max(v, m.version), 0);
const SCHEMA_ID = 'sqlgraph';

export interface SchemaReport {
  /** The version found before migrating (0: a fresh graph). */
  from: number;
  to: number;
  applied: number[];
}

export async function readSchemaVersion(driver: Driver, database: string): Promise<number> {
  const result = await driver.executeQuery(`MATCH (s:${SCHEMA_LABEL} {id: $id}) RETURN s.version AS version`, { id: SCHEMA_ID }, { database, routing: 'READ' });
  const value = result.records[0]?.get('version') as unknown;
  return typeof value === 'number' ? value : 0;
}

/**
 * Brings the graph's schema to this code's version. A graph written by a
 * newer version is left untouched and reported: this code would corrupt it.
 */
export async function ensureSchema(driver: Driver, database: string, migrations: readonly Migration[] = MIGRATIONS): Promise<SchemaReport> {
  const known = migrations.reduce((v, m) => Math.max(v, m.version), 0);
  const from = await readSchemaVersion(driver, database);
  if (from > known) {
    throw new Neo4jConnectionError(
      'schema',
      `The Neo4j graph has schema version ${from}, newer than this SQL Graph understands (${known}). Upgrade SQL Graph or sync into another database; nothing was written.`,
    );
  }
  const applied: number[] = [];
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  for (const m of ordered) {
    if (m.version <= from) continue;
    for (const statement of m.statements) await driver.executeQuery(statement, {}, { database });
    await driver.executeQuery(
      `MERGE (s:${SCHEMA_LABEL} {id: $id}) ON CREATE SET s.version = 0
       SET s.version = CASE WHEN s.version < toInteger($version) THEN toInteger($version) ELSE s.version END, s.updatedAt = datetime()`,
      { id: SCHEMA_ID, version: m.version },
      { database },
    );
    applied.push(m.version);
  }
  // Cheap and idempotent: recreate a constraint someone dropped by hand.
  if (applied.length === 0) for (const statement of UNIQUE_KEYS) await driver.executeQuery(statement, {}, { database });
  return { from, to: Math.max(from, known), applied };
}
