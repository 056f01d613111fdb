/**
 * Stable entity keys. Shared by the resolver, the graph store and the Neo4j
 * sync, so the format must not change casually.
 *
 * Relations of every kind (table, view, materialized view, dbt model) share
 * the `rel:` namespace so a reference unifies with whatever defines it.
 * Parts are joined with `.`; a `.` or `\` inside a part is escaped with a
 * backslash so quoted names containing dots never collide. Leading empty
 * parts (no database) are omitted; an inner empty part is kept (`db..t`).
 */
import type { QualifiedName } from './names.ts';

export function escapePart(part: string): string {
  // Almost no name contains either character: skip the regex and keep the same string.
  if (part.indexOf('.') < 0 && part.indexOf('\\') < 0) return part;
  return part.replace(/[\\.]/g, (c) => `\\${c}`);
}

export function qualifiedPath(q: QualifiedName): string {
  if (q.database !== '') return `${escapePart(q.database)}.${escapePart(q.schema)}.${escapePart(q.name)}`;
  if (q.schema !== '') return `${escapePart(q.schema)}.${escapePart(q.name)}`;
  return escapePart(q.name);
}

export function relationKey(q: QualifiedName): string {
  return `rel:${qualifiedPath(q)}`;
}

/** `col:<relation path>.<column>`; accepts the relation's key. */
export function columnKey(relKey: string, column: string): string {
  return `col:${relKey.startsWith('rel:') ? relKey.slice(4) : relKey}.${escapePart(column)}`;
}

export function routineKey(routine: 'procedure' | 'function', q: QualifiedName): string {
  return `${routine === 'procedure' ? 'proc' : 'func'}:${qualifiedPath(q)}`;
}

export function triggerKey(q: QualifiedName): string {
  return `trigger:${qualifiedPath(q)}`;
}

export function indexKey(q: QualifiedName): string {
  return `index:${qualifiedPath(q)}`;
}

export function sequenceKey(q: QualifiedName): string {
  return `seq:${qualifiedPath(q)}`;
}

export function schemaKey(database: string, schema: string): string {
  return `schema:${qualifiedPath({ database: '', schema: database, name: schema })}`;
}

export function databaseKey(database: string): string {
  return `db:${escapePart(database)}`;
}

export function fileKey(path: string): string {
  return `file:${path}`;
}
