/**
 * Reading helpers for the serde JSON that sqlparser-rs produces.
 *
 * The AST arrives untyped (the package's .d.ts lags behind 0.62), so every
 * access goes through these guards. Enums are externally tagged: a unit
 * variant is a string ("Natural"), any other variant an object with exactly
 * one key ({"On": expr}). Absent options show up as missing keys or as keys
 * holding `undefined`.
 */
import type { NamePart, ObjectName } from '../../model/statements.ts';

export type AstNode = Record<string, unknown>;

export function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The variant name and payload of an externally tagged enum value. */
export function variantOf(value: unknown): [string, unknown] | undefined {
  if (typeof value === 'string') return [value, undefined];
  if (!isNode(value)) return undefined;
  // Called for nearly every node: find the single own key without allocating a key array.
  let key: string | undefined;
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    if (key !== undefined) return undefined;
    key = k;
  }
  return key === undefined ? undefined : [key, value[key]];
}

/** The payload when `value` is the variant `name`, else undefined. */
export function payload(value: unknown, name: string): unknown {
  return isNode(value) ? value[name] : undefined;
}

export function field(value: unknown, name: string): unknown {
  return isNode(value) ? value[name] : undefined;
}

export function isIdent(value: unknown): value is AstNode & { value: string } {
  return isNode(value) && typeof value['value'] === 'string';
}

export function namePart(ident: unknown): NamePart | undefined {
  if (!isIdent(ident)) return undefined;
  const quote = ident['quote_style'];
  return { value: ident.value, quoted: typeof quote === 'string' && quote.length > 0 };
}

export function nameParts(idents: unknown): NamePart[] {
  const out: NamePart[] = [];
  for (const ident of asArray(idents)) {
    const part = namePart(ident);
    if (part) out.push(part);
  }
  return out;
}

/** An ObjectName: a list of `{Identifier: Ident}` parts (or bare Idents in older shapes). */
export function objectName(value: unknown): ObjectName {
  const out: ObjectName = [];
  for (const part of asArray(value)) {
    const ident = payload(part, 'Identifier') ?? part;
    const name = namePart(ident);
    if (name) out.push(name);
  }
  return out;
}

/** The last part of an ObjectName, or an Ident itself. */
export function lastNamePart(value: unknown): NamePart | undefined {
  if (isIdent(value)) return namePart(value);
  const parts = objectName(value);
  return parts[parts.length - 1];
}

/** "CreateExtension" → "CREATE EXTENSION": the verb of a statement we do not model. */
export function verbOf(variant: string): string {
  return variant
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toUpperCase();
}
