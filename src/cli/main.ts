#!/usr/bin/env node
import { limitHeapGrowth } from '../engine/runtime/heapGrowth.ts';
import { relaunch, shouldRelaunch } from './relaunch.ts';

limitHeapGrowth();

// `sqlgraph extract … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// No top-level await: this file is also bundled as CommonJS (dist/cli.cjs).
const argv = process.argv.slice(2);
// The relaunching parent only waits: it does not load the engine.
const run =
  shouldRelaunch(argv) && process.argv[1]
    ? relaunch(process.argv[1], argv)
    : import('./run.ts').then(({ runCli }) => runCli(argv, { out: process.stdout, err: process.stderr }));
run.then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sqlgraph: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
