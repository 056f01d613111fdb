import type { NamePart, ObjectName } from '../model/statements.ts';
import { maskSql } from '../text/mask.ts';

export interface RoutineHeader {
  kind: 'procedure' | 'function' | 'trigger';
  name: ObjectName;
  /** For triggers: the table after ON. */
  table?: ObjectName;
  /** Offset of the body inside the statement text; the body runs to the end. */
  bodyStart: number;
  /** The body is wrapped in BEGIN … END (the engine unwraps it before splitting). */
  block: boolean;
}

const IDENT = String.raw`(?:\[[^\]]*\]|"[^"]*"|\x60[^\x60]*\x60|[A-Za-z_#@$][\w#@$]*)`;
const NAME = String.raw`${IDENT}(?:\s*\.\s*${IDENT}){0,3}`;
const HEADER = new RegExp(
  String.raw`^\s*(?:CREATE|ALTER)\s+(?:OR\s+(?:REPLACE|ALTER)\s+)?(?:DEFINER\s*=\s*\S+\s+)?(?:DEFINITION\s+)?(PROCEDURE|PROC|FUNCTION|TRIGGER)\s+(?:IF\s+NOT\s+EXISTS\s+)?(${NAME})`,
  'i',
);

/**
 * Recognises CREATE PROCEDURE/FUNCTION/TRIGGER statements that no parser
 * accepted as a whole (T-SQL and MySQL routines mostly), so their bodies can
 * still be split and parsed statement by statement on the routine's behalf.
 */
export function readRoutineHeader(statement: string): RoutineHeader | undefined {
  const match = HEADER.exec(statement);
  if (!match || !match[1] || !match[2]) return undefined;
  const word = match[1].toUpperCase();
  const kind = word === 'TRIGGER' ? 'trigger' : word === 'FUNCTION' ? 'function' : 'procedure';
  const name = parseObjectName(match[2]);
  const afterName = match.index + match[0].length;
  const masked = maskSql(statement);

  let table: ObjectName | undefined;
  if (kind === 'trigger') {
    const on = new RegExp(String.raw`\bON\s+(${NAME})`, 'iy');
    const onIdx = masked.slice(afterName).search(/\bON\s/i);
    if (onIdx >= 0) {
      on.lastIndex = afterName + onIdx;
      const m = on.exec(statement);
      if (m?.[1]) table = parseObjectName(m[1]);
    }
  }

  const body = findBodyStart(masked, afterName, kind);
  if (body === undefined) return undefined;
  return { kind, name, ...(table ? { table } : {}), bodyStart: body.start, block: body.block };
}

function findBodyStart(masked: string, from: number, kind: RoutineHeader['kind']): { start: number; block: boolean } | undefined {
  // BEGIN at parenthesis depth 0, and not BEGIN TRANSACTION/TRAN.
  let depth = 0;
  const wordRe = /\b(BEGIN|AS|FOR\s+EACH\s+ROW|RETURN|RETURNS)\b/giy;
  let firstAs: number | undefined;
  let forEachRowEnd: number | undefined;
  for (let i = from; i < masked.length; i++) {
    const c = masked[i];
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /[A-Za-z]/.test(c ?? '') && !/\w/.test(masked[i - 1] ?? ' ')) {
      wordRe.lastIndex = i;
      const m = wordRe.exec(masked);
      if (!m || !m[1]) continue;
      const word = m[1].toUpperCase().replace(/\s+/g, ' ');
      if (word === 'BEGIN' && !/^\s+(TRAN|TRANSACTION|DISTRIBUTED)\b/i.test(masked.slice(i + 5, i + 30))) {
        return { start: i, block: true };
      }
      if (word === 'AS' && firstAs === undefined && kind !== 'trigger') firstAs = i + 2;
      if (word === 'AS' && kind === 'trigger' && firstAs === undefined) firstAs = i + 2;
      if (word === 'FOR EACH ROW') forEachRowEnd = i + m[0].length;
      i += m[0].length - 1;
    }
  }
  if (forEachRowEnd !== undefined) return { start: forEachRowEnd, block: false };
  if (firstAs !== undefined) return { start: firstAs, block: false };
  return undefined;
}

export function parseObjectName(text: string): ObjectName {
  const parts: NamePart[] = [];
  const re = new RegExp(IDENT, 'g');
  for (const m of text.matchAll(re)) {
    const raw = m[0];
    const first = raw[0];
    if (first === '[' || first === '"' || first === '`') parts.push({ value: raw.slice(1, -1), quoted: true });
    else parts.push({ value: raw, quoted: false });
  }
  return parts;
}

/**
 * Given a block body starting at or before BEGIN, returns the offsets of its
 * interior: after the first BEGIN (so a leading DECLARE section is skipped),
 * before the last END.
 */
export function blockInterior(masked: string, start: number): { start: number; end: number } {
  const beginRe = /\bBEGIN\b/gi;
  beginRe.lastIndex = start;
  const begin = beginRe.exec(masked);
  const innerStart = begin ? begin.index + 5 : start;
  const endRe = /\bEND\b/gi;
  endRe.lastIndex = innerStart;
  let lastEnd = -1;
  for (let m = endRe.exec(masked); m; m = endRe.exec(masked)) lastEnd = m.index;
  return { start: innerStart, end: lastEnd >= innerStart ? lastEnd : masked.length };
}
