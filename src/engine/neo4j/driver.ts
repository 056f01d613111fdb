/**
 * One driver per process and target: drivers own connection pools, so
 * creating one per sync would leak sockets and lose the pool's warm-up.
 */
import { createHash } from 'node:crypto';
import neo4j, { type Driver } from 'neo4j-driver';
import { connectionError, Neo4jTimeoutError } from './errors.ts';
import { databaseOf, describeConfig, type Neo4jConfig } from './neo4jConfig.ts';

export interface DriverOptions {
  /** Establishing a connection (TCP + TLS + Bolt handshake). Default 5 s. */
  connectionTimeoutMs?: number;
}

const drivers = new Map<string, Driver>();

function driverKey(config: Neo4jConfig): string {
  // The password is part of the identity (other credentials, another driver), kept only as a hash in memory.
  return `${config.uri}\u0000${config.user}\u0000${createHash('sha256').update(config.password).digest('base64')}`;
}

export function neo4jDriver(config: Neo4jConfig, options: DriverOptions = {}): Driver {
  const key = driverKey(config);
  let driver = drivers.get(key);
  if (!driver) {
    driver = neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
      // Line numbers and counts are small: plain numbers instead of Integer objects.
      disableLosslessIntegers: true,
      // Retries are ours (classified, with backoff that never gives up on an outage).
      maxTransactionRetryTime: 0,
      connectionTimeout: options.connectionTimeoutMs ?? 5000,
      connectionAcquisitionTimeout: 20_000,
      userAgent: 'sql-graph/0.1',
    });
    drivers.set(key, driver);
  }
  return driver;
}

/** Closes the process's driver for this target (or every driver). */
export async function closeNeo4jDriver(config?: Neo4jConfig): Promise<void> {
  const keys = config ? [driverKey(config)] : [...drivers.keys()];
  for (const key of keys) {
    const driver = drivers.get(key);
    drivers.delete(key);
    await driver?.close();
  }
}

export interface ServerInfo {
  address: string;
  agent: string;
  protocolVersion: string;
  edition?: string;
  version?: string;
}

/**
 * Checks that the server answers, the credentials work and the database
 * exists; throws a Neo4jConnectionError whose message says which of these failed.
 */
export async function verifyNeo4j(driver: Driver, config: Neo4jConfig, timeoutMs = 15_000): Promise<ServerInfo> {
  const target = describeConfig(config);
  try {
    const info = await withTimeout(driver.getServerInfo({ database: databaseOf(config) }), timeoutMs);
    const result: ServerInfo = { address: info.address ?? config.uri, agent: info.agent ?? '', protocolVersion: String(info.protocolVersion ?? "") };
    const session = driver.session({ database: databaseOf(config), defaultAccessMode: neo4j.session.READ });
    try {
      const res = await withTimeout(session.run('CALL dbms.components() YIELD versions, edition RETURN versions[0] AS version, edition'), timeoutMs);
      const record = res.records[0];
      if (record) {
        result.version = String(record.get('version'));
        result.edition = String(record.get('edition'));
      }
    } finally {
      void session.close().catch(() => undefined);
    }
    return result;
  } catch (error) {
    throw connectionError(error, target, config.user);
  }
}

/** Rejects with Neo4jTimeoutError when `promise` takes longer than `ms` (the promise itself keeps running). */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new Neo4jTimeoutError(ms));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
