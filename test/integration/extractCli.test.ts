import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Writable } from 'node:stream';
import { runCli } from '../../src/cli/run.ts';
import type { ExtractionResult } from '../../src/engine/extract/extractFiles.ts';
import { REPO_ROOT } from '../../scripts/accuracy/corpus.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function extractJson(...args: string[]): Promise<ExtractionResult> {
  const out = capture();
  const err = capture();
  const code = await runCli(['extract', '--json', ...args], { out: out.stream, err: err.stream });
  assert.equal(code, 0, err.text());
  return JSON.parse(out.text()) as ExtractionResult;
}

const sample = join(REPO_ROOT, 'samples', 'workspace');

test('extract --json on the sample workspace keeps the documented shape', async () => {
  const result = await extractJson(sample);
  assert.deepEqual(Object.keys(result).sort(), ['entities', 'files', 'relationships']);
  const file = result.files[0];
  assert.ok(file);
  for (const key of ['path', 'dialect', 'statements', 'parsed', 'fallback', 'diagnostics']) assert.ok(key in file, key);
  const entity = result.entities[0];
  assert.ok(entity);
  for (const key of ['key', 'kind', 'name', 'file', 'range']) assert.ok(key in entity, key);
  const rel = result.relationships[0];
  assert.ok(rel);
  for (const key of ['type', 'from', 'to', 'file', 'range', 'confidence']) assert.ok(key in rel, key);
});

test('the sample workspace yields its tables, lineage, routine writes, dbt edges and one broken statement', async () => {
  const result = await extractJson(sample);
  const byKey = new Map(result.entities.map((e) => [e.key, e]));
  const name = (key: string): string => {
    const e = byKey.get(key);
    return e ? `${e.schema ? `${e.schema}.` : ''}${e.name}` : key;
  };
  const has = (type: string, from: string, to: string): boolean =>
    result.relationships.some((r) => r.type === type && name(r.from) === from && name(r.to) === to);

  const tables = result.entities.filter((e) => e.kind === 'table' && e.defined).map((e) => `${e.schema}.${e.name}`).sort();
  assert.deepEqual(tables, ['shop.customers', 'shop.daily_revenue', 'shop.order_lines', 'shop.orders', 'shop.products']);
  assert.ok(has('DEPENDS_ON', 'shop.order_totals', 'shop.order_lines'));
  assert.ok(has('DEPENDS_ON', 'shop.customer_value', 'shop.order_totals'));
  assert.ok(!result.entities.some((e) => e.name === 'line_amounts'), 'a CTE is never an entity');
  assert.ok(has('REFERENCES', 'shop.orders', 'shop.customers'));
  assert.ok(has('WRITES_TO', 'shop.refresh_daily_revenue', 'shop.daily_revenue'));
  // dbt models live in the dialect's default schema (PostgreSQL here: public).
  assert.ok(has('DEPENDS_ON', 'public.customer_orders', 'public.stg_orders'));
  assert.ok(has('DEPENDS_ON', 'public.stg_orders', 'shop.orders'), 'source() resolves to its schema.table');
  assert.ok(!result.relationships.some((r) => r.type === 'READS_FROM' && name(r.from) === 'public.customer_orders' && byKey.get(r.to)?.name === 'orders'), 'the CTE named orders is not a relation');

  const broken = result.files.find((f) => f.path.endsWith('broken.sql'));
  assert.equal(broken?.statements, 3);
  assert.equal(broken?.parsed, 2);
  const diag = broken?.diagnostics.find((d) => d.severity !== 'info');
  assert.equal(diag?.range.start.line, 3);
});

test('usage errors exit with 2 and a clear message', async () => {
  const err = capture();
  const code = await runCli(['extract', '--dialect', 'klingon', sample], { out: capture().stream, err: err.stream });
  assert.equal(code, 2);
  assert.match(err.text(), /unknown dialect 'klingon'/);
  const missing = capture();
  assert.equal(await runCli(['extract', '/no/such/folder'], { out: capture().stream, err: missing.stream }), 2);
  assert.match(missing.text(), /no such file or folder/);
});
