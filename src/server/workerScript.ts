/**
 * Where the parse worker is. Bundled, the server runs as dist/server.cjs and
 * the worker is its sibling dist/worker.cjs (esbuild.mjs defines
 * import.meta.url as the bundle's own file URL). From source, the engine's
 * default (parseWorker.ts beside the pipeline) applies.
 */
export function bundledWorkerScript(moduleUrl: string = import.meta.url): URL | undefined {
  return moduleUrl.endsWith('.cjs') ? new URL('./worker.cjs', moduleUrl) : undefined;
}
