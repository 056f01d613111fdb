import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { dbtModelName, isTemplatePlaceholder, renderTemplate } from '../../src/engine/text/templating.ts';

const lineBreaks = (s: string): number[] => [...s].flatMap((c, i) => (c === '\n' || c === '\r' ? [i] : []));

function render(text: string): ReturnType<typeof renderTemplate> {
  const r = renderTemplate(text);
  assert.equal(r.text.length, text.length, 'same length');
  assert.deepEqual(lineBreaks(r.text), lineBreaks(text), 'line breaks unmoved');
  return r;
}

/** The expected rendering: each [tag, replacement-at-offset, filler] swapped in place. */
function expected(sql: string, swaps: [tag: string, lead: string, word: string, fill: string][]): string {
  let out = sql;
  for (const [tag, lead, word, fill] of swaps) {
    const replacement = (lead + word).padEnd(tag.length, fill);
    out = out.replace(tag, replacement);
  }
  return out;
}

test('ref and source become relation names at the call offset', () => {
  const tags = ["{{ ref('orders') }}", '{{ ref("pkg", "items", v=2) }}', "{{ source('raw','pay') }}"];
  const sql = `select * from ${tags[0]} o join ${tags[1]} i on 1=1 join ${tags[2]} p on 1=1`;
  const r = render(sql);
  assert.equal(r.text, expected(sql, [[tags[0]!, '   ', 'orders', ' '], [tags[1]!, '   ', 'items', ' '], [tags[2]!, '   ', 'raw.pay', ' ']]));
  const span = (call: string): { start: number; end: number } => ({ start: sql.indexOf(call), end: sql.indexOf(call) + call.length });
  assert.deepEqual(r.refs, [
    { name: 'orders', ...span("ref('orders')") },
    { name: 'items', package: 'pkg', ...span('ref("pkg", "items", v=2)') },
  ]);
  assert.deepEqual(r.sources, [{ source: 'raw', table: 'pay', ...span("source('raw','pay')") }]);
  assert.equal(r.refs[0]?.start, 17);
  assert.equal(r.text.slice(17, 23), 'orders');
  assert.equal(r.templated, true);
});

test('blocks, comments and config become spaces; refs inside them still count', () => {
  const sql = "{{ config(materialized='table') }}\n{% set x = ref('a') %}\n{# {{ ref('b') }} #}\nselect 1";
  const r = render(sql);
  assert.equal(r.text.trim(), 'select 1');
  assert.deepEqual(r.refs.map((x) => x.name), ['a', 'b']);
});

test('other expressions: NULL in expressions, underscores where a name goes or is glued', () => {
  const sql = "select {{ var('x') }} as a, '{{ m }}' as b, {{ n }}_amount, s.{{ c }} from {{ this }} where y = {{ v }}";
  const r = render(sql);
  assert.equal(
    r.text,
    expected(sql, [
      ["{{ var('x') }}", '', 'NULL', ' '],
      ['{{ m }}', '', 'NULL', ' '],
      ['{{ n }}', '', '', '_'],
      ['{{ c }}', '', '', '_'],
      ['{{ this }}', '', '', '_'],
      ['{{ v }}', '', 'NULL', ' '],
    ]),
  );
  assert.match(r.text, / ________amount, s\._______ from __________ where y = NULL   $/);
  assert.ok(isTemplatePlaceholder('__________'));
  assert.ok(!isTemplatePlaceholder('_a'));
});

test('dynamic refs are not counted; an unclosed tag is left alone', () => {
  const r = render("select * from {{ ref(model_name) }} {{ ref('a' ~ 'b') }} {{ oops");
  assert.deepEqual(r.refs, []);
  assert.ok(r.text.endsWith('{{ oops'));
});

test('%NAME% placeholders outside quotes and comments', () => {
  const r = render("SELECT * FROM %TABLE_PREFIX%users WHERE n LIKE '%abc%' -- %x%\n AND 5 % 3 = 2");
  assert.equal(r.text, "SELECT * FROM _TABLE_PREFIX_users WHERE n LIKE '%abc%' -- %x%\n AND 5 % 3 = 2");
  assert.equal(r.templated, false);
});

test('plain SQL is untouched (PostgreSQL array literals are not Jinja)', () => {
  const sql = "SELECT '{{1,2},{3,4}}'::int[][], '{%s}' FROM t;";
  const r = render(sql);
  assert.equal(r.text, sql);
  assert.equal(r.templated, false);
});

test('jaffle_shop: refs equal the ground truth for every model', () => {
  const root = '/work/shared/corpus/dbt-jaffle-shop-classic';
  const truth = JSON.parse(readFileSync(`${root}/ground_truth_dbt_refs.json`, 'utf8')) as {
    projects: Record<string, { nodes: Record<string, { file: string; refs: string[]; sources: string[] }> }>;
  };
  const nodes = Object.entries(truth.projects['.']?.nodes ?? {});
  assert.equal(nodes.length, 5);
  for (const [model, node] of nodes) {
    const r = render(readFileSync(`${root}/${node.file}`, 'utf8'));
    assert.equal(dbtModelName(node.file), model);
    assert.equal(r.templated, true);
    assert.deepEqual([...new Set(r.refs.map((x) => x.name))].sort(), [...node.refs].sort(), node.file);
    assert.deepEqual(r.sources, []);
    assert.doesNotMatch(r.text, /\{\{|\{%|\{#/);
  }
});

test('dbtModelName', () => {
  assert.equal(dbtModelName('proj/models/staging/stg_orders.sql'), 'stg_orders');
  assert.equal(dbtModelName('C:\\proj\\snapshots\\snap.sql'), 'snap');
  assert.equal(dbtModelName('proj/macros/x.sql'), undefined);
  assert.equal(dbtModelName('models.sql'), undefined);
  assert.equal(dbtModelName('proj/models/readme.md'), undefined);
});

test('pathological input stays fast', () => {
  for (const input of ['{{ '.repeat(200_000), '{% a %}'.repeat(200_000), '%a'.repeat(500_000), "{{ ref('".repeat(100_000) + '}}']) {
    const started = performance.now();
    renderTemplate(input);
    assert.ok(performance.now() - started < 10_000); // a hang detector, not a benchmark
  }
});
