/**
 * A stand-by copy of the sqlparser-rs WASM module.
 *
 * A statement whose AST is too deep for the module's 1 MB stack (a chain of
 * ~1000 `OR`s is enough) traps with "memory access out of bounds", and the
 * wasm-bindgen instance stays broken for every later call. The package offers
 * no reset, so we keep a fresh copy of its JS glue (a distinct ES module
 * instance, imported with a query string) and a compiled module ready, and
 * swap them in synchronously when a trap happens.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A compiled WebAssembly.Module (the project's TS lib has no WebAssembly types). */
type CompiledModule = object;

const wasmApi = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledModule> } }).WebAssembly;

interface WasmGlue {
  initSync(options: { module: CompiledModule }): unknown;
  parse_sql(dialect: string, sql: string): unknown;
}

export type RawParse = (sql: string, dialect: string) => unknown;

let copies = 0;

export class WasmStandby {
  private compiled: CompiledModule | undefined;
  private spare: WasmGlue | undefined;
  private loading: Promise<void> | undefined;

  private packageDir(): string {
    return dirname(dirname(createRequire(import.meta.url).resolve('@guanmingchiu/sqlparser-ts')));
  }

  /** Prepares the next spare copy; safe to call repeatedly. */
  prepare(): Promise<void> {
    this.loading ??= (async () => {
      const dir = this.packageDir();
      this.compiled ??= await wasmApi.compile(await readFile(join(dir, 'wasm', 'sqlparser_rs_wasm_bg.wasm')));
      copies += 1;
      const url = `${pathToFileURL(join(dir, 'wasm', 'sqlparser_rs_wasm.js')).href}?copy=${copies}`;
      this.spare = (await import(url)) as WasmGlue;
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
    spare.initSync({ module: compiled });
    void this.prepare().catch(() => undefined);
    return (sql, dialect) => spare.parse_sql(dialect, sql);
  }
}
