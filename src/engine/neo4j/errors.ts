/**
 * Every failure is classified before anything else decides what to do:
 * - transient: the server is away, busy or deadlocked; retry with backoff, never dead-letter;
 * - auth: wrong credentials; surface at once, never retry;
 * - data: Neo4j rejected a row; split the batch to isolate it;
 * - too-large: the transaction exceeded a memory limit; retrying as is cannot help, split it;
 * - fatal: a bug or a misconfiguration (syntax, missing database, protocol); surface.
 */
export type ErrorClass = 'transient' | 'auth' | 'data' | 'too-large' | 'fatal';

/** Raised by the client-side watchdog when the server stops answering (e.g. a hung process). */
export class Neo4jTimeoutError extends Error {
  readonly code = 'SQLGRAPH.Timeout';
  constructor(millis: number) {
    super(`Neo4j did not answer within ${millis} ms`);
    this.name = 'Neo4jTimeoutError';
  }
}

/** A failure the caller should show as is: credentials, TLS, a missing database, a schema too new. */
export class Neo4jConnectionError extends Error {
  readonly reason: 'auth' | 'unreachable' | 'tls' | 'database' | 'schema' | 'other';
  readonly code: string | undefined;
  constructor(reason: Neo4jConnectionError['reason'], message: string, code?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Neo4jConnectionError';
    this.reason = reason;
    this.code = code;
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const AUTH_CODES = new Set([
  'Neo.ClientError.Security.Unauthorized',
  'Neo.ClientError.Security.AuthenticationRateLimit',
  'Neo.ClientError.Security.CredentialsExpired',
  'Neo.ClientError.Security.TokenExpired',
]);

/** Client errors about the statement's data rather than its text. */
const DATA_CODES = new Set([
  'Neo.ClientError.Statement.TypeError',
  'Neo.ClientError.Statement.ArgumentError',
  'Neo.ClientError.Statement.ArithmeticError',
  'Neo.ClientError.Statement.ConstraintVerificationFailed',
  'Neo.ClientError.Statement.PropertyNotFound',
  'Neo.ClientError.Statement.EntityNotFound',
  'Neo.ClientError.Statement.SemanticError',
  'Neo.ClientError.Schema.ConstraintValidationFailed',
  'Neo.ClientError.Schema.IndexValueTooLarge',
  'Neo.ClientError.Schema.PropertyValueTooLarge',
]);

/** Statement errors that mean our query is wrong: splitting it would dead-letter every row. */
const BUG_CODES = new Set([
  'Neo.ClientError.Statement.SyntaxError',
  'Neo.ClientError.Statement.ParameterMissing',
  'Neo.ClientError.Statement.UnsupportedAdministrationCommand',
  'Neo.ClientError.Statement.AccessMode',
]);

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof Neo4jTimeoutError) return 'transient';
  const code = errorCode(error);
  if (code === undefined) return 'fatal';
  if (AUTH_CODES.has(code)) return 'auth';
  if (/MemoryPoolOutOfMemory|TransactionMemoryLimit|OutOfMemory/.test(code)) return 'too-large';
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || code.startsWith('Neo.TransientError.')) return 'transient';
  if (code === 'Neo.ClientError.Cluster.NotALeader' || code === 'Neo.ClientError.General.ForbiddenOnReadOnlyDatabase') return 'transient';
  if (code.startsWith('Neo.ClientError.Transaction.TransactionTimedOut')) return 'too-large';
  if (BUG_CODES.has(code)) return 'fatal';
  if (DATA_CODES.has(code) || code.startsWith('Neo.ClientError.Statement.')) return 'data';
  // Errors thrown while storing a value the kernel refuses (e.g. too large for an index).
  if (code.startsWith('Neo.DatabaseError.Statement.') || /TooLarge|IllegalValue/i.test(code)) return 'data';
  if ((error as { retriable?: unknown }).retriable === true) return 'transient';
  return 'fatal';
}

const TLS_PATTERN = /\b(SSL|TLS)\b|EPROTO|wrong version number|secure TLS connection|certificate|self[- ]signed|CERT_|ERR_SSL|handshake/i;
const UNREACHABLE_PATTERN = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|ECONNRESET|Could not perform discovery|Failed to connect|Connection acquisition timed out|timed out|closed/i;

/** Turns a failure to connect into one sentence a user can act on (the password never appears). */
export function connectionError(error: unknown, target: string, user: string): Neo4jConnectionError {
  const code = errorCode(error);
  const message = errorMessage(error);
  if (code !== undefined && AUTH_CODES.has(code)) {
    const why = code === 'Neo.ClientError.Security.AuthenticationRateLimit' ? 'too many failed attempts; wait and try again' : 'wrong user name or password';
    return new Neo4jConnectionError('auth', `Neo4j at ${target} rejected the credentials of user ${JSON.stringify(user)} (${why}). Check SQLGRAPH_NEO4J_PASSWORD.`, code, { cause: error });
  }
  if (code === 'Neo.ClientError.Database.DatabaseNotFound') {
    return new Neo4jConnectionError('database', `Neo4j at ${target} has no such database: ${message}`, code, { cause: error });
  }
  if (TLS_PATTERN.test(message) || TLS_PATTERN.test(errorMessage((error as { cause?: unknown } | null)?.cause))) {
    return new Neo4jConnectionError(
      'tls',
      `TLS mismatch talking to Neo4j at ${target}: the URI's scheme and the server disagree about encryption ` +
        `(use neo4j:// or bolt:// for a plain server, neo4j+s:// or bolt+s:// for TLS, +ssc for a self-signed certificate). Driver said: ${message}`,
      code,
      { cause: error },
    );
  }
  if (code === 'ServiceUnavailable' || code === 'SessionExpired' || error instanceof Neo4jTimeoutError || UNREACHABLE_PATTERN.test(message)) {
    return new Neo4jConnectionError('unreachable', `Cannot reach Neo4j at ${target}: ${message}`, code, { cause: error });
  }
  return new Neo4jConnectionError('other', `Neo4j at ${target} failed: ${code ? `${code}: ` : ''}${message}`, code, { cause: error });
}
