/**
 * The sqlparser-rs WASM module: compiled once per process, with a stand-by
 * instance ready to replace a broken one.
 *
 * A statement whose AST is too deep for the module's 1 MB stack (a chain of
 * ~1000 `OR`s is enough) traps with "memory access out of bounds", and the
 * wasm-bindgen instance stays broken for every later call. The package offers
 * no reset, so we keep a fresh copy of its JS glue (a distinct ES module
 * instance, imported with a query string) and swap it in synchronously when
 * a trap happens.
 *
 * Both the primary and every stand-by are instantiated from the same
 * compiled module: compiling it again for the stand-by cost ~16 MB per
 * thread, and a shared module also shares the code V8 compiles lazily as
 * functions run. A stand-by's instance (its linear memory) is only created
 * when it takes over; until then it is just the glue's JS.
 *
 * The same holds across threads: the pipeline compiles the module once and
 * hands it to its parse workers (a WebAssembly.Module crosses postMessage
 * without a copy), so a replacement worker starts without compiling and the
 * process holds one copy of the module's code.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A compiled WebAssembly.Module (the project's TS lib has no WebAssembly types). */
export type CompiledModule = object;

const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledModule> } }).WebAssembly;

interface WasmGlue {
  initSync(options: { module: CompiledModule }): unknown;
  parse_sql(dialect: string, sql: string): unknown;
}

export type RawParse = (sql: string, dialect: string) => unknown;

let threadModule: Promise<CompiledModule> | undefined;

/** The compiled module this thread uses: compiled here on first need unless another thread's was adopted. */
export function compiledModule(): Promise<CompiledModule> {
  threadModule ??= readFile(join(packageDir(), 'wasm', 'sqlparser_rs_wasm_bg.wasm')).then((bytes) => wasmApi.compile(bytes));
  return threadModule;
}

/** Uses a module compiled by another thread (received through postMessage or workerData). */
export function adoptCompiledModule(module: CompiledModule): void {
  threadModule = Promise.resolve(module);
}

/** Glue copies imported so far in this thread; each import needs its own URL to be a distinct module. */
let copies = 0;

function packageDir(): string {
  return dirname(dirname(createRequire(import.meta.url).resolve('@guanmingchiu/sqlparser-ts')));
}

async function importGlue(dir: string): Promise<WasmGlue> {
  const url = pathToFileURL(join(dir, 'wasm', 'sqlparser_rs_wasm.js')).href;
  const copy = copies++;
  return (await import(copy === 0 ? url : `${url}?copy=${copy}`)) as WasmGlue;
}

function instantiate(glue: WasmGlue, compiled: CompiledModule): RawParse {
  glue.initSync({ module: compiled });
  return (sql, dialect) => glue.parse_sql(dialect, sql);
}

export class WasmStandby {
  private compiled: CompiledModule | undefined;
  private spare: WasmGlue | undefined;
  private loading: Promise<void> | undefined;

  /** Compiles the module (once) and returns a parse function on the primary instance. */
  async primary(): Promise<RawParse> {
    this.compiled ??= await compiledModule();
    return instantiate(await importGlue(packageDir()), this.compiled);
  }

  /** Prepares the next spare copy (its glue only); safe to call repeatedly. */
  prepare(): Promise<void> {
    this.loading ??= (async () => {
      this.spare ??= await importGlue(packageDir());
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /**
   * A parse function on a fresh instance, or undefined when no spare is ready
   * yet (a second trap before the previous replacement finished loading).
   */
  takeFresh(): RawParse | undefined {
    const spare = this.spare;
    const compiled = this.compiled;
    if (!spare || !compiled) return undefined;
    this.spare = undefined;
    const fresh = instantiate(spare, compiled);
    void this.prepare().catch(() => undefined);
    return fresh;
  }
}
