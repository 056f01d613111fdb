#!/usr/bin/env node
import { limitHeapGrowth } from '../engine/runtime/heapGrowth.ts';
import { runCli } from './run.ts';

limitHeapGrowth();

// `sqlgraph extract … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

// No top-level await: this file is also bundled as CommonJS (dist/cli.cjs).
runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`sqlgraph: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
