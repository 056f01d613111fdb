/**
 * Renders a sqlparser-rs DataType back to SQL-ish text for display. It does
 * not aim at a round trip: only the type name and its size arguments matter.
 */
import { asArray, isNode, objectName, variantOf } from './ast.ts';

const MULTI_WORD: Record<string, string> = {
  CharacterVarying: 'CHARACTER VARYING',
  CharVarying: 'CHAR VARYING',
  CharacterLargeObject: 'CHARACTER LARGE OBJECT',
  CharLargeObject: 'CHAR LARGE OBJECT',
  DoublePrecision: 'DOUBLE PRECISION',
  BinaryVarying: 'BINARY VARYING',
};

function typeName(variant: string): string {
  const known = MULTI_WORD[variant];
  if (known) return known;
  const unsigned = /^(.+)Unsigned$/.exec(variant);
  if (unsigned?.[1]) return `${typeName(unsigned[1])} UNSIGNED`;
  return variant.toUpperCase();
}

/** Size arguments such as `(10)`, `(10,2)` or `(MAX)`; empty when there are none. */
function sizeText(value: unknown): string {
  if (typeof value === 'number') return `(${value})`;
  if (value === 'Max') return '(MAX)';
  const variant = variantOf(value);
  if (!variant) return '';
  const [name, inner] = variant;
  if (name === 'IntegerLength') {
    const length = isNode(inner) ? inner['length'] : undefined;
    return typeof length === 'number' ? `(${length})` : '';
  }
  if (name === 'Precision' && typeof inner === 'number') return `(${inner})`;
  if (name === 'PrecisionAndScale') {
    const [precision, scale] = asArray(inner);
    return `(${String(precision)},${String(scale)})`;
  }
  return '';
}

function timeZoneText(value: unknown): string {
  if (value === 'WithTimeZone') return ' WITH TIME ZONE';
  if (value === 'WithoutTimeZone') return ' WITHOUT TIME ZONE';
  if (value === 'Tz') return 'TZ';
  return '';
}

export function dataTypeText(dataType: unknown): string | undefined {
  const variant = variantOf(dataType);
  if (!variant) return undefined;
  const [name, inner] = variant;
  if (name === 'Custom') {
    const [typeObjectName, modifiers] = asArray(inner);
    const base = objectName(typeObjectName)
      .map((part) => part.value)
      .join('.');
    const mods = asArray(modifiers).map(String);
    return mods.length > 0 ? `${base}(${mods.join(',')})` : base;
  }
  if (name === 'Array') {
    const arrayVariant = variantOf(inner);
    if (!arrayVariant) return 'ARRAY';
    const [style, element] = arrayVariant;
    if (style === 'SquareBracket') {
      const [elementType, size] = asArray(element);
      return `${dataTypeText(elementType) ?? ''}[${typeof size === 'number' ? size : ''}]`;
    }
    return `ARRAY<${dataTypeText(element) ?? ''}>`;
  }
  if (name === 'Timestamp' || name === 'Time') {
    const [precision, timeZone] = asArray(inner);
    const tz = timeZoneText(timeZone);
    const size = typeof precision === 'number' ? `(${precision})` : '';
    return tz === 'TZ' ? `${typeName(name)}TZ${size}` : `${typeName(name)}${size}${tz}`;
  }
  return typeName(name) + sizeText(inner);
}
