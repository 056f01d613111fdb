import { Prng } from '../../scripts/bench/synthCorpus.ts';

const TABLES = ['accounts', 'orders', 'items', 'payments', 'users', 'events', 'regions', 'stores'];
const COLUMNS = ['id', 'name', 'amount', 'status', 'created_at', 'region_id', 'user_id', 'code'];

/**
 * Small random SQL files whose meaning depends on each other: tables defined
 * in one file, read unqualified in another, so a change to one file's DDL
 * changes how others resolve. Sometimes a broken statement.
 */
export function randomSqlFile(rng: Prng): string {
  const parts: string[] = [];
  const n = rng.int(1, 4);
  for (let i = 0; i < n; i++) {
    const t = rng.pick(TABLES);
    const u = rng.pick(TABLES);
    const cols = COLUMNS.filter(() => rng.next() < 0.5);
    if (cols.length === 0) cols.push('id');
    switch (rng.int(0, 5)) {
      case 0:
        parts.push(`CREATE TABLE ${t} (${cols.map((c) => `${c} integer`).join(', ')});`);
        break;
      case 1:
        parts.push(`CREATE VIEW v_${t}_${rng.int(0, 3)} AS SELECT a.${rng.pick(cols)}, ${rng.pick(COLUMNS)} FROM ${t} a JOIN ${u} b ON a.id = b.${rng.pick(COLUMNS)};`);
        break;
      case 2:
        parts.push(`INSERT INTO ${t} (${cols.join(', ')}) SELECT ${cols.map(() => rng.pick(COLUMNS)).join(', ')} FROM ${u} WHERE ${rng.pick(COLUMNS)} > ${rng.int(0, 9)};`);
        break;
      case 3:
        parts.push(`WITH c AS (SELECT ${rng.pick(COLUMNS)} FROM ${t}) SELECT * FROM c, ${u} WHERE ${rng.pick(COLUMNS)} = 1;`);
        break;
      case 4:
        parts.push(`ALTER TABLE ${t} ADD COLUMN ${rng.pick(COLUMNS)}_${rng.int(0, 2)} text;`);
        break;
      default:
        parts.push(`SELEC ${rng.pick(COLUMNS)} FROM ${t} WHERE;`);
    }
  }
  return `${parts.join('\n')}\n`;
}
