import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { extractFiles } from '../../src/engine/extract/extractFiles.ts';
import type { ParserBackend } from '../../src/engine/parse/backend.ts';
import { REPO_ROOT } from './corpus.ts';
import { addUp, compareSets, GraphView, type PrecisionRecall } from './graphView.ts';

interface TpchTruth {
  file: string;
  tables_read: string[];
  columns_read: Record<string, string[]>;
}

export interface TpchScore {
  queries: { query: string; tables: PrecisionRecall; columns: PrecisionRecall }[];
  tables: PrecisionRecall;
  columns: PrecisionRecall;
}

/** Scores tables and columns read per TPC-H query, with the spec's DDL in the same input set. */
export function scoreTpch(corpus: string, backends: readonly ParserBackend[]): TpchScore {
  const truth = JSON.parse(readFileSync(join(corpus, 'tpch', 'ground_truth.json'), 'utf8')) as Record<string, TpchTruth>;
  const entries = Object.entries(truth).filter(([k]) => k !== '_about');
  const ddl = join(REPO_ROOT, 'test', 'fixtures', 'tpch', 'tpch-ddl.sql');
  const root = join(corpus, 'tpch');
  const paths = [ddl, ...entries.map(([, t]) => join(root, t.file))];
  const { result } = extractFiles(paths, { dialect: 'auto', backends, root });
  const view = new GraphView(result);

  const queries = entries.map(([query, t]) => {
    const reads = view.relationships((r) => r.type === 'READS_FROM' && r.file === t.file);
    const tables = reads.filter((r) => view.isRelation(r.to)).map((r) => view.relationName(r.to));
    const columns = reads.flatMap((r) => {
      const c = view.columnOf(r.to);
      return c ? [`${c[0]}.${c[1]}`] : [];
    });
    const expectedColumns = Object.entries(t.columns_read).flatMap(([table, cols]) => cols.map((c) => `${table}.${c}`));
    return { query, tables: compareSets(t.tables_read, tables), columns: compareSets(expectedColumns, columns) };
  });
  return { queries, tables: addUp(queries.map((q) => q.tables)), columns: addUp(queries.map((q) => q.columns)) };
}
