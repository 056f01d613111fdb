import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { test } from 'node:test';
import { catalogFactsOf, emptyCatalog, mergeCatalogFacts, outputColumnNames } from '../../src/engine/extract/catalog.ts';
import type { Catalog } from '../../src/engine/extract/catalog.ts';
import { nameOptionsFor } from '../../src/engine/extract/extractFiles.ts';
import { parseFile } from '../../src/engine/extract/parseFile.ts';
import { analyzeQuery, CteEnv, ReadCollector } from '../../src/engine/extract/scope.ts';
import { walkFile } from '../../src/engine/extract/statementWalk.ts';
import { discoverSqlFiles } from '../../src/engine/fs/discover.ts';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import type { NamePart, Query } from '../../src/engine/model/statements.ts';
import { corpusRoot } from '../../scripts/accuracy/corpus.ts';
import { requireCorpus } from '../helpers/corpus.ts';
import { defaultBackends, parseSql } from '../helpers/engine.ts';

const options = { dialect: 'postgresql' as const };

void test('views without a star keep their column names, not their query; starred ones keep the query', async () => {
  const file = await parseSql(
    ['CREATE TABLE t (a int, b int);', 'CREATE VIEW v1 AS SELECT * FROM t;', 'CREATE VIEW v2 AS SELECT a, b AS c FROM v1 WHERE a > 1;', 'CREATE VIEW v3 AS SELECT * FROM v2;'].join('\n'),
    { path: 'views.sql', dialect: 'postgresql' },
  );
  const facts = catalogFactsOf(file, options);
  const derived = new Map(facts.defines.map((d) => [d.key, d.derived]));
  assert.ok(derived.get('rel:public.v1')?.query, 'v1 expands a star: its query stays');
  assert.equal(derived.get('rel:public.v2')?.query, undefined, 'v2 names its columns: no query kept');
  assert.deepEqual(derived.get('rel:public.v2')?.columns, ['a', 'c']);
  assert.ok(derived.get('rel:public.v3')?.query);
  const catalog = mergeCatalogFacts([facts]);
  assert.deepEqual(catalog.columnsOf('rel:public.v1'), ['a', 'b']);
  assert.deepEqual(catalog.columnsOf('rel:public.v2'), ['a', 'c']);
  assert.deepEqual(catalog.columnsOf('rel:public.v3'), ['a', 'c']);
});

void test('merging facts does not depend on their order, and never changes the facts', async () => {
  const a = await parseSql('CREATE TABLE s.t (id int, x int);\nALTER TABLE s.t ADD COLUMN y int;', { path: 'a.sql', dialect: 'postgresql' });
  const b = await parseSql('CREATE TABLE s.t (other int);\nCREATE VIEW s.v AS SELECT * FROM s.t;', { path: 'b.sql', dialect: 'postgresql' });
  const fa = catalogFactsOf(a, options);
  const fb = catalogFactsOf(b, options);
  const before = JSON.stringify([fa, fb]);
  const one = mergeCatalogFacts([fa, fb]);
  const two = mergeCatalogFacts([fb, fa]);
  assert.equal(JSON.stringify([fa, fb]), before, 'ALTERs and derived columns must not write into the facts');
  for (const cat of [one, two]) {
    assert.deepEqual(cat.columnsOf('rel:s.t'), ['id', 'x', 'y'], 'a.sql sorts first: its definition wins');
    assert.deepEqual(cat.columnsOf('rel:s.v'), ['id', 'x', 'y']);
  }
});

/** Every CREATE VIEW / CTAS query of a file, with the name defaults in force there. */
function definingQueries(file: ParsedFile): { query: Query; declared?: NamePart[] }[] {
  const found: { query: Query; declared?: NamePart[] }[] = [];
  walkFile(file, nameOptionsFor(file, undefined), {
    statement: ({ statement: s }) => {
      if (s.kind === 'createView') found.push({ query: s.query, ...(s.columns ? { declared: s.columns } : {}) });
      else if (s.kind === 'createTable' && s.as) found.push({ query: s.as });
    },
  });
  return found;
}

function hasStar(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasStar);
  if (typeof node !== 'object' || node === null) return false;
  return 'star' in node || Object.values(node).some(hasStar);
}

void test('on the real corpora, a defining query without a star names the same columns with or without a catalog', async (t) => {
  if (!requireCorpus(t)) return;
  const backends = await defaultBackends();
  const root = corpusRoot();
  const files = discoverSqlFiles([root]).map((p) => parseFile(relative(root, p), readFileSync(p), { dialect: 'auto', backends }));
  const catalog: Catalog = mergeCatalogFacts(files.map((f) => catalogFactsOf(f, nameOptionsFor(f, undefined))));
  let compared = 0;
  for (const file of files) {
    const opts = nameOptionsFor(file, undefined);
    for (const { query, declared } of definingQueries(file)) {
      if (hasStar(query)) continue;
      const names = (cat: Catalog): string[] | undefined =>
        outputColumnNames(analyzeQuery(query, undefined, new CteEnv(undefined), { catalog: cat, options: opts, collector: new ReadCollector() }), declared, opts);
      assert.deepEqual(names(emptyCatalog), names(catalog), `${file.path}: a view's columns depend on the catalog`);
      compared++;
    }
  }
  assert.ok(compared >= 20, `only ${compared} star-free defining queries found in the corpora`);
});
