import type { ParserBackend } from './backend.ts';
import { nodeSqlParserBackend } from './nodeSqlParser.ts';
import { sqlparserRsBackend } from './sqlparserRs.ts';
import { adoptCompiledModule, compiledModule, type CompiledModule } from './sqlparserRs/wasmRecovery.ts';

export type BackendId = ParserBackend['id'];

/**
 * The default order, by measurement (see README "Parser backends"):
 * sqlparser-rs parses the same statements several times faster, so it goes
 * first and node-sql-parser catches what it rejects.
 */
export const DEFAULT_BACKEND_ORDER: readonly BackendId[] = ['sqlparser-rs', 'node-sql-parser'];

export function isBackendId(value: string): value is BackendId {
  return value === 'sqlparser-rs' || value === 'node-sql-parser';
}

/** The backends in the given order, not yet initialised: ids and versions only, nothing loaded. */
export function backendsFor(order: readonly BackendId[] = DEFAULT_BACKEND_ORDER): ParserBackend[] {
  return order.map((id) => (id === 'sqlparser-rs' ? sqlparserRsBackend() : nodeSqlParserBackend()));
}

/** The backends in the given order, initialised and ready for synchronous parsing. */
export async function createBackends(order: readonly BackendId[] = DEFAULT_BACKEND_ORDER): Promise<ParserBackend[]> {
  const backends = backendsFor(order);
  await Promise.all(backends.map((b) => b.init()));
  return backends;
}

/** Compiled code a thread hands to the parse workers it starts, so that each does not compile (and optimise) its own. */
export interface SharedBackendCode {
  sqlparserRs?: CompiledModule;
}

/** Compiles, in this thread, what the given backends share with workers. */
export async function sharedBackendCode(order: readonly BackendId[] = DEFAULT_BACKEND_ORDER): Promise<SharedBackendCode> {
  return order.includes('sqlparser-rs') ? { sqlparserRs: await compiledModule() } : {};
}

/** In a worker, before its backends initialise: use the code its parent compiled. */
export function adoptSharedBackendCode(code: SharedBackendCode | undefined): void {
  if (code?.sqlparserRs) adoptCompiledModule(code.sqlparserRs);
}
