#!/usr/bin/env node
// The `sqlgraph` command of package.json's "bin" (npm link, npx): the CLI's
// bundle when it is built (npm run build), else its source (Node 22 runs
// TypeScript by stripping the types).
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli.cjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : new URL('../src/cli/main.ts', import.meta.url).href);
