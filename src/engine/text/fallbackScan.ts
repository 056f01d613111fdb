import type { Dialect } from '../model/dialect.ts';
import type { FallbackRelations } from '../model/parsed.ts';
import type { NamePart, ObjectName } from '../model/statements.ts';
import { scanTokens, type ScanToken } from './scanTokens.ts';

/**
 * Recovers the relations of a statement no parser accepts, from tokens alone:
 * the (qualified) names after FROM, JOIN, INTO, UPDATE, DELETE, TRUNCATE,
 * CREATE/ALTER/DROP TABLE, CREATE VIEW/PROCEDURE/..., REFERENCES, MERGE …
 * USING and COPY. Lower confidence than a parse, but it never throws and is
 * linear in the statement length.
 */
export function scanRelations(statementText: string, dialect: Dialect): FallbackRelations {
  try {
    return new RelationScan(scanTokens(statementText, dialect), dialect).run();
  } catch {
    return { reads: [], writes: [], references: [], creates: [] };
  }
}

type CreateKind = FallbackRelations['creates'][number]['kind'];

/** Words that are never a bare relation name or alias: clause keywords and T-SQL statement starts. */
const RESERVED = new Set([
  'ALL', 'ALTER', 'AND', 'ANY', 'APPLY', 'AS', 'BEGIN', 'BETWEEN', 'BREAK', 'BY', 'CASE', 'CLOSE', 'COMMIT', 'CONNECT', 'CONTINUE',
  'CREATE', 'CROSS', 'DEALLOCATE', 'DECLARE', 'DEFAULT', 'DELETE', 'DENY', 'DISTINCT', 'DROP', 'ELSE', 'END', 'EXCEPT', 'EXEC',
  'EXECUTE', 'EXISTS', 'FETCH', 'FOR', 'FROM', 'FULL', 'GO', 'GOTO', 'GRANT', 'GROUP', 'HAVING', 'IF', 'IN', 'INNER', 'INSERT',
  'INTERSECT', 'INTO', 'IS', 'JOIN', 'LATERAL', 'LEFT', 'LIMIT', 'MERGE', 'MINUS', 'NATURAL', 'NOT', 'NULL', 'OF', 'OFFSET', 'ON',
  'ONLY', 'OPEN', 'OPTION', 'OR', 'ORDER', 'OUTER', 'PIVOT', 'PRINT', 'QUALIFY', 'RAISERROR', 'RETURN', 'RETURNING', 'REVOKE',
  'RIGHT', 'ROLLBACK', 'SELECT', 'SET', 'START', 'TABLE', 'TABLESAMPLE', 'THEN', 'THROW', 'TRUNCATE', 'UNION', 'UNNEST', 'UNPIVOT',
  'UPDATE', 'USE', 'USING', 'VALUES', 'WAITFOR', 'WHEN', 'WHERE', 'WHILE', 'WINDOW', 'WITH',
]);

/** After these, UPDATE/DELETE/INSERT is an event or privilege (`ON DELETE`, `BEFORE UPDATE`, `GRANT UPDATE`), not a statement. */
const NOT_A_DML_VERB_AFTER = new Set(['ON', 'FOR', 'KEY', 'BEFORE', 'AFTER', 'OR', 'OF', 'INSTEAD', 'GRANT', 'REVOKE', 'DENY']);
/** Functions whose arguments use FROM: `EXTRACT(YEAR FROM d)`, `SUBSTRING(s FROM 2)`. */
const FROM_FUNCTIONS = new Set(['EXTRACT', 'SUBSTRING', 'TRIM', 'OVERLAY', 'POSITION']);
/** FROM after these is not a relation: `IS DISTINCT FROM`, `FETCH NEXT FROM cursor`. */
const NOT_A_RELATION_AFTER = new Set(['DISTINCT', 'NEXT', 'PRIOR', 'FIRST', 'LAST']);
const CREATE_KINDS: ReadonlyMap<string, CreateKind> = new Map<string, CreateKind>([
  ['TABLE', 'table'],
  ['VIEW', 'view'],
  ['PROCEDURE', 'procedure'],
  ['PROC', 'procedure'],
  ['FUNCTION', 'function'],
  ['TRIGGER', 'trigger'],
  ['INDEX', 'index'],
  ['SEQUENCE', 'sequence'],
]);
/** `ALTER PROCEDURE p` (T-SQL's create-stub-then-alter idiom) still tells us p exists. */
const ALTER_DEFINES = new Set(['VIEW', 'PROCEDURE', 'PROC', 'FUNCTION', 'TRIGGER']);
const CREATE_WINDOW = 16;
/** Words that open a table constraint or option, not a column, inside CREATE TABLE ( … ). */
const TABLE_CONSTRAINT_WORDS = new Set(['CONSTRAINT', 'PRIMARY', 'FOREIGN', 'UNIQUE', 'CHECK', 'INDEX', 'KEY', 'EXCLUDE', 'LIKE', 'PERIOD', 'FULLTEXT', 'SPATIAL', 'CLUSTERED', 'NONCLUSTERED']);
const LOOKAHEAD_LIMIT = 1000;

class RelationScan {
  private readonly tokens: ScanToken[];
  private readonly dialect: Dialect;
  private readonly result: FallbackRelations = { reads: [], writes: [], references: [], creates: [] };
  private readonly seen = new Set<string>();
  private readonly cteNames: Set<string>;
  private lastVerb = '';
  /** FROM-clause aliases: `FROM dbo.Queue q` maps q to dbo.Queue, `FROM @t x` maps x to null (a variable). */
  private readonly aliases = new Map<string, ObjectName | null>();
  /** For each open parenthesis: does it belong to a function that uses FROM? */
  private readonly fromFunctionParens: boolean[] = [];

  constructor(tokens: ScanToken[], dialect: Dialect) {
    this.tokens = tokens;
    this.dialect = dialect;
    this.cteNames = this.collectCteNames();
  }

  run(): FallbackRelations {
    const { tokens } = this;
    let i = 0;
    while (i < tokens.length) {
      const next = this.step(i);
      i = next > i ? next : i + 1;
    }
    this.resolveAliasedTargets();
    return this.result;
  }

  /** SQL Server's `UPDATE q SET … FROM dbo.Queue q`: the written name is an alias. */
  private resolveAliasedTargets(): void {
    if (this.aliases.size === 0) return;
    const writes = this.result.writes;
    this.result.writes = [];
    this.seen.clear();
    for (const w of writes) {
      const only = w.name.length === 1 && (w.operation === 'update' || w.operation === 'delete') ? w.name[0] : undefined;
      const target = only ? this.aliases.get(nameKey(only)) : undefined;
      if (target === null) continue;
      this.addWrite(target ?? w.name, w.operation);
    }
  }

  private step(i: number): number {
    const t = this.at(i);
    if (t.kind === 'punct') {
      if (t.text === '(') this.fromFunctionParens.push(FROM_FUNCTIONS.has(this.at(i - 1).upper));
      else if (t.text === ')') this.fromFunctionParens.pop();
      else if (t.text === ';') this.lastVerb = '';
      return i + 1;
    }
    if (t.kind !== 'word') return i + 1;
    switch (t.upper) {
      case 'SELECT':
      case 'FETCH':
      case 'LOAD':
      case 'REVOKE':
        this.lastVerb = t.upper;
        return i + 1;
      case 'FROM':
        return this.from(i);
      case 'JOIN':
        return this.relations(i + 1, false);
      case 'INTO':
        return this.into(i);
      case 'INSERT':
        return this.insert(i);
      case 'REPLACE':
        if (this.isVerb(i)) this.lastVerb = 'INSERT';
        return i + 1;
      case 'UPDATE':
        return this.update(i);
      case 'DELETE':
        return this.delete(i);
      case 'TRUNCATE':
        return this.truncate(i);
      case 'MERGE':
        return this.merge(i);
      case 'USING':
        return this.lastVerb === 'MERGE' || this.lastVerb === 'DELETE' ? this.relations(i + 1, true) : i + 1;
      case 'CREATE':
        return this.create(i);
      case 'ALTER':
        return this.alter(i);
      case 'DROP':
        return this.drop(i);
      case 'REFERENCES': {
        const name = this.readName(i + 1);
        if (name) this.add('references', name.name);
        return name?.next ?? i + 1;
      }
      case 'COPY':
        return this.copy(i);
      default:
        return i + 1;
    }
  }

  // ---- statement shapes -------------------------------------------------------------------

  private from(i: number): number {
    const inFromFunction = this.fromFunctionParens[this.fromFunctionParens.length - 1] === true;
    if (inFromFunction || NOT_A_RELATION_AFTER.has(this.at(i - 1).upper)) return i + 1;
    if (this.lastVerb === 'COPY' || this.lastVerb === 'REVOKE') return i + 1;
    return this.relations(i + 1, true);
  }

  private into(i: number): number {
    const verb = this.lastVerb;
    // SELECT … INTO makes a table only in SQL Server; elsewhere it fills variables.
    if (verb === 'SELECT' && this.dialect !== 'transactsql') return i + 1;
    if (verb === '' || verb === 'FETCH') return i + 1;
    let k = i + 1;
    while (['TABLE', 'TEMP', 'TEMPORARY', 'UNLOGGED'].includes(this.at(k).upper)) k++;
    const operation = verb === 'SELECT' ? 'select into' : verb.toLowerCase();
    return this.target(k, operation);
  }

  private insert(i: number): number {
    if (!this.isVerb(i)) return i + 1;
    this.lastVerb = 'INSERT';
    let k = this.skipTop(i + 1);
    while (['IGNORE', 'LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'OVERWRITE', 'TABLE', 'ALL', 'FIRST'].includes(this.at(k).upper)) k++;
    if (this.at(k).upper === 'INTO') return k;
    return this.target(k, 'insert');
  }

  private update(i: number): number {
    if (!this.isVerb(i) || this.at(i + 1).upper === 'STATISTICS') return i + 1;
    this.lastVerb = 'UPDATE';
    let k = this.skipTop(i + 1);
    if (this.at(k).upper === 'ONLY') k++;
    return this.target(k, 'update');
  }

  private delete(i: number): number {
    if (!this.isVerb(i)) return i + 1;
    this.lastVerb = 'DELETE';
    let k = this.skipTop(i + 1);
    if (this.at(k).upper === 'FROM') k++;
    if (this.at(k).upper === 'ONLY') k++;
    return this.target(k, 'delete');
  }

  private truncate(i: number): number {
    let k = i + 1;
    if (this.at(k).upper === 'TABLE') k++;
    if (this.at(k).upper === 'ONLY') k++;
    k = this.skipIfExists(k);
    for (;;) {
      const name = this.readName(k);
      if (!name) return k;
      this.addWrite(name.name, 'truncate');
      k = name.next;
      if (this.at(k).text !== ',') return k;
      k++;
    }
  }

  private merge(i: number): number {
    if (!this.isVerb(i)) return i + 1;
    this.lastVerb = 'MERGE';
    const k = this.skipTop(i + 1);
    if (this.at(k).upper === 'INTO') return k;
    return this.target(k, 'merge');
  }

  private create(i: number): number {
    let kind: CreateKind | undefined;
    let materialized = false;
    let k = i + 1;
    for (const stop = Math.min(this.tokens.length, i + 1 + CREATE_WINDOW); k < stop; k++) {
      const t = this.at(k);
      if (t.kind === 'punct' && (t.text === '(' || t.text === ';')) return k;
      if (t.upper === 'MATERIALIZED') materialized = true;
      kind = CREATE_KINDS.get(t.upper);
      if (kind || t.upper === 'AS' || t.upper === 'ON' || t.upper === 'CREATE' || t.upper === 'SELECT') break;
    }
    if (!kind) return k;
    k++;
    if (kind === 'index' && this.at(k).upper === 'CONCURRENTLY') k++;
    k = this.skipIfExists(k);
    const name = this.readName(k);
    if (!name) return k;
    const columns = kind === 'table' ? this.tableColumns(name.next) : undefined;
    this.addCreate(kind === 'view' && materialized ? 'materialized_view' : kind, name.name, columns);
    return name.next;
  }

  /**
   * The column names of `CREATE TABLE t ( … )`: the first word of each item at
   * depth one that does not start a constraint. Bounded by the token count.
   */
  private tableColumns(k: number): NamePart[] | undefined {
    if (this.at(k).text !== '(') return undefined;
    const columns: NamePart[] = [];
    let depth = 0;
    let itemStart = true;
    for (let j = k; j < this.tokens.length; j++) {
      const t = this.at(j);
      if (t.kind === 'punct') {
        if (t.text === '(') depth++;
        else if (t.text === ')' && --depth === 0) break;
        else if (t.text === ',' && depth === 1) itemStart = true;
        continue;
      }
      if (itemStart && depth === 1) {
        itemStart = false;
        // MySQL's FULLTEXT/SPATIAL open an index only when KEY or INDEX follows; otherwise they name a column.
        const indexWord = (t.upper === 'FULLTEXT' || t.upper === 'SPATIAL') && !['KEY', 'INDEX'].includes(this.at(j + 1).upper);
        if ((t.kind === 'word' && (indexWord || !TABLE_CONSTRAINT_WORDS.has(t.upper))) || t.kind === 'quoted') columns.push({ value: t.text, quoted: t.kind === 'quoted' });
      }
    }
    return columns.length > 0 ? columns : undefined;
  }

  private alter(i: number): number {
    const what = this.at(i + 1).upper;
    if (what === 'TABLE') {
      let k = i + 2;
      if (this.at(k).upper === 'ONLY') k++;
      k = this.skipIfExists(k);
      return this.target(this.at(k).upper === 'ONLY' ? k + 1 : k, 'alter');
    }
    if (ALTER_DEFINES.has(what)) {
      const name = this.readName(i + 2);
      if (!name) return i + 2;
      this.addCreate(CREATE_KINDS.get(what) ?? 'procedure', name.name);
      return name.next;
    }
    return i + 1;
  }

  private drop(i: number): number {
    if (this.at(i + 1).upper !== 'TABLE') return i + 1;
    let k = this.skipIfExists(i + 2);
    for (;;) {
      const name = this.readName(k);
      if (!name) return k;
      this.addWrite(name.name, 'drop');
      k = name.next;
      if (this.at(k).text !== ',') return k;
      k++;
    }
  }

  /** `COPY t FROM ...` loads t (a write); `COPY t TO ...` reads it. */
  private copy(i: number): number {
    this.lastVerb = 'COPY';
    const name = this.readName(i + 1);
    if (!name) return i + 1;
    let k = name.next;
    if (this.at(k).text === '(') k = this.skipParens(k);
    const direction = this.at(k).upper;
    if (direction === 'FROM') this.addWrite(name.name, 'copy');
    else if (direction === 'TO') this.add('reads', name.name);
    return name.next;
  }

  // ---- names ---------------------------------------------------------------------------------

  /** A written relation at `k`; returns the index after it. */
  private target(k: number, operation: string): number {
    const name = this.readName(k);
    if (!name) return k;
    this.addWrite(name.name, operation);
    return name.next;
  }

  /** A list of read relations (`FROM a x, b AS y`), skipping subqueries and function calls. */
  private relations(start: number, list: boolean): number {
    let k = start;
    for (;;) {
      if (this.at(k).upper === 'ONLY') k++;
      const variable = this.at(k).kind === 'word' && this.at(k).text.startsWith('@');
      const name = variable ? { name: [part(this.at(k))], next: k + 1 } : this.readName(k);
      if (!name) return k;
      if (this.at(name.next).text === '(') return name.next; // a table function
      if (!variable && !this.isCte(name.name)) this.add('reads', name.name);
      k = this.skipAlias(name.next, variable ? null : name.name);
      if (!list || this.at(k).text !== ',') return k;
      k++;
    }
  }

  private readName(k: number): { name: ObjectName; next: number } | undefined {
    const first = this.at(k);
    if (!this.isNameStart(first)) return undefined;
    const name: NamePart[] = [part(first)];
    let j = k + 1;
    while (this.at(j).text === '.' && this.at(j).kind === 'punct') {
      // SQL Server `db..table` leaves the schema out.
      if (this.at(j + 1).text === '.' && this.at(j + 1).kind === 'punct') {
        j++;
        continue;
      }
      const next = this.at(j + 1);
      if (next.kind !== 'word' && next.kind !== 'quoted') break;
      name.push(part(next));
      j += 2;
    }
    return { name, next: j };
  }

  private isNameStart(t: ScanToken): boolean {
    if (t.kind === 'quoted') return t.text.length > 0;
    // `@table` variables are not relations; `#temp` tables are.
    return t.kind === 'word' && !RESERVED.has(t.upper) && !t.text.startsWith('@');
  }

  private skipAlias(k: number, of: ObjectName | null): number {
    let j = k;
    if (this.at(j).upper === 'AS') j++;
    if (this.isNameStart(this.at(j))) {
      this.aliases.set(nameKey(part(this.at(j))), of);
      j++;
    }
    // SQL Server table hints: `WITH (NOLOCK)`.
    if (this.at(j).upper === 'WITH' && this.at(j + 1).text === '(') j = this.skipParens(j + 1);
    return j;
  }

  private skipTop(k: number): number {
    if (this.at(k).upper !== 'TOP') return k;
    return this.at(k + 1).text === '(' ? this.skipParens(k + 1) : k + 2;
  }

  private skipIfExists(k: number): number {
    if (this.at(k).upper !== 'IF') return k;
    let j = k + 1;
    if (this.at(j).upper === 'NOT') j++;
    return this.at(j).upper === 'EXISTS' ? j + 1 : k;
  }

  /** Index after the parenthesis group opening at `k` (bounded, so repeated use stays linear). */
  private skipParens(k: number): number {
    let depth = 0;
    const stop = Math.min(this.tokens.length, k + LOOKAHEAD_LIMIT);
    for (let j = k; j < stop; j++) {
      const t = this.at(j);
      if (t.kind !== 'punct') continue;
      if (t.text === '(') depth++;
      else if (t.text === ')' && --depth === 0) return j + 1;
    }
    return k + 1;
  }

  /** A DML keyword that starts a statement, not `ON DELETE`, `BEFORE UPDATE`, `GRANT INSERT, UPDATE`. */
  private isVerb(i: number): boolean {
    const prev = this.at(i - 1);
    if (prev.kind === 'punct' && prev.text === ',') return false;
    if (NOT_A_DML_VERB_AFTER.has(prev.upper)) return false;
    return this.at(i + 1).text !== '(';
  }

  /** `WITH name AS (` and `, name (cols) AS (` declare CTEs: not relations. */
  private collectCteNames(): Set<string> {
    const names = new Set<string>();
    const { tokens } = this;
    for (let i = 1; i < tokens.length; i++) {
      const prev = this.at(i - 1);
      if (prev.upper !== 'WITH' && prev.upper !== 'RECURSIVE' && !(prev.kind === 'punct' && prev.text === ',')) continue;
      const t = this.at(i);
      if (t.kind !== 'word' && t.kind !== 'quoted') continue;
      let k = i + 1;
      if (this.at(k).text === '(' && this.at(k).kind === 'punct') k = this.skipParens(k);
      if (this.at(k).upper === 'AS' && this.at(k + 1).text === '(') names.add(nameKey(part(t)));
      else if (this.at(k).upper === 'AS' && ['MATERIALIZED', 'NOT'].includes(this.at(k + 1).upper)) names.add(nameKey(part(t)));
    }
    return names;
  }

  private isCte(name: ObjectName): boolean {
    const only = name.length === 1 ? name[0] : undefined;
    return only !== undefined && this.cteNames.has(nameKey(only));
  }

  // ---- results -------------------------------------------------------------------------------

  private add(list: 'reads' | 'references', name: ObjectName): void {
    const key = `${list}|${objectKey(name)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.result[list].push(name);
  }

  private addWrite(name: ObjectName, operation: string): void {
    const key = `writes|${operation}|${objectKey(name)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.result.writes.push({ name, operation });
  }

  private addCreate(kind: CreateKind, name: ObjectName, columns?: NamePart[]): void {
    const key = `creates|${kind}|${objectKey(name)}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.result.creates.push({ kind, name, ...(columns ? { columns } : {}) });
  }

  private at(k: number): ScanToken {
    return this.tokens[k] ?? NONE;
  }
}

const NONE: ScanToken = { kind: 'literal', text: '', upper: '' };

function part(t: ScanToken): NamePart {
  return { value: t.text, quoted: t.kind === 'quoted' };
}

function nameKey(p: NamePart): string {
  return p.quoted ? `"${p.value}` : p.value.toLowerCase();
}

function objectKey(name: ObjectName): string {
  return name.map((p) => `${p.quoted ? 'q' : 'u'}:${p.value}`).join('\u0000');
}
