import type { TestContext } from 'node:test';
import { corpusAvailable, missingCorpusMessage } from '../../scripts/accuracy/corpus.ts';

/**
 * Corpus tests run when ../shared/corpus exists. Where it does not, they say
 * so loudly; in CI (SQLGRAPH_REQUIRE_CORPUS=1 or CI=true) that is a failure.
 */
export function requireCorpus(t: TestContext): boolean {
  if (corpusAvailable()) return true;
  if (process.env['SQLGRAPH_REQUIRE_CORPUS'] === '1' || process.env['CI'] === 'true') {
    throw new Error(missingCorpusMessage());
  }
  t.skip(missingCorpusMessage());
  return false;
}
