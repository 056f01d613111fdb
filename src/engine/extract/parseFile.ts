import type { Dialect, DialectSetting } from '../model/dialect.ts';
import type { Diagnostic, DiagnosticCode } from '../model/diagnostics.ts';
import type { FallbackRelations, ParsedFile, ParsedStatement, TemplateRelations } from '../model/parsed.ts';
import type { Position, Range } from '../model/range.ts';
import type { ObjectName, Statement } from '../model/statements.ts';
import { StatementParseError, type ParserBackend } from '../parse/backend.ts';
import { guessDialects, type DialectMemory } from '../parse/dialectDetect.ts';
import { decodeSql } from '../text/decode.ts';
import { scanRelations } from '../text/fallbackScan.ts';
import { checkStatement, DEFAULT_GUARD_LIMITS, type GuardLimits } from '../text/guards.ts';
import { LineIndex } from '../text/lineIndex.ts';
import { maskSql } from '../text/mask.ts';
import { splitEditedText, type SplitMemo } from '../text/editedSplit.ts';
import { splitStatements, type SplitStatement } from '../text/splitter.ts';
import { dbtModelName, renderTemplate } from '../text/templating.ts';
import { blockInterior, readRoutineHeader } from './routineHeader.ts';

export interface ParseOptions {
  dialect: DialectSetting;
  /** Tried in order; the first that parses a statement wins. */
  backends: readonly ParserBackend[];
  /** Per-folder memory of what worked, for `auto`. */
  memory?: DialectMemory;
  guardLimits?: Partial<GuardLimits>;
  /**
   * Per-statement results, so an edit to one statement of a large file
   * re-parses that statement only. Keys already include the dialects tried.
   */
  statementCache?: StatementCache;
}

export interface StatementCache {
  get(key: string): string | undefined;
  /** Whether get would find the key; cheaper, since the result is not read. */
  has(key: string): boolean;
  put(key: string, payload: string): void;
  /** The key for a statement's text given the dialects that will be tried. */
  keyOf(text: string, dialects: string): string;
}

/** A statement's results with positions relative to its start, so they survive moving within the file. */
interface CachedStatement {
  out: ParsedStatement[];
  diagnostics: Diagnostic[];
  dialect?: Dialect;
}

type Owner = NonNullable<ParsedStatement['owner']>;

/** Routine bodies nest (IF … BEGIN … END inside a procedure); beyond this depth a block is token-scanned. */
const MAX_BODY_DEPTH = 4;

const STATEMENT_START = /\b(WITH|SELECT|INSERT|UPDATE|DELETE|MERGE|CREATE|ALTER|DROP|TRUNCATE|REPLACE|UPSERT|COPY)\b/i;

/**
 * Reads one file's bytes into a ParsedFile: decode, neutralise templating,
 * split, guard, parse each statement with the first backend that accepts it,
 * and token-scan what none accepts. Never throws on bad input: every problem
 * becomes a diagnostic and costs only its own statement.
 */
export function parseFile(path: string, bytes: Uint8Array, options: ParseOptions): ParsedFile {
  const decoded = decodeSql(bytes);
  if (decoded.error) {
    return {
      path,
      dialect: options.dialect === 'auto' ? 'generic' : options.dialect,
      encoding: decoded.encoding,
      statements: [],
      diagnostics: [{ severity: 'error', code: decoded.error.code, message: decoded.error.message, range: ZERO_RANGE }],
      statementCount: 0,
    };
  }
  return parseText(path, decoded.text, decoded.encoding, options);
}

export function parseText(path: string, source: string, encoding: string, options: ParseOptions): ParsedFile {
  const { ctx, statements, shell, folder, edited } = prepareText(path, source, encoding, options);
  const cache = options.statementCache;
  if (cache) {
    // Through the statement cache: list the statements' keys (parsing the ones not cached), then assemble.
    const entries = new Map<string, CachedStatement>();
    const listing = listStatements(ctx, statements, shell, cache, entries, edited);
    return assemble(listing, (key) => entries.get(key), (parsedWith) => recordMemory(options, folder, parsedWith))!;
  }
  for (const statement of statements) parseStatement(ctx, statement.text, statement.start, undefined, 0);
  recordMemory(options, folder, ctx.parsedWith);
  return withResults(shell, ctx.out, ctx.diagnostics, ctx.parsedWith);
}

/**
 * The last split of a few large files (those that go through the statement
 * cache), with their statements' cache keys: saving one again re-splits and
 * re-hashes only the statements around the edit.
 */
interface EditMemo {
  split: SplitMemo;
  /** Statement cache keys by statement index, and the key context (see keyContextOf) they were made in. */
  keys?: string[];
  keyContext?: string;
}
const EDIT_MEMO_PATHS = 2;
const editMemos = new Map<string, EditMemo>();

/** What listStatements reuses from the file's previous listing. */
interface EditedStatements {
  memo: EditMemo;
  previous: EditMemo | undefined;
  previousIndex: Int32Array;
}

/** Forgets the kept splits (tests). */
export function forgetEditMemos(): void {
  editMemos.clear();
}

/** Everything before the statements are parsed: templating, dialects, the split, and the file's shell. */
function prepareText(path: string, source: string, encoding: string, options: ParseOptions): { ctx: FileContext; statements: SplitStatement[]; shell: ParsedFile; folder: string; edited?: EditedStatements } {
  const template = renderTemplate(source);
  const text = template.text;
  const lines = new LineIndex(text);
  const folder = folderOf(path);

  const { primary, alternate } = chooseDialects(path, text, folder, options);
  let split: { statements: SplitStatement[]; diagnostics: Diagnostic[] };
  let edited: EditedStatements | undefined;
  if (options.statementCache) {
    const previous = editMemos.get(path);
    const result = splitEditedText(previous?.split, text, primary, lines);
    split = result;
    const memo: EditMemo = { split: result.memo };
    editMemos.delete(path);
    editMemos.set(path, memo);
    if (editMemos.size > EDIT_MEMO_PATHS) editMemos.delete(editMemos.keys().next().value!);
    edited = { memo, previous, previousIndex: result.previousIndex };
  } else {
    split = splitStatements(text, { dialect: primary, lines });
  }
  const ctx: FileContext = {
    text,
    lines,
    options,
    primary,
    alternate,
    limits: { ...DEFAULT_GUARD_LIMITS, ...options.guardLimits },
    diagnostics: [...split.diagnostics],
    out: [],
    parsedWith: new Map(),
  };
  const shell: ParsedFile = { path, dialect: primary, encoding, statements: [], diagnostics: split.diagnostics, statementCount: split.statements.length };
  // A file under models/ is a dbt model; so is any file calling ref() or
  // source(), wherever it sits relative to the folder being ingested.
  const usesDbt = template.refs.length + template.sources.length > 0;
  const model = dbtModelName(path) ?? (usesDbt ? fileStem(path) : undefined);
  if (model) {
    const relations: TemplateRelations = {
      refs: template.refs.map((r) => ({ name: r.name, ...(r.package ? { package: r.package } : {}), range: lines.rangeOf(r.start, r.end) })),
      sources: template.sources.map((s) => ({ source: s.source, table: s.table, range: lines.rangeOf(s.start, s.end) })),
    };
    shell.dbtModel = { name: model, template: relations };
  }
  return { ctx, statements: split.statements, shell, folder, ...(edited ? { edited } : {}) };
}

/** Identifies the keys keyOf makes for these dialects (they also depend on the cache's own context). */
function keyContextOf(cache: StatementCache, dialects: string): string {
  return cache.keyOf('', dialects);
}

/**
 * Keys and origins of the statements; results not cached yet are parsed and
 * put. `entries` receives every statement's results; without it (a listing
 * for another thread) results found cached are not even read.
 */
function listStatements(ctx: FileContext, statements: readonly SplitStatement[], shell: ParsedFile, cache: StatementCache, entries: Map<string, CachedStatement> | undefined, edited?: EditedStatements): StatementListing {
  const dialects = `${ctx.primary}|${ctx.alternate ?? ''}`;
  const keys: string[] = [];
  const origins = new Int32Array(statements.length * 2);
  // An unchanged statement (same text) has the key it had, unless the dialects or the cache's context changed.
  const keyContext = edited ? keyContextOf(cache, dialects) : undefined;
  const previousKeys = edited?.previous?.keyContext === keyContext ? edited?.previous?.keys : undefined;
  if (edited) {
    edited.memo.keys = keys;
    edited.memo.keyContext = keyContext;
  }
  statements.forEach((statement, i) => {
    const previousIndex = previousKeys ? edited!.previousIndex[i]! : -1;
    const key = (previousIndex >= 0 ? previousKeys![previousIndex] : undefined) ?? cache.keyOf(statement.text, dialects);
    const origin = statement.range.start;
    keys.push(key);
    origins[i * 2] = origin.line;
    origins[i * 2 + 1] = origin.character;
    // A listing only needs to know that the cache holds a statement's results: no JSON.parse of them.
    if (!entries && (recent.has(key) || knownCached(key, cache))) return;
    let entry = entries?.get(key) ?? recentStatement(key) ?? parsedHit(key, cache.get(key));
    if (entry === undefined) {
      // Parsed alone, so its results (and the dialects it counted) are exactly its own.
      ctx.out = [];
      ctx.diagnostics = [];
      ctx.parsedWith = new Map();
      parseStatement(ctx, statement.text, statement.start, undefined, 0);
      const dialect = ctx.parsedWith.keys().next().value;
      entry = {
        out: ctx.out.map((s) => ({ ...s, range: shiftRange(s.range, origin, -1) })),
        diagnostics: ctx.diagnostics.map((d) => ({ ...d, range: shiftRange(d.range, origin, -1) })),
        ...(dialect ? { dialect } : {}),
      };
      const payload = JSON.stringify(entry);
      cache.put(key, payload);
      remember(key, entry, payload.length);
    }
    entries?.set(key, entry);
  });
  return { shell, keys, origins };
}

/** The ParsedFile of a listing; undefined when `lookup` lacks a statement's results. */
function assemble(listing: StatementListing, lookup: (key: string) => CachedStatement | undefined, counted?: (parsedWith: ReadonlyMap<Dialect, number>) => void): ParsedFile | undefined {
  const out: ParsedStatement[] = [];
  const diagnostics = [...listing.shell.diagnostics];
  const parsedWith = new Map<Dialect, number>();
  for (let i = 0; i < listing.keys.length; i++) {
    const entry = lookup(listing.keys[i]!);
    if (entry === undefined) return undefined;
    const origin: Position = { line: listing.origins[i * 2]!, character: listing.origins[i * 2 + 1]! };
    for (const s of entry.out) out.push({ ...s, range: shiftRange(s.range, origin, 1) });
    for (const d of entry.diagnostics) diagnostics.push({ ...d, range: shiftRange(d.range, origin, 1) });
    if (entry.dialect) parsedWith.set(entry.dialect, (parsedWith.get(entry.dialect) ?? 0) + 1);
  }
  counted?.(parsedWith);
  return withResults(listing.shell, out, diagnostics, parsedWith);
}

function recordMemory(options: ParseOptions, folder: string, parsedWith: ReadonlyMap<Dialect, number>): void {
  if (options.memory) for (const [dialect, n] of parsedWith) options.memory.record(folder, dialect, n);
}

/** The shell with its statements' results; the dialect is the one most statements parsed with (the shell's on a tie). */
function withResults(shell: ParsedFile, statements: ParsedStatement[], diagnostics: Diagnostic[], parsedWith: ReadonlyMap<Dialect, number>): ParsedFile {
  let dialect = shell.dialect;
  let best = parsedWith.get(dialect) ?? 0;
  for (const [d, n] of parsedWith) if (n > best) [dialect, best] = [d, n];
  const parsed: ParsedFile = { path: shell.path, dialect, encoding: shell.encoding, statements, diagnostics, statementCount: shell.statementCount };
  if (shell.dbtModel) parsed.dbtModel = shell.dbtModel;
  return parsed;
}

/**
 * A file's parse as statement-cache keys: what a parse worker can send for a
 * large file instead of the whole ParsedFile as JSON. assembleParsedFile
 * turns it back into exactly the ParsedFile parseFile returns, from the
 * statement cache (and the results kept in memory), so an edit that changed
 * one statement moves one statement's results, not the file's.
 */
export interface StatementListing {
  /** The file without its statements' results: no statements, the splitter's diagnostics, the primary dialect. */
  shell: ParsedFile;
  /** Each top-level statement's cache key, in order. */
  keys: string[];
  /** Where each statement starts (line, character pairs): its cached results are relative to it. */
  origins: Int32Array;
}

/**
 * parseFile through the statement cache, answering with the listing; every
 * statement's results are in the cache (put now when they were not) when it
 * returns. Flush the cache before another thread assembles the listing.
 */
export function parseFileListing(path: string, bytes: Uint8Array, options: ParseOptions & { statementCache: StatementCache }): StatementListing {
  const decoded = decodeSql(bytes);
  if (decoded.error) return { shell: parseFile(path, bytes, options), keys: [], origins: new Int32Array(0) };
  const { ctx, statements, shell, edited } = prepareText(path, decoded.text, decoded.encoding, options);
  return listStatements(ctx, statements, shell, options.statementCache, undefined, edited);
}

/**
 * The ParsedFile of a listing, from the results kept in memory and else the
 * statement cache; undefined when one is in neither (evicted): parse again.
 */
export function assembleParsedFile(listing: StatementListing, cache: Pick<StatementCache, 'get'>): ParsedFile | undefined {
  return assemble(listing, (key) => recentStatement(key) ?? parsedHit(key, cache.get(key)));
}

/**
 * Statement results used lately, already parsed, by statement-cache key: a
 * large file saved again finds almost all its statements here, without a
 * database read and a JSON.parse each. Bounded by the size of their JSON.
 * Results built from an entry share its statement objects (positions are
 * copied), so a ParsedFile must be treated as read-only; sharing also lets
 * the resolve memo recognise unchanged statements by identity.
 */
const RECENT_STATEMENT_CHARS = 8 * 1024 * 1024;
const recent = new Map<string, { entry: CachedStatement; size: number }>();
let recentChars = 0;

function recentStatement(key: string): CachedStatement | undefined {
  const hit = recent.get(key);
  if (!hit) return undefined;
  recent.delete(key);
  recent.set(key, hit);
  return hit.entry;
}

function parsedHit(key: string, payload: string | undefined): CachedStatement | undefined {
  if (payload === undefined) return undefined;
  const entry = JSON.parse(payload) as CachedStatement;
  remember(key, entry, payload.length);
  return entry;
}

function remember(key: string, entry: CachedStatement, size: number): void {
  if (size > RECENT_STATEMENT_CHARS / 4) return;
  const old = recent.get(key);
  if (old) {
    recent.delete(key);
    recentChars -= old.size;
  }
  recent.set(key, { entry, size });
  recentChars += size;
  for (const [k, v] of recent) {
    if (recentChars <= RECENT_STATEMENT_CHARS) break;
    recent.delete(k);
    recentChars -= v.size;
  }
}

/**
 * Keys a listing found in the cache lately, so that a thread which only
 * lists a file (a parse worker) reads each statement's row once, not on
 * every save. A key evicted from the cache since is harmless: assembling
 * the listing then misses it and the file is parsed again.
 */
const KNOWN_CACHED_KEYS = 100_000;
const knownCachedKeys = new Set<string>();

function knownCached(key: string, cache: Pick<StatementCache, 'has'>): boolean {
  if (knownCachedKeys.has(key)) return true;
  if (!cache.has(key)) return false;
  if (knownCachedKeys.size >= KNOWN_CACHED_KEYS) knownCachedKeys.clear();
  knownCachedKeys.add(key);
  return true;
}

/** Drops the parsed statements kept in memory (tests, or to release memory). */
export function forgetRecentStatements(): void {
  recent.clear();
  recentChars = 0;
  knownCachedKeys.clear();
}

interface FileContext {
  text: string;
  lines: LineIndex;
  options: ParseOptions;
  primary: Dialect;
  alternate: Dialect | undefined;
  limits: GuardLimits;
  diagnostics: Diagnostic[];
  out: ParsedStatement[];
  parsedWith: Map<Dialect, number>;
}

function chooseDialects(path: string, text: string, folder: string, options: ParseOptions): { primary: Dialect; alternate: Dialect | undefined } {
  if (options.dialect !== 'auto') return { primary: options.dialect, alternate: undefined };
  const guess = guessDialects(path, text);
  const remembered = options.memory?.best(folder);
  const candidates = !guess.confident && remembered ? [remembered, ...guess.candidates.filter((d) => d !== remembered)] : guess.candidates;
  return { primary: candidates[0] ?? 'postgresql', alternate: candidates[1] };
}

function parseStatement(ctx: FileContext, text: string, start: number, owner: Owner | undefined, depth: number): void {
  const range = ctx.lines.rangeOf(start, start + text.length);
  const guard = checkStatement(text, ctx.limits);
  if (guard) {
    const at = ctx.lines.positionAt(start + guard.offset);
    ctx.diagnostics.push({ severity: 'error', code: guard.code, message: guard.message, range: { start: at, end: range.end } });
    pushFallback(ctx, text, range, owner, undefined);
    return;
  }

  // Procedural code inside a body (GET DIAGNOSTICS, RAISE, v := …, RETURN x)
  // has no SQL for the graph: do not spend two parsers' failures on it.
  if (owner && depth > 0 && !STATEMENT_START.test(maskSql(text))) return;

  const attempt = tryBackends(ctx, text, ctx.primary) ?? (ctx.alternate ? tryBackends(ctx, text, ctx.alternate) : undefined);
  if (attempt && 'statements' in attempt) {
    ctx.parsedWith.set(attempt.dialect, (ctx.parsedWith.get(attempt.dialect) ?? 0) + 1);
    ctx.out.push({ range, backend: attempt.backend, statements: attempt.statements, ...(owner ? { owner } : {}) });
    for (const s of attempt.statements) {
      if (s.kind === 'createRoutine' && s.bodyText && depth < MAX_BODY_DEPTH) {
        parseBody(ctx, s.bodyText.text, start + s.bodyText.offset, { kind: s.routine, name: s.name }, depth + 1, false);
      }
    }
    return;
  }

  const header = depth < MAX_BODY_DEPTH ? readRoutineHeader(text) : undefined;
  if (header) {
    const defining: Statement =
      header.kind === 'trigger'
        ? { kind: 'createTrigger', name: header.name, table: header.table ?? [] }
        : { kind: 'createRoutine', routine: header.kind, name: header.name };
    ctx.out.push({ range, statements: [defining], ...(owner ? { owner } : {}) });
    parseBody(ctx, text.slice(header.bodyStart), start + header.bodyStart, { kind: header.kind, name: header.name }, depth + 1, header.block);
    return;
  }

  // Inside a body, control flow (IF … THEN, RETURN QUERY, FOR … LOOP, nested
  // BEGIN … END) often wraps or precedes the SQL: unwrap blocks, and retry
  // from the first statement keyword.
  if (owner && depth > 0 && depth < MAX_BODY_DEPTH) {
    const masked = maskSql(text);
    if (/\bBEGIN\b/i.test(masked) && !/^\s*BEGIN\s+(TRAN|TRANSACTION)\b/i.test(masked)) {
      parseBody(ctx, text, start, owner, depth + 1, true);
      return;
    }
    const keyword = STATEMENT_START.exec(masked);
    if (keyword && keyword.index > 0) {
      parseStatement(ctx, text.slice(keyword.index), start + keyword.index, owner, depth);
      return;
    }
  }

  pushFallback(ctx, text, range, owner, attempt?.error, start);
}

function parseBody(ctx: FileContext, body: string, bodyStart: number, owner: Owner, depth: number, block: boolean): void {
  let text = body;
  let start = bodyStart;
  const masked = maskSql(body);
  if (block || /^\s*(DECLARE|BEGIN)\b/i.test(masked)) {
    const inner = blockInterior(masked, 0);
    text = body.slice(inner.start, inner.end);
    start = bodyStart + inner.start;
  }
  const split = splitStatements(text, { dialect: ctx.primary });
  for (const statement of split.statements) parseStatement(ctx, statement.text, start + statement.start, owner, depth);
}

interface ParseFailure {
  error: { message: string; line?: number; column?: number; backend: string };
}
interface ParseSuccess {
  statements: Statement[];
  backend: ParserBackend['id'];
  dialect: Dialect;
}

function tryBackends(ctx: FileContext, text: string, dialect: Dialect): ParseSuccess | undefined | ParseFailure {
  let failure: ParseFailure | undefined;
  for (const backend of ctx.options.backends) {
    if (!backend.supports(dialect)) continue;
    try {
      const statements = backend.parse(text, dialect);
      if (statements.length > 0) return { statements, backend: backend.id, dialect };
    } catch (error) {
      // The first backend's message is usually the most precise; keep it.
      if (!failure) failure = { error: describeFailure(error, backend.id) };
    }
  }
  return failure;
}

function describeFailure(error: unknown, backend: string): ParseFailure['error'] {
  if (error instanceof StatementParseError) {
    // The position goes into the diagnostic's range, in file coordinates; drop the statement-relative one.
    const message = error.message.replace(/\s+at Line: \d+, Column: \d+\s*$/, '');
    return { message, backend, ...(error.line !== undefined ? { line: error.line } : {}), ...(error.column !== undefined ? { column: error.column } : {}) };
  }
  // A RangeError (stack overflow) or any other crash inside a parser costs this statement only.
  return { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), backend };
}

function pushFallback(ctx: FileContext, text: string, range: Range, owner: Owner | undefined, error: ParseFailure['error'] | undefined, start?: number): void {
  const fallback: FallbackRelations = scanRelations(text, ctx.primary);
  const found = fallback.reads.length + fallback.writes.length + fallback.references.length + fallback.creates.length > 0;
  ctx.out.push({ range, statements: [], ...(found ? { fallback } : {}), ...(owner ? { owner } : {}) });
  if (!error) return;
  let diagRange = range;
  if (error.line !== undefined && start !== undefined) {
    const local = new LineIndex(text);
    const offset = Math.min(text.length, local.offsetAt({ line: Math.max(0, error.line - 1), character: Math.max(0, (error.column ?? 1) - 1) }));
    diagRange = { start: ctx.lines.positionAt(start + offset), end: range.end };
  }
  const code: DiagnosticCode = found ? 'fallback-extraction' : 'parse-error';
  const message = found
    ? `Could not parse this statement (${error.backend}: ${error.message}); its relations were recovered by a token scan with lower confidence.`
    : `Could not parse this statement (${error.backend}: ${error.message}).`;
  ctx.diagnostics.push({ severity: found ? 'warning' : 'error', code, message, range: diagRange });
}

/** Moves a range by a statement's origin (direction 1) or back to be relative to it (-1). */
function shiftRange(range: Range, origin: Position, direction: 1 | -1): Range {
  const shift = (p: Position): Position => {
    if (direction === 1) return p.line === 0 ? { line: origin.line, character: origin.character + p.character } : { line: origin.line + p.line, character: p.character };
    return p.line === origin.line ? { line: 0, character: p.character - origin.character } : { line: p.line - origin.line, character: p.character };
  };
  return { start: shift(range.start), end: shift(range.end) };
}

function fileStem(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return name.replace(/\.sql$/i, '');
}

function folderOf(path: string): string {
  const i = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return i < 0 ? '' : path.slice(0, i);
}

const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export type { ObjectName };
