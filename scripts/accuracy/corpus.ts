import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The shared corpus lives beside the clone (`../shared/corpus`) and is never
 * copied into the repository. SQLGRAPH_CORPUS overrides the location.
 */
export function corpusRoot(): string {
  return process.env['SQLGRAPH_CORPUS'] ?? join(repoRoot, '..', 'shared', 'corpus');
}

export function corpusAvailable(): boolean {
  return existsSync(join(corpusRoot(), 'tpch', 'ground_truth.json'));
}

/** Why corpus tests did not run; in CI a missing corpus is a failure, not a skip. */
export function missingCorpusMessage(): string {
  return `the shared SQL corpus is not at ${corpusRoot()} (set SQLGRAPH_CORPUS to its folder); corpus tests did not run`;
}

export const REPO_ROOT = repoRoot;
