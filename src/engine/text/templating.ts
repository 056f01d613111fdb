import { findDbtCalls, type DbtRef, type DbtSource } from './dbtCalls.ts';

/**
 * Neutralises dbt/Jinja templating so a SQL parser can read the file, without
 * moving anything: the rendered text has exactly the same length, and every
 * line break stays where it was, so offsets and positions map 1:1.
 *
 * - `{{ ref('m') }}` / `{{ source('s','t') }}` become the relation name
 *   (`m`, `s.t`) written at the offset of the call, padded with spaces.
 * - `{% ... %}` and `{# ... #}` become spaces.
 * - Any other `{{ ... }}` becomes, by where it stands:
 *   spaces when it starts a statement or is a `config(...)`-style call (it
 *   produces no SQL); a run of underscores when it is glued to a name or
 *   stands where a relation name is expected (`{{ x }}_amount`,
 *   `from {{ this }}`), so the statement still parses and the placeholder
 *   relation is recognisable (see isTemplatePlaceholder); otherwise `NULL`
 *   padded with spaces, which parses in any expression position.
 * - `%NAME%` outside SQL quotes and comments becomes `_NAME_`, so
 *   `%TABLE_PREFIX%users` reads as the one identifier `_TABLE_PREFIX_users`.
 *
 * refs/sources found anywhere in Jinja (even in `{# #}` comments and `{% %}`
 * blocks, as dbt's static parser counts them) are reported with the span of
 * the call. An unclosed `{{`, `{%` or `{#` is left untouched.
 */
export interface TemplateRef extends DbtRef {
  start: number;
  end: number;
}

export interface TemplateSource extends DbtSource {
  start: number;
  end: number;
}

export interface RenderedTemplate {
  text: string;
  refs: TemplateRef[];
  sources: TemplateSource[];
  /** Any Jinja (`{{`, `{%`, `{#`) was found. `%NAME%` placeholders alone do not count. */
  templated: boolean;
}

/** How far back we look for the token before a `{{ }}` (keeps pathological input linear). */
const LOOK_BACK = 256;
const SILENT_CALLS = /^\s*-?\s*(config|log|print|do|set|return)\s*\(/;
const RELATION_KEYWORDS = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE', 'USING', 'VIEW', 'EXISTS']);

type SqlState = 'code' | 'single' | 'double' | 'backtick' | 'line-comment' | 'block-comment';

export function renderTemplate(text: string): RenderedTemplate {
  // Most SQL has neither Jinja nor %PLACEHOLDER%s: skip the character walk.
  if (text.indexOf('{') < 0 && text.indexOf('%') < 0) return { text, refs: [], sources: [], templated: false };
  try {
    return render(text);
  } catch {
    return { text, refs: [], sources: [], templated: false };
  }
}

function render(text: string): RenderedTemplate {
  const out: string[] = [];
  const refs: TemplateRef[] = [];
  const sources: TemplateSource[] = [];
  let templated = false;
  let copied = 0; // text[copied..] is not yet in `out`
  let rendered = ''; // the tail of the output, for looking back
  const unclosed = new Set<string>(); // closers known to be absent from here on
  let state: SqlState = 'code';
  const n = text.length;

  const emit = (upTo: number, replacement: string): void => {
    const chunk = text.slice(copied, upTo - replacement.length) + replacement;
    out.push(chunk);
    rendered = (rendered + chunk).slice(-LOOK_BACK);
    copied = upTo;
  };

  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) {
      const tag = jinjaTagAt(text, i);
      if (tag && !unclosed.has(tag.close)) {
        const close = text.indexOf(tag.close, i + 2);
        if (close < 0) {
          unclosed.add(tag.close);
        } else {
          const end = close + 2;
          templated = true;
          const calls = findDbtCalls(text, i + 2, close);
          for (const r of calls.refs) refs.push(r);
          for (const s of calls.sources) sources.push(s);
          const filler = tag.close === '}}' ? expressionFiller(text, i, end, calls, rendered + text.slice(Math.max(copied, i - LOOK_BACK), i)) : blank(text, i, end);
          emit(i, '');
          emit(end, filler);
          i = end;
          continue;
        }
      }
    }
    switch (state) {
      case 'code':
        if (c === 39) state = 'single';
        else if (c === 34) state = 'double';
        else if (c === 96) state = 'backtick';
        else if (c === 45 && text.charCodeAt(i + 1) === 45) state = 'line-comment';
        else if (c === 47 && text.charCodeAt(i + 1) === 42) {
          state = 'block-comment';
          i++;
        } else if (c === 37 /* % */) {
          const end = placeholderEnd(text, i);
          if (end > 0) {
            emit(i, '');
            emit(end, '_' + text.slice(i + 1, end - 1) + '_');
            i = end;
            continue;
          }
        }
        break;
      case 'single':
        if (c === 39) state = 'code'; // a doubled '' re-enters 'single' on the next char
        break;
      case 'double':
        if (c === 34) state = 'code';
        break;
      case 'backtick':
        if (c === 96) state = 'code';
        break;
      case 'line-comment':
        if (c === 10 || c === 13) state = 'code';
        break;
      case 'block-comment':
        if (c === 42 && text.charCodeAt(i + 1) === 47) {
          state = 'code';
          i++;
        }
        break;
    }
    i++;
  }
  if (copied === 0) return { text, refs, sources, templated };
  out.push(text.slice(copied));
  return { text: out.join(''), refs, sources, templated };
}

/** A `{{`, `{%` or `{#` that opens Jinja (and not, say, a PostgreSQL array literal `'{{1,2}}'`). */
function jinjaTagAt(text: string, i: number): { close: string } | undefined {
  const kind = text.charCodeAt(i + 1);
  if (kind === 35 /* # */) return { close: '#}' };
  if (kind !== 123 && kind !== 37) return undefined;
  let k = i + 2;
  const marker = text.charCodeAt(k);
  if (marker === 45 || marker === 43) k++; // whitespace control: {{- / {%- / {%+
  const first = text.charCodeAt(k);
  const opensJinja = first === 32 || first === 9 || first === 10 || first === 13 || first === 95 || (first >= 65 && first <= 90) || (first >= 97 && first <= 122);
  if (!opensJinja) return undefined;
  return { close: kind === 123 ? '}}' : '%}' };
}

/** `%NAME%` at `i`: returns the index past the closing `%`, or -1. */
function placeholderEnd(text: string, i: number): number {
  const first = text.charCodeAt(i + 1);
  if (!(first === 95 || (first >= 65 && first <= 90) || (first >= 97 && first <= 122))) return -1;
  let k = i + 2;
  for (;;) {
    const c = text.charCodeAt(k);
    if (c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57)) k++;
    else return c === 37 ? k + 1 : -1;
  }
}

/** The span as spaces, line breaks kept. */
function blank(text: string, start: number, end: number): string {
  return text.slice(start, end).replace(/[^\r\n]/g, ' ');
}

/** Writes `word` into the blanked span at `at` (relative), unless a line break is in the way. */
function overlay(blanked: string, at: number, word: string): string | undefined {
  if (at < 0 || at + word.length > blanked.length) return undefined;
  if (/[\r\n]/.test(blanked.slice(at, at + word.length))) return undefined;
  return blanked.slice(0, at) + word + blanked.slice(at + word.length);
}

function expressionFiller(
  text: string,
  start: number,
  end: number,
  calls: { refs: TemplateRef[]; sources: TemplateSource[]; soleCall?: TemplateRef | TemplateSource },
  before: string,
): string {
  const blanked = blank(text, start, end);
  const sole = calls.soleCall;
  if (sole) {
    const name = 'name' in sole ? sole.name : `${sole.source}.${sole.table}`;
    const placed = overlay(blanked, sole.start - start, name);
    if (placed !== undefined) return placed;
  }
  const inner = text.slice(start + 2, end - 2);
  const prev = before.replace(/\s+$/, '');
  if (prev === '' || prev.endsWith(';') || SILENT_CALLS.test(inner)) return blanked;
  const last = prev.charCodeAt(prev.length - 1);
  const next = text.charCodeAt(end);
  const gluedName = isIdentChar(last) && prev.length === before.length;
  const dotted = last === 46 || next === 46;
  const prevWord = /([A-Za-z_]+)$/.exec(prev)?.[1]?.toUpperCase() ?? '';
  if (gluedName || isIdentChar(next) || dotted || RELATION_KEYWORDS.has(prevWord)) {
    return blanked.replace(/ /g, '_');
  }
  return overlay(blanked, 0, 'NULL') ?? blanked;
}

function isIdentChar(c: number): boolean {
  return c === 95 || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/** A relation name that is only a stand-in for a `{{ ... }}` expression. */
export function isTemplatePlaceholder(name: string): boolean {
  return /^_+$/.test(name);
}

/**
 * The dbt model a file defines: its file stem, when the path has a `models/`
 * or `snapshots/` directory and ends in `.sql`.
 */
export function dbtModelName(path: string): string | undefined {
  const parts = path.replace(/\\/g, '/').split('/');
  const file = parts[parts.length - 1] ?? '';
  if (!/\.sql$/i.test(file) || file.length <= 4) return undefined;
  const dirs = parts.slice(0, -1);
  if (!dirs.includes('models') && !dirs.includes('snapshots')) return undefined;
  return file.slice(0, -4);
}
