// Bundles the engine's entry points. Type-checking is separate (`tsc --noEmit`).
//   node esbuild.mjs               development build
//   node esbuild.mjs --production  minified, no sourcemaps
//   node esbuild.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** Native and WASM-loading packages stay outside the bundle and ship as they are. */
const external = ['better-sqlite3', '@guanmingchiu/sqlparser-ts', 'vscode'];

const entries = [{ in: 'src/cli/main.ts', out: 'cli' }];

const context = await esbuild.context({
  entryPoints: entries,
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
  banner: { js: '/* SQL Graph — bundled by esbuild.mjs */' },
  // The CLI uses top-level await; wrap it for CommonJS output.
  supported: { 'top-level-await': true },
});

if (watch) await context.watch();
else {
  await context.rebuild();
  await context.dispose();
}
