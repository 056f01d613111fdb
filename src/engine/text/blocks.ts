import type { Dialect } from '../model/dialect.ts';

/**
 * The nesting the splitter tracks so that `;` inside a routine body or
 * BEGIN…END block does not end the statement. Kept as a flat stack of frames
 * (never recursion); a plain END closes up to the nearest CASE or BEGIN, so a
 * mis-guessed IF/LOOP frame cannot swallow the rest of the file.
 */
export type BlockFrame = 'begin' | 'declare' | 'case' | 'if' | 'loop' | 'while' | 'repeat';

/**
 * How a routine definition ends:
 * - `batch-end`: SQL Server, where a procedure body runs to the next GO;
 * - `slash`: Oracle packages, which end at a `/` line;
 * - `blocks`: Oracle procedures/functions/triggers, which end at the `;` after
 *   the END matching their body (their declaration section may hold `;`).
 */
export interface RoutineMode {
  until: 'batch-end' | 'slash' | 'blocks';
  frame?: BlockFrame;
}

const TSQL_ROUTINES = new Set(['PROC', 'PROCEDURE', 'FUNCTION', 'TRIGGER']);
const ORACLE_ROUTINES = new Set(['PROCEDURE', 'FUNCTION', 'TRIGGER']);

/** Decides from the leading words of a statement (upper case) whether it defines a routine. */
export function routineModeFor(dialect: Dialect, lead: readonly string[]): RoutineMode | undefined {
  const last = lead.length - 1;
  if (dialect === 'transactsql') {
    if (lead[0] !== 'CREATE' && lead[0] !== 'ALTER') return undefined;
    const kindAt = lead[1] === 'OR' && lead[2] === 'ALTER' ? 3 : 1;
    return last === kindAt && TSQL_ROUTINES.has(lead[kindAt] ?? '') ? { until: 'batch-end' } : undefined;
  }
  if (dialect === 'oracle') {
    if (lead[0] !== 'CREATE') return undefined;
    let kindAt = lead[1] === 'OR' && lead[2] === 'REPLACE' ? 3 : 1;
    if (lead[kindAt] === 'EDITIONABLE' || lead[kindAt] === 'NONEDITIONABLE') kindAt++;
    const kind = lead[kindAt];
    if (last === kindAt && ORACLE_ROUTINES.has(kind ?? '')) return { until: 'blocks', frame: 'declare' };
    if (last === kindAt && kind === 'PACKAGE') return { until: 'slash' };
    if (last === kindAt + 1 && kind === 'TYPE' && lead[last] === 'BODY') return { until: 'slash' };
  }
  return undefined;
}

/** Words after BEGIN that make it a transaction statement (or a column name), not a block. */
const NOT_A_BLOCK_AFTER_BEGIN = new Set([
  'TRANSACTION', 'TRAN', 'WORK', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE', 'ISOLATION', 'READ', 'DISTRIBUTED',
  'DIALOG', 'CONVERSATION', 'FROM', 'AS', 'AND', 'OR', 'IS', 'IN', 'ON', 'WHERE', 'BETWEEN', 'LIKE',
]);

/** Whether BEGIN followed by `next` (a word, or not a word: `;`, `,`, end of text) opens a block. */
export function blockOpenAfterBegin(next: { upper: string | undefined }): boolean {
  return next.upper !== undefined && !NOT_A_BLOCK_AFTER_BEGIN.has(next.upper);
}

const END_QUALIFIERS: ReadonlyMap<string, BlockFrame | 'for'> = new Map<string, BlockFrame | 'for'>([
  ['IF', 'if'],
  ['LOOP', 'loop'],
  ['WHILE', 'while'],
  ['REPEAT', 'repeat'],
  ['CASE', 'case'],
  ['FOR', 'for'],
]);

/**
 * Pops the frames an END closes. `next` is the upper-cased word after END in
 * dialects with `END IF`/`END LOOP`/...; returns true when END consumed it.
 */
export function closeAfterEnd(blocks: BlockFrame[], next: string | undefined): boolean {
  const qualifier = next === undefined ? undefined : END_QUALIFIERS.get(next);
  if (qualifier !== undefined) {
    for (let k = blocks.length - 1; k >= 0; k--) {
      const frame = blocks[k];
      if (frame === qualifier) {
        blocks.length = k;
        break;
      }
      if (frame === 'begin' || frame === 'declare') break;
    }
    return true;
  }
  for (let k = blocks.length - 1; k >= 0; k--) {
    const frame = blocks[k];
    if (frame === 'case' || frame === 'begin' || frame === 'declare') {
      blocks.length = k;
      return false;
    }
  }
  blocks.length = 0;
  return false;
}
