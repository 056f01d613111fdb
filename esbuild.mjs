// Bundles SQL Graph's entry points into dist/. Type-checking is separate (`tsc --noEmit`).
//   node esbuild.mjs               development build (sourcemaps)
//   node esbuild.mjs --production  minified, no sourcemaps
//   node esbuild.mjs --watch       rebuild on change
//
//   dist/extension.cjs  the VS Code extension (language client)       src/client/extension.ts
//   dist/server.cjs     the language server (its own Node process)    src/server/main.ts
//   dist/worker.cjs     the parse worker thread the server starts     src/engine/pipeline/parseWorker.ts
//   dist/cli.cjs        the `sqlgraph` command                         src/cli/main.ts
//
// Two things keep the bundles working as CommonJS:
// - `import.meta.url` does not exist in CJS; the engine uses it to find its
//   worker and to resolve the WASM parser package. It is defined as the
//   bundle's own file URL (a banner computes it from __filename), so
//   `new URL('./worker.cjs', import.meta.url)` in the server names the
//   worker beside it and createRequire(import.meta.url) resolves from dist/.
// - better-sqlite3 (native) and the WASM parser stay external: they load
//   files next to themselves at run time. Their run-time files are copied to
//   dist/node_modules/, which Node's resolution finds first from dist/*.cjs.
//   `vsce package --no-dependencies` never packs the root node_modules, so
//   this copy is what ships in the VSIX (.vscodeignore lists it file by file).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Native and WASM-loading packages stay outside the bundles and ship as they are. */
const external = ['better-sqlite3', '@guanmingchiu/sqlparser-ts', 'vscode'];

/** Exactly the files of the external packages that load at run time (linux-x64). */
export const RUNTIME_FILES = {
  'better-sqlite3': ['package.json', 'LICENSE', 'lib', 'prebuilds/linux-x64.node'],
  '@guanmingchiu/sqlparser-ts': [
    'package.json',
    'dist/index.cjs',
    'wasm/package.json',
    'wasm/LICENSE',
    'wasm/sqlparser_rs_wasm.js',
    'wasm/sqlparser_rs_wasm_bg.wasm',
  ],
};

function copyRuntimeModules() {
  const target = join('dist', 'node_modules');
  rmSync(target, { recursive: true, force: true });
  for (const [pkg, files] of Object.entries(RUNTIME_FILES)) {
    for (const file of files) {
      const from = join('node_modules', pkg, file);
      if (!existsSync(from)) throw new Error(`esbuild.mjs: ${from} is missing; run npm ci`);
      const to = join(target, pkg, file);
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { recursive: true });
    }
  }
}

const IMPORT_META_URL = '__sqlgraphImportMetaUrl';

const context = await esbuild.context({
  entryPoints: [
    { in: 'src/client/extension.ts', out: 'extension' },
    { in: 'src/server/main.ts', out: 'server' },
    { in: 'src/engine/pipeline/parseWorker.ts', out: 'worker' },
    { in: 'src/cli/main.ts', out: 'cli' },
  ],
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node22',
  external,
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'info',
  define: { 'import.meta.url': IMPORT_META_URL },
  banner: { js: `/* SQL Graph — bundled by esbuild.mjs */\nvar ${IMPORT_META_URL} = require("node:url").pathToFileURL(__filename).href;` },
});

copyRuntimeModules();
if (watch) await context.watch();
else {
  await context.rebuild();
  await context.dispose();
}
