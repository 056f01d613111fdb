#!/usr/bin/env node
import { runCli } from './run.ts';

// `sqlgraph extract … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), { out: process.stdout, err: process.stderr });
