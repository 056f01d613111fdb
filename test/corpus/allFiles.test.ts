import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { parseFile } from '../../src/engine/extract/parseFile.ts';
import { discoverSqlFiles } from '../../src/engine/fs/discover.ts';
import { DialectMemory } from '../../src/engine/parse/dialectDetect.ts';
import { corpusRoot } from '../../scripts/accuracy/corpus.ts';
import { requireCorpus } from '../helpers/corpus.ts';
import { defaultBackends } from '../helpers/engine.ts';

test('every corpus file ends with statements or diagnostics, and nothing crashes', async (t) => {
  if (!requireCorpus(t)) return;
  const backends = await defaultBackends();
  const memory = new DialectMemory();
  const paths = discoverSqlFiles([corpusRoot()]);
  assert.ok(paths.length > 200, `found ${paths.length} files`);
  const empty: string[] = [];
  const crashed: string[] = [];
  for (const path of paths) {
    const display = relative(corpusRoot(), path);
    const file = parseFile(display, readFileSync(path), { dialect: 'auto', backends, memory });
    if (file.statements.length === 0 && file.diagnostics.length === 0 && file.statementCount > 0) empty.push(display);
    if (file.diagnostics.some((d) => d.code === 'internal-error')) crashed.push(display);
  }
  assert.deepEqual(crashed, []);
  assert.deepEqual(empty, []);
});
