import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFiles } from '../../src/engine/extract/extractFiles.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { compareSets, GraphView, type PrecisionRecall } from './graphView.ts';

interface PagilaTruth {
  tables: Record<string, { columns: string[] }>;
  foreign_keys: { constraint: string; table: string; columns: string[]; ref_table: string; ref_columns: string[] }[];
  views: string[];
}

export interface PagilaScore {
  tables: PrecisionRecall;
  columns: PrecisionRecall;
  foreignKeys: PrecisionRecall;
  views: PrecisionRecall;
  /** Each view's DEPENDS_ON targets; a view without any fails the check. */
  viewDependencies: Record<string, string[]>;
  viewsWithoutDependencies: string[];
  dependenciesOnUnknownRelations: string[];
}

const FILE = 'pagila-schema.sql';

export function scorePagila(corpus: string, backends: readonly ParserBackend[]): PagilaScore {
  const root = join(corpus, 'pg-pagila');
  const truth = JSON.parse(readFileSync(join(root, 'ground_truth_schema.json'), 'utf8')) as PagilaTruth;
  const { result } = extractFiles([join(root, FILE)], { dialect: 'auto', backends, root });
  const view = new GraphView(result);
  const qualified = (key: string): string => {
    const e = view.byKey.get(key);
    return e ? `${e.schema ? `${e.schema}.` : ''}${e.name}`.toLowerCase() : key;
  };

  const defined = result.entities.filter((e) => e.defined && e.file === FILE);
  const tables = defined.filter((e) => e.kind === 'table');
  const columns = defined.filter((e) => e.kind === 'column' && e.parent && view.byKey.get(e.parent)?.kind === 'table');

  const fkGroups = new Map<string, { table: string; ref: string; pairs: string[] }>();
  for (const r of view.relationships((r) => r.type === 'REFERENCES' && view.byKey.get(r.from)?.kind === 'column')) {
    const from = view.byKey.get(r.from);
    const to = view.byKey.get(r.to);
    if (!from?.parent || !to?.parent) continue;
    const id = `${r.range.start.line}:${r.range.start.character}|${from.parent}|${to.parent}`;
    let group = fkGroups.get(id);
    if (!group) fkGroups.set(id, (group = { table: qualified(from.parent), ref: qualified(to.parent), pairs: [] }));
    group.pairs.push(`${from.name.toLowerCase()}=${to.name.toLowerCase()}`);
  }
  const fkString = (table: string, ref: string, pairs: string[]): string => `${table}->${ref}(${[...pairs].sort().join(',')})`;
  const foundFks = [...fkGroups.values()].map((g) => fkString(g.table, g.ref, g.pairs));
  const expectedFks = truth.foreign_keys.map((fk) =>
    fkString(fk.table, fk.ref_table, fk.columns.map((c, i) => `${c}=${fk.ref_columns[i] ?? ''}`)),
  );

  const views = defined.filter((e) => e.kind === 'view' || e.kind === 'materialized_view');
  const viewDependencies: Record<string, string[]> = {};
  const unknown: string[] = [];
  for (const v of views) {
    const deps = view.relationships((r) => r.type === 'DEPENDS_ON' && r.from === v.key).map((r) => r.to);
    viewDependencies[qualified(v.key)] = [...new Set(deps.map(qualified))].sort();
    for (const d of deps) if (!view.byKey.get(d)?.defined) unknown.push(`${qualified(v.key)} -> ${qualified(d)}`);
  }

  return {
    tables: compareSets(Object.keys(truth.tables), tables.map((t) => qualified(t.key))),
    columns: compareSets(
      Object.entries(truth.tables).flatMap(([t, { columns }]) => columns.map((c) => `${t}.${c}`)),
      columns.map((c) => `${qualified(c.parent ?? '')}.${c.name.toLowerCase()}`),
    ),
    foreignKeys: compareSets(expectedFks, foundFks),
    views: compareSets(truth.views, views.map((v) => `${v.kind === 'materialized_view' ? 'materialized ' : ''}${qualified(v.key)}`)),
    viewDependencies,
    viewsWithoutDependencies: Object.entries(viewDependencies).filter(([, d]) => d.length === 0).map(([v]) => v),
    dependenciesOnUnknownRelations: unknown,
  };
}
