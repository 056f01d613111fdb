/**
 * Finds dbt `ref(...)` and `source(...)` calls with string-literal arguments
 * inside the text of one Jinja tag, the way dbt's static parser reads them.
 * Calls whose relation arguments are not literals are dynamic and skipped.
 */
export interface DbtRef {
  name: string;
  package?: string;
}

export interface DbtSource {
  source: string;
  table: string;
}

type Spanned<T> = T & { start: number; end: number };

export interface DbtCalls {
  refs: Spanned<DbtRef>[];
  sources: Spanned<DbtSource>[];
  /** Set when the tag holds nothing but this one call. */
  soleCall?: Spanned<DbtRef> | Spanned<DbtSource>;
}

interface CallArgs {
  strings: string[];
  /** A positional argument that is not a string literal. */
  dynamic: boolean;
  end: number;
}

/** Scans `text[from, to)` (the inside of one Jinja tag). */
export function findDbtCalls(text: string, from: number, to: number): DbtCalls {
  const result: DbtCalls = { refs: [], sources: [] };
  let only: { start: number; end: number; call: Spanned<DbtRef> | Spanned<DbtSource> } | undefined;
  let calls = 0;
  let k = from;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (c === 39 || c === 34) {
      k = stringEnd(text, k, to);
      continue;
    }
    if (!isNameStart(c)) {
      k++;
      continue;
    }
    const nameEnd = identEnd(text, k, to);
    const name = text.slice(k, nameEnd);
    const afterDot = k > from && text.charCodeAt(k - 1) === 46;
    if ((name === 'ref' || name === 'source') && !afterDot) {
      const args = readCallArgs(text, nameEnd, to);
      if (args) {
        calls++;
        const call = toCall(name, args, k);
        if (call) {
          if ('name' in call) result.refs.push(call);
          else result.sources.push(call);
          only = { start: k, end: args.end, call };
        }
        k = args.end;
        continue;
      }
    }
    k = nameEnd;
  }
  if (only && calls === 1 && isOnly(text, from, to, only.start, only.end)) result.soleCall = only.call;
  return result;
}

function toCall(name: string, args: CallArgs, start: number): Spanned<DbtRef> | Spanned<DbtSource> | undefined {
  if (args.dynamic) return undefined;
  const [a, b] = args.strings;
  if (name === 'ref') {
    if (args.strings.length === 1 && a !== undefined) return { name: a, start, end: args.end };
    if (args.strings.length === 2 && a !== undefined && b !== undefined) return { name: b, package: a, start, end: args.end };
    return undefined;
  }
  if (args.strings.length === 2 && a !== undefined && b !== undefined) return { source: a, table: b, start, end: args.end };
  return undefined;
}

/** Whether the tag text is just the call, give or take whitespace and `-`/`+` trim markers. */
function isOnly(text: string, from: number, to: number, start: number, end: number): boolean {
  return /^[\s+-]*$/.test(text.slice(from, start)) && /^[\s-]*$/.test(text.slice(end, to));
}

/** Longest argument list we read: real ref/source calls are short, and a cap keeps hostile input linear. */
const MAX_CALL_LENGTH = 256;

/** Reads `( 'a', "b", key=value )` starting at `pos` (before the paren); undefined when it is not a call. */
function readCallArgs(text: string, pos: number, tagEnd: number): CallArgs | undefined {
  const to = Math.min(tagEnd, pos + MAX_CALL_LENGTH);
  let k = skipSpace(text, pos, to);
  if (text.charCodeAt(k) !== 40 || k >= to) return undefined;
  k++;
  const args: CallArgs = { strings: [], dynamic: false, end: -1 };
  let keywords = false;
  for (;;) {
    k = skipSpace(text, k, to);
    if (k >= to) return undefined;
    const c = text.charCodeAt(k);
    if (c === 41) {
      args.end = k + 1;
      return args;
    }
    const nameEnd = isNameStart(c) ? identEnd(text, k, to) : k;
    const eq = skipSpace(text, nameEnd, to);
    if (nameEnd > k && text.charCodeAt(eq) === 61 && text.charCodeAt(eq + 1) !== 61) {
      keywords = true;
      k = valueEnd(text, eq + 1, to);
    } else if ((c === 39 || c === 34) && !keywords) {
      const end = stringEnd(text, k, to);
      const after = skipSpace(text, end, to);
      const next = text.charCodeAt(after);
      if (next === 44 || next === 41) {
        args.strings.push(text.slice(k + 1, end - 1));
        k = end;
      } else {
        // 'a' ~ 'b' and the like: an expression, not a literal.
        args.dynamic = true;
        k = valueEnd(text, k, to);
      }
    } else {
      if (!keywords) args.dynamic = true;
      k = valueEnd(text, k, to);
    }
    k = skipSpace(text, k, to);
    if (k >= to) return undefined;
    const sep = text.charCodeAt(k);
    if (sep === 44) k++;
    else if (sep !== 41) return undefined;
  }
}

/** Index of the `,` or `)` ending the argument value that starts at `pos` (nesting and strings skipped). */
function valueEnd(text: string, pos: number, to: number): number {
  let depth = 0;
  let k = pos;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (c === 39 || c === 34) {
      k = stringEnd(text, k, to);
      continue;
    }
    if (c === 40 || c === 91 || c === 123) depth++;
    else if (c === 41 || c === 93 || c === 125) {
      if (depth === 0) return k;
      depth--;
    } else if (c === 44 && depth === 0) return k;
    k++;
  }
  return to;
}

/** Index past the Jinja string literal opened at `pos` (backslash escapes apply). */
function stringEnd(text: string, pos: number, to: number): number {
  const quote = text.charCodeAt(pos);
  let k = pos + 1;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (c === 92) k += 2;
    else if (c === quote) return k + 1;
    else k++;
  }
  return to;
}

function skipSpace(text: string, pos: number, to: number): number {
  let k = pos;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    k++;
  }
  return k;
}

function isNameStart(c: number): boolean {
  return c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

function identEnd(text: string, pos: number, to: number): number {
  let k = pos + 1;
  while (k < to) {
    const c = text.charCodeAt(k);
    if (!(isNameStart(c) || (c >= 48 && c <= 57))) break;
    k++;
  }
  return k;
}
