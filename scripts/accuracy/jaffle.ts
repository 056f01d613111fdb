import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFiles } from '../../src/engine/extract/extractFiles.ts';
import { discoverSqlFiles } from '../../src/engine/fs/discover.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { compareSets, GraphView, type PrecisionRecall } from './graphView.ts';

interface DbtTruth {
  projects: Record<string, { nodes: Record<string, { file: string; refs: string[]; sources: string[] }> }>;
}

export interface JaffleScore {
  /** model DEPENDS_ON edges against the ref/source ground truth */
  dependsOn: PrecisionRecall;
  /** relation-level READS_FROM edges of the models: CTE names must never appear */
  readsFrom: PrecisionRecall;
}

export function scoreJaffle(corpus: string, backends: readonly ParserBackend[]): JaffleScore {
  const root = join(corpus, 'dbt-jaffle-shop-classic');
  const truth = JSON.parse(readFileSync(join(root, 'ground_truth_dbt_refs.json'), 'utf8')) as DbtTruth;
  const expected: string[] = [];
  for (const project of Object.values(truth.projects)) {
    for (const [model, node] of Object.entries(project.nodes)) {
      for (const ref of node.refs) expected.push(`${model}->${ref}`);
      for (const source of node.sources) expected.push(`${model}->${source}`);
    }
  }
  const { result } = extractFiles(discoverSqlFiles([join(root, 'models')]), { dialect: 'auto', backends, root });
  const view = new GraphView(result);
  const edges = (type: 'DEPENDS_ON' | 'READS_FROM'): string[] =>
    view
      .relationships((r) => r.type === type && view.byKey.get(r.from)?.kind === 'dbt_model' && view.isRelation(r.to))
      .map((r) => {
        const from = view.relationName(r.from);
        const to = view.byKey.get(r.to);
        const qualified = `${from}->${to?.schema ? `${to.schema}.` : ''}${to?.name ?? r.to}`.toLowerCase();
        return expected.includes(qualified) ? qualified : `${from}->${view.relationName(r.to)}`;
      });
  return { dependsOn: compareSets(expected, edges('DEPENDS_ON')), readsFrom: compareSets(expected, edges('READS_FROM')) };
}
