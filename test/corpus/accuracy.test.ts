import assert from 'node:assert/strict';
import { test } from 'node:test';
import { corpusRoot } from '../../scripts/accuracy/corpus.ts';
import { scoreJaffle } from '../../scripts/accuracy/jaffle.ts';
import { scorePagila } from '../../scripts/accuracy/pagila.ts';
import { scoreTpch } from '../../scripts/accuracy/tpch.ts';
import { requireCorpus } from '../helpers/corpus.ts';
import { defaultBackends } from '../helpers/engine.ts';

test('TPC-H: every query reads exactly its tables; columns ≥ 95% recall and precision', async (t) => {
  if (!requireCorpus(t)) return;
  const score = scoreTpch(corpusRoot(), await defaultBackends());
  assert.equal(score.queries.length, 22);
  for (const q of score.queries) {
    assert.deepEqual({ query: q.query, missing: q.tables.missing, extra: q.tables.extra }, { query: q.query, missing: [], extra: [] });
  }
  assert.ok(score.columns.recall >= 0.95, `column recall ${score.columns.recall}: missing ${score.columns.missing.join(', ')}`);
  assert.ok(score.columns.precision >= 0.95, `column precision ${score.columns.precision}: extra ${score.columns.extra.join(', ')}`);
});

test('pagila: 71/71 tables, 37/37 foreign keys, all views with their dependencies', async (t) => {
  if (!requireCorpus(t)) return;
  const score = scorePagila(corpusRoot(), await defaultBackends());
  assert.deepEqual(score.tables.missing, []);
  assert.equal(score.tables.truePositives, 71);
  assert.deepEqual(score.foreignKeys.missing, []);
  assert.equal(score.foreignKeys.truePositives, 37);
  assert.deepEqual(score.views.missing, []);
  assert.deepEqual(score.views.extra, []);
  assert.deepEqual(score.viewsWithoutDependencies, []);
  assert.deepEqual(score.dependenciesOnUnknownRelations, []);
});

test('jaffle_shop: every ref and source edge, nothing extra', async (t) => {
  if (!requireCorpus(t)) return;
  const score = scoreJaffle(corpusRoot(), await defaultBackends());
  assert.deepEqual({ missing: score.dependsOn.missing, extra: score.dependsOn.extra }, { missing: [], extra: [] });
  assert.deepEqual({ missing: score.readsFrom.missing, extra: score.readsFrom.extra }, { missing: [], extra: [] });
});
