import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bulkHeapGrowthActive, limitHeapGrowth, withBulkHeapGrowth } from '../../src/engine/runtime/heapGrowth.ts';

// node:test runs each file in its own process: the flags set here stay here.
test('bulk work is tight only in a process that limits heap growth, until the last bulk work ends', async () => {
  await withBulkHeapGrowth(async () => assert.equal(bulkHeapGrowthActive(), false, 'no effect before limitHeapGrowth'));
  limitHeapGrowth();
  assert.equal(bulkHeapGrowthActive(), false);
  let release = (): void => undefined;
  const long = withBulkHeapGrowth(() => new Promise<void>((resolve) => (release = resolve)));
  await withBulkHeapGrowth(async () => assert.equal(bulkHeapGrowthActive(), true));
  assert.equal(bulkHeapGrowthActive(), true, 'the longer ingest still runs');
  release();
  await long;
  assert.equal(bulkHeapGrowthActive(), false);
  await assert.rejects(withBulkHeapGrowth(() => Promise.reject(new Error('ingest failed'))), /ingest failed/);
  assert.equal(bulkHeapGrowthActive(), false, 'a failed ingest restores the editing factor');
});
