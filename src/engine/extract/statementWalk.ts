/**
 * Visits every statement of a file in order, including the parsed bodies of
 * routines and triggers, with the name defaults in force at that point
 * (a `USE` changes them for the statements after it).
 */
import type { ParsedFile, ParsedStatement } from '../model/parsed.ts';
import type { ObjectName, Statement } from '../model/statements.ts';
import { applyUse } from './names.ts';
import type { NameOptions } from './names.ts';

export interface StatementOwner {
  kind: 'procedure' | 'function' | 'trigger';
  name: ObjectName;
}

export interface WalkedStatement {
  statement: Statement;
  parsed: ParsedStatement;
  options: NameOptions;
  owner: StatementOwner | undefined;
}

export interface WalkedFallback {
  parsed: ParsedStatement;
  options: NameOptions;
}

export interface WalkVisitor {
  statement(walked: WalkedStatement): void;
  fallback?(walked: WalkedFallback): void;
}

export function walkFile(file: ParsedFile, base: NameOptions, visitor: WalkVisitor): void {
  let options = base;
  const visit = (statement: Statement, parsed: ParsedStatement, owner: StatementOwner | undefined): void => {
    visitor.statement({ statement, parsed, options, owner });
    if (statement.kind === 'use') options = applyUse(options, statement);
    else if (statement.kind === 'createRoutine') {
      for (const inner of statement.body ?? []) visit(inner, parsed, { kind: statement.routine, name: statement.name });
    } else if (statement.kind === 'createTrigger') {
      for (const inner of statement.body ?? []) visit(inner, parsed, { kind: 'trigger', name: statement.name });
    }
  };
  for (const parsed of file.statements) {
    for (const statement of parsed.statements) visit(statement, parsed, parsed.owner);
    if (parsed.fallback && visitor.fallback) visitor.fallback({ parsed, options });
  }
}

/**
 * Inside a PL/pgSQL, MySQL or Oracle routine, `SELECT … INTO x` assigns
 * variables; only T-SQL's SELECT INTO creates a table there (#temp tables).
 */
export function intoAssignsVariables(w: { owner: StatementOwner | undefined; options: NameOptions }): boolean {
  return w.owner !== undefined && w.options.dialect !== 'transactsql';
}
