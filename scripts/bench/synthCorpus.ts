/**
 * A seeded generator of realistic SQL workspaces for benchmarks and property
 * tests: schema files (tables with keys and foreign keys, indexes), views over
 * joins and CTEs, ETL scripts (INSERT … SELECT with CTEs, UPDATE … FROM,
 * DELETE) and PL/pgSQL functions. Files average about 4 KB.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32: small, fast and good enough for test data. */
  next(): number {
    let t = (this.state += 0x6d2b79f5);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

const NOUNS = ['customer', 'order', 'invoice', 'product', 'supplier', 'shipment', 'payment', 'account', 'region', 'store', 'employee', 'campaign', 'ticket', 'session', 'device', 'contract', 'warehouse', 'refund', 'review', 'coupon'];
const COLUMN_WORDS = ['name', 'status', 'amount', 'created_at', 'updated_at', 'code', 'description', 'quantity', 'price', 'category', 'email', 'country', 'score', 'channel', 'due_date', 'discount', 'currency', 'notes', 'priority', 'source'];
const SCHEMAS = ['sales', 'ops', 'finance', 'marketing'];

interface TableSpec {
  schema: string;
  name: string;
  columns: string[];
  fk?: { column: string; ref: TableSpec };
}

export interface SynthOptions {
  files: number;
  seed: number;
  /** How many distinct tables the workspace has (default files / 4). */
  tables?: number;
}

export interface SynthFile {
  path: string;
  text: string;
}

export function generateTables(rng: Prng, count: number): TableSpec[] {
  const tables: TableSpec[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${rng.pick(NOUNS)}_${rng.pick(NOUNS)}_${i}`;
    const columns = [`${name}_id`];
    const n = rng.int(6, 14);
    for (let c = 0; c < n; c++) {
      const col = `${rng.pick(COLUMN_WORDS)}_${c}`;
      if (!columns.includes(col)) columns.push(col);
    }
    const table: TableSpec = { schema: rng.pick(SCHEMAS), name, columns };
    if (tables.length > 0 && rng.next() < 0.7) {
      const ref = rng.pick(tables);
      const column = `${ref.name}_id`;
      table.columns.push(column);
      table.fk = { column, ref };
    }
    tables.push(table);
  }
  return tables;
}

function ddl(t: TableSpec): string {
  const cols = t.columns.map((c, i) => `    ${c.padEnd(28)} ${i === 0 ? 'bigint NOT NULL' : c.endsWith('_id') ? 'bigint' : c.includes('at') || c.includes('date') ? 'timestamptz' : c.includes('amount') || c.includes('price') ? 'numeric(12,2)' : 'text'}`);
  const constraints = [`    CONSTRAINT ${t.name}_pkey PRIMARY KEY (${t.columns[0]})`];
  if (t.fk) constraints.push(`    CONSTRAINT ${t.name}_${t.fk.column}_fkey FOREIGN KEY (${t.fk.column}) REFERENCES ${t.fk.ref.schema}.${t.fk.ref.name} (${t.fk.column})`);
  return `-- ${t.name}: one row per ${t.name.split('_')[0]}.\nCREATE TABLE ${t.schema}.${t.name} (\n${[...cols, ...constraints].join(',\n')}\n);\n\nCREATE INDEX ${t.name}_${t.columns[1]}_idx ON ${t.schema}.${t.name} (${t.columns[1]});\n\n`;
}

function view(rng: Prng, a: TableSpec, b: TableSpec, n: number): string {
  const ac = a.columns.slice(1, 5).map((c) => `a.${c}`);
  const bc = b.columns.slice(1, 4).map((c) => `b.${c} AS b_${c}`);
  return `CREATE OR REPLACE VIEW ${a.schema}.v_${a.name}_${n} AS
WITH recent AS (
    SELECT ${a.columns[0]}, ${a.columns.slice(1, 5).join(', ')}
    FROM ${a.schema}.${a.name}
    WHERE ${a.columns[1]} IS NOT NULL
)
SELECT
    a.${a.columns[0]},
    ${ac.join(',\n    ')},
    ${bc.join(',\n    ')},
    count(*) OVER (PARTITION BY a.${a.columns[1]}) AS peers
FROM recent a
LEFT JOIN ${b.schema}.${b.name} b ON b.${b.columns[0]} = a.${a.columns[0]}
WHERE a.${a.columns[2]} <> '${rng.pick(COLUMN_WORDS)}';

`;
}

function etl(rng: Prng, target: TableSpec, source: TableSpec): string {
  const cols = target.columns.slice(1, Math.min(target.columns.length, 6));
  const srcCols = source.columns.slice(1, 1 + cols.length);
  while (srcCols.length < cols.length) srcCols.push(source.columns[0] ?? 'id');
  return `WITH staged AS (
    SELECT ${source.columns[0]}, ${srcCols.join(', ')}
    FROM ${source.schema}.${source.name}
    WHERE ${source.columns[1]} IS NOT NULL
), ranked AS (
    SELECT s.*, row_number() OVER (PARTITION BY s.${source.columns[0]} ORDER BY s.${srcCols[0]}) AS rn
    FROM staged s
)
INSERT INTO ${target.schema}.${target.name} (${cols.join(', ')})
SELECT ${srcCols.map((c) => `r.${c}`).join(', ')}
FROM ranked r
WHERE r.rn = 1;

UPDATE ${target.schema}.${target.name} t
SET ${cols[0]} = s.${srcCols[0]}
FROM ${source.schema}.${source.name} s
WHERE s.${source.columns[0]} = t.${target.columns[0]}
  AND t.${cols[cols.length - 1]} IS NULL;

DELETE FROM ${target.schema}.${target.name} WHERE ${cols[0]} IS NULL AND ${target.columns[0]} < ${rng.int(1, 100000)};

`;
}

function routine(rng: Prng, target: TableSpec, source: TableSpec, n: number): string {
  return `CREATE OR REPLACE FUNCTION ${target.schema}.refresh_${target.name}_${n}(p_since timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_rows integer;
BEGIN
    DELETE FROM ${target.schema}.${target.name} WHERE ${target.columns[1]} IS NULL;
    INSERT INTO ${target.schema}.${target.name} (${target.columns[0]}, ${target.columns[1]})
    SELECT ${source.columns[0]}, ${source.columns[1]}
    FROM ${source.schema}.${source.name}
    WHERE ${source.columns[2]} IS NOT NULL;
    GET DIAGNOSTICS v_rows = ROW_COUNT;
    RETURN v_rows;
END;
$$;

-- refresh cadence: ${rng.int(1, 24)}h
`;
}

/** Generates the files in memory; deterministic for a given seed. */
export function generateCorpus(options: SynthOptions): SynthFile[] {
  const rng = new Prng(options.seed);
  const tables = generateTables(rng, options.tables ?? Math.max(8, Math.floor(options.files / 4)));
  const files: SynthFile[] = [];
  for (let i = 0; i < options.files; i++) {
    const kind = i % 4;
    const parts: string[] = [];
    let bytes = 0;
    const target = rng.int(3000, 5200);
    let n = 0;
    while (bytes < target) {
      const a = rng.pick(tables);
      const b = rng.pick(tables);
      const part = kind === 0 ? ddl(tables[(i * 3 + n) % tables.length] ?? a) : kind === 1 ? view(rng, a, b, i * 10 + n) : kind === 2 ? etl(rng, a, b) : routine(rng, a, b, i * 10 + n);
      parts.push(part);
      bytes += part.length;
      n++;
    }
    const folder = ['schema', 'views', 'etl', 'routines'][kind] ?? 'misc';
    files.push({ path: `${folder}/${String(Math.floor(i / 100)).padStart(3, '0')}/file_${String(i).padStart(5, '0')}.sql`, text: parts.join('') });
  }
  return files;
}

export function writeCorpus(dir: string, files: SynthFile[]): number {
  let bytes = 0;
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, f.text);
    bytes += Buffer.byteLength(f.text);
  }
  return bytes;
}
