/**
 * One managed write transaction, watched by a client-side deadline. A hung
 * server (a stopped process, a half-open socket) never answers, and the
 * driver has no per-query timeout: the watchdog gives up, marks the
 * transaction abandoned so that if the server wakes up the transaction
 * function fails before its next statement (and is rolled back rather than
 * committed), and reports a transient failure so the batch is retried.
 */
import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import { withTimeout } from './driver.ts';
import { Neo4jTimeoutError } from './errors.ts';

export type Row = Record<string, unknown>;

export interface QueryRunner {
  run(query: string, params: Record<string, unknown>): Promise<Row[]>;
}

export interface TransactionTarget {
  driver: Driver;
  database: string;
  /** Client-side deadline for one transaction. */
  timeoutMs: number;
}

export interface TransactionCounter {
  transactions: number;
}

export function runWrite<T>(target: TransactionTarget, work: (q: QueryRunner) => Promise<T>, counter?: TransactionCounter): Promise<T> {
  if (counter) counter.transactions++;
  return runManaged(target, 'write', work);
}

export function runRead<T>(target: TransactionTarget, work: (q: QueryRunner) => Promise<T>): Promise<T> {
  return runManaged(target, 'read', work);
}

/**
 * One managed transaction with a client-side deadline: past it the work is
 * abandoned (its later queries fail fast) and the caller sees a timeout,
 * which the sync treats as an outage.
 */
async function runManaged<T>(target: TransactionTarget, mode: 'read' | 'write', work: (q: QueryRunner) => Promise<T>): Promise<T> {
  const session = target.driver.session({ database: target.database, defaultAccessMode: mode === 'write' ? neo4j.session.WRITE : neo4j.session.READ });
  let abandoned = false;
  const runner = (tx: ManagedTransaction): QueryRunner => ({
    async run(query, params) {
      if (abandoned) throw new Neo4jTimeoutError(target.timeoutMs);
      const result = await tx.run(query, params);
      if (abandoned) throw new Neo4jTimeoutError(target.timeoutMs);
      return result.records.map((r) => r.toObject() as Row);
    },
  });
  try {
    const transaction = mode === 'write' ? session.executeWrite((tx) => work(runner(tx))) : session.executeRead((tx) => work(runner(tx)));
    return await withTimeout(transaction, target.timeoutMs, () => {
      abandoned = true;
    });
  } finally {
    // Closing a session whose server hangs would hang too.
    if (abandoned) void session.close().catch(() => undefined);
    else await session.close().catch(() => undefined);
  }
}
