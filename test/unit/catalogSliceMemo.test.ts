/**
 * catalogSliceOf keeps each statement's slim JSON by identity and the last
 * slice per path: whatever it reuses, its answer must equal the slice
 * computed from scratch (catalogSliceOfUncached), byte for byte.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseText, type StatementCache } from '../../src/engine/extract/parseFile.ts';
import type { ParsedFile } from '../../src/engine/model/parsed.ts';
import { catalogSliceOf, catalogSliceOfUncached, forgetCatalogSlices } from '../../src/engine/pipeline/catalogState.ts';
import { defaultBackends } from '../helpers/engine.ts';

function mapCache(): StatementCache {
  const entries = new Map<string, string>();
  return { get: (key) => entries.get(key), has: (key) => entries.has(key), put: (key, payload) => void entries.set(key, payload), keyOf: (text, dialects) => `${dialects}|${text}` };
}

function bigText(extraColumn = ''): string {
  const parts = [
    `CREATE TABLE slice_a (id INT PRIMARY KEY, name TEXT NOT NULL, amount NUMERIC(10, 2)${extraColumn})`,
    'CREATE VIEW slice_v AS SELECT id, name FROM slice_a',
    'CREATE TABLE slice_weird (id INT) WITH (fillfactor = ) STRANGE ???',
    `CREATE FUNCTION slice_f() RETURNS void AS $$ BEGIN CREATE TABLE slice_in_body (x INT); INSERT INTO slice_a SELECT * FROM slice_v; END $$ LANGUAGE plpgsql`,
    'SELECT id INTO slice_copy FROM slice_a',
  ];
  for (let i = 0; i < 80; i++) parts.push(`INSERT INTO slice_log_${i % 7} SELECT a.id FROM slice_a a WHERE a.amount > ${i}`);
  return `${parts.join(';\n')};\n`;
}

test('a slice built from kept pieces equals the slice from scratch, through edits that keep, move and change DDL', async () => {
  const backends = await defaultBackends();
  const cache = mapCache();
  forgetCatalogSlices();
  const parse = (path: string, text: string): ParsedFile => parseText(path, text, 'utf-8', { dialect: 'postgresql', backends, statementCache: cache });
  const check = (file: ParsedFile, what: string) => {
    const slice = catalogSliceOf(file);
    assert.deepEqual(slice, catalogSliceOfUncached(file), what);
    return slice;
  };

  const v1 = parse('big.sql', bigText());
  const s1 = check(v1, 'first slice');
  assert.ok(s1 && s1.json.includes('slice_in_body') && s1.json.includes('"creates"') && s1.json.includes('"owner"'), 'DDL in a body, a fallback CREATE and SELECT INTO are all in the slice');

  const s2 = check(parse('big.sql', bigText().replace('a.amount > 40', 'a.amount > 41 AND a.id = 1')), 'an edit outside the DDL');
  assert.equal(s2, s1, 'the same slice object: nothing it depends on changed');

  const s3 = check(parse('big.sql', `-- moved\n\n${bigText()}`), 'every statement moved down');
  assert.equal(s3, s1, 'the same slice object: ranges are not in a slice, so moving DDL changes nothing the store would write');
  assert.equal(s3?.json.includes('"line":2'), false);

  const s4 = check(parse('big.sql', `-- moved\n\n${bigText(', note TEXT')}`), 'a column added');
  assert.notEqual(s4?.signature, s3?.signature);

  check(parse('big.sql', bigText().replace('CREATE TABLE slice_weird (id INT) WITH (fillfactor = ) STRANGE ???;\n', '')), 'the fallback CREATE deleted');
  check(parse('other "statements":[] \\ path.sql', bigText()), 'a path that looks like the JSON around it');
  assert.equal(catalogSliceOf(parse('none.sql', 'SELECT 1;\nSELECT 2;\n')), undefined, 'no DDL, no slice');
});

test('slices of real files equal the slices from scratch', async () => {
  const backends = await defaultBackends();
  forgetCatalogSlices();
  for (const path of ['/work/shared/corpus/pg-pagila/pagila-schema.sql', '/work/shared/corpus/tsql-olahallengren/DatabaseBackup.sql', '/work/shared/corpus/tsql-olahallengren/CommandLog.sql']) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      continue; // the shared corpus is optional
    }
    const file = parseText(path, text, 'utf-8', { dialect: 'auto', backends });
    assert.deepEqual(catalogSliceOf(file), catalogSliceOfUncached(file), path);
    assert.deepEqual(catalogSliceOf(file), catalogSliceOfUncached(file), `${path}, again (kept pieces)`);
  }
});
