/**
 * The cross-file part of name resolution, kept current incrementally: each
 * file's catalog slice (its DDL, USE statements and dbt model query) is kept
 * with a signature, and the catalog is rebuilt only when a signature changes.
 * A rebuild reports which relations changed, so only the files that mention
 * them are re-resolved.
 */
import { createHash } from 'node:crypto';
import { catalogFactsOf, emptyCatalog, mergeCatalogFacts, relationsOf, type Catalog, type CatalogFacts, type RelationInfo } from '../extract/catalog.ts';
import type { NameOptions } from '../extract/names.ts';
import type { FallbackRelations, ParsedFile, ParsedStatement } from '../model/parsed.ts';
import type { Range } from '../model/range.ts';
import type { ColumnDef, Statement } from '../model/statements.ts';

export interface CatalogSlice {
  signature: string;
  json: string;
}

/** Statement kinds the catalog reads; everything else cannot change it. */
function isCatalogStatement(s: Statement): boolean {
  switch (s.kind) {
    case 'createTable':
    case 'createView':
    case 'alterTable':
    case 'use':
      return true;
    case 'query':
      return s.query.kind === 'select' && s.query.into !== undefined;
    case 'createRoutine':
    case 'createTrigger':
      return (s.body ?? []).some(isCatalogStatement);
    default:
      return false;
  }
}

/**
 * What the catalog reads of a statement (see buildCatalog): column types,
 * foreign keys and routine text are dropped. A workspace keeps every slice
 * in memory and in the store, so this is most of the catalog's footprint.
 */
function slimForCatalog(s: Statement): Statement {
  switch (s.kind) {
    case 'createTable':
      return { ...s, columns: s.columns.map(slimColumn), foreignKeys: [] };
    case 'alterTable':
      return { ...s, addColumns: s.addColumns.map(slimColumn), foreignKeys: [] };
    case 'createRoutine':
    case 'createTrigger': {
      const { body, ...rest } = s;
      if ('bodyText' in rest) delete rest.bodyText;
      return { ...rest, body: (body ?? []).filter(isCatalogStatement).map(slimForCatalog) };
    }
    default:
      return s;
  }
}

function slimColumn(c: ColumnDef): ColumnDef {
  return c.primaryKey ? { name: c.name, primaryKey: true } : { name: c.name };
}

/**
 * The part of a file the catalog depends on, or undefined when there is none.
 *
 * A large file saved again is mostly the same statement objects as before
 * (assembleParsedFile shares them): each statement's slim JSON is kept by
 * identity, the slice is built from those pieces, and a file whose pieces,
 * ranges and header are all as at its last slice gets that slice back. The
 * result is always exactly catalogSliceOfUncached's.
 */
export function catalogSliceOf(file: ParsedFile): CatalogSlice | undefined {
  if (file.dbtModel) return catalogSliceOfUncached(file);
  const pieces: SlicePiece[] = [];
  for (const parsed of file.statements) {
    const kept = keptJsonOf(parsed.statements);
    const creates = parsed.fallback?.creates ?? [];
    if (kept === NONE_KEPT && creates.length === 0) continue;
    pieces.push({ kept, fallback: creates.length > 0 ? parsed.fallback : undefined, owner: parsed.owner || undefined });
  }
  if (pieces.length === 0) return undefined;
  const last = lastSlices.get(file.path);
  if (last && last.dialect === file.dialect && last.encoding === file.encoding && last.statementCount === file.statementCount && samePieces(last.pieces, pieces)) {
    lastSlices.delete(file.path);
    lastSlices.set(file.path, last);
    return last.slice;
  }
  const slice = sliceFromPieces(file, pieces);
  lastSlices.set(file.path, { dialect: file.dialect, encoding: file.encoding, statementCount: file.statementCount, pieces, slice });
  if (lastSlices.size > LAST_SLICE_PATHS) lastSlices.delete(lastSlices.keys().next().value!);
  return slice;
}

/** What catalogSliceOf computes, from scratch every time (the reference its memoised path must equal). */
export function catalogSliceOfUncached(file: ParsedFile): CatalogSlice | undefined {
  let statements: ParsedStatement[];
  // A dbt model's own query defines its columns: every statement stays.
  if (file.dbtModel) statements = file.statements.map((p) => ({ ...p, statements: p.statements.map(slimForCatalog) }));
  else {
    statements = [];
    for (const parsed of file.statements) {
      const kept = parsed.statements.filter(isCatalogStatement).map(slimForCatalog);
      const creates = parsed.fallback?.creates ?? [];
      if (kept.length === 0 && creates.length === 0) continue;
      statements.push({
        range: NO_RANGE,
        statements: kept,
        ...(creates.length > 0 ? { fallback: { reads: [], writes: [], references: [], creates } } : {}),
        ...(parsed.owner ? { owner: parsed.owner } : {}),
      });
    }
    if (statements.length === 0) return undefined;
  }
  const slim: ParsedFile = {
    path: file.path,
    dialect: file.dialect,
    encoding: file.encoding,
    statements,
    diagnostics: [],
    statementCount: file.statementCount,
    ...(file.dbtModel ? { dbtModel: file.dbtModel } : {}),
  };
  const signature = createHash('sha1')
    .update(JSON.stringify([file.dialect, file.dbtModel?.name ?? '', statements.map((s) => [s.statements, s.fallback?.creates ?? [], s.owner ?? null])]))
    .digest('hex');
  return { signature, json: JSON.stringify(slim) };
}

/**
 * A slice's statements all have this range. The catalog never reads where a
 * statement is, and with real ranges an edit that moved one character of a
 * 1 MB file's DDL rewrote its whole slice (~1.4 MB of JSON, ~6 ms a save).
 */
const NO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
const NO_RANGE_JSON = JSON.stringify(NO_RANGE);

/** One statement's share of a slice: its kept statements as JSON, and what surrounds them. */
interface SlicePiece {
  kept: string;
  /** Only when it has creates. */
  fallback: FallbackRelations | undefined;
  owner: ParsedStatement['owner'];
}

/** keptJsonOf's answer for a statement the catalog does not read. */
const NONE_KEPT = '[]';
/** JSON of the catalog statements of a parsed statement's list, slimmed; kept while the list lives. */
const keptJson = new WeakMap<readonly Statement[], string>();

function keptJsonOf(statements: readonly Statement[]): string {
  let json = keptJson.get(statements);
  if (json === undefined) {
    const kept = statements.filter(isCatalogStatement);
    json = kept.length === 0 ? NONE_KEPT : JSON.stringify(kept.map(slimForCatalog));
    keptJson.set(statements, json);
  }
  return json;
}

/** The last slice of a few paths, with the pieces it was built from. */
const LAST_SLICE_PATHS = 4;
const lastSlices = new Map<string, { dialect: string; encoding: string; statementCount: number; pieces: SlicePiece[]; slice: CatalogSlice }>();

/** Drops the slices kept per path (tests). */
export function forgetCatalogSlices(): void {
  lastSlices.clear();
}

function samePieces(a: readonly SlicePiece[], b: readonly SlicePiece[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.kept !== y.kept || x.fallback !== y.fallback || x.owner !== y.owner) return false;
  }
  return true;
}

/** The slice's JSON and signature, laid out exactly as catalogSliceOfUncached's JSON.stringify calls lay them out. */
function sliceFromPieces(file: ParsedFile, pieces: readonly SlicePiece[]): CatalogSlice {
  const statements: string[] = [];
  const signed: string[] = [];
  for (const p of pieces) {
    const creates = p.fallback ? JSON.stringify(p.fallback.creates) : '[]';
    const owner = p.owner ? JSON.stringify(p.owner) : undefined;
    let json = `{"range":${NO_RANGE_JSON},"statements":${p.kept}`;
    if (p.fallback) json += `,"fallback":{"reads":[],"writes":[],"references":[],"creates":${creates}}`;
    if (owner !== undefined) json += `,"owner":${owner}`;
    statements.push(`${json}}`);
    signed.push(`[${p.kept},${creates},${owner ?? 'null'}]`);
  }
  // The header with an empty list, then the list spliced in: a string value cannot hold an unescaped `"statements":[]`.
  const header = JSON.stringify({ path: file.path, dialect: file.dialect, encoding: file.encoding, statements: [], diagnostics: [], statementCount: file.statementCount });
  const at = header.indexOf('"statements":[]') + '"statements":['.length;
  const json = `${header.slice(0, at)}${statements.join(',')}${header.slice(at)}`;
  const signature = createHash('sha1').update(`[${JSON.stringify(file.dialect)},"",[${signed.join(',')}]]`).digest('hex');
  return { signature, json };
}

export class CatalogState {
  /** Per file with DDL: its slice's signature and what the slice tells the catalog (not the slice itself: see CatalogFacts). */
  private readonly slices = new Map<string, { signature: string; facts: CatalogFacts }>();
  private catalog: Catalog = emptyCatalog;
  private dirty = false;
  private builds = 0;
  private readonly optionsFor: (file: ParsedFile) => NameOptions;

  constructor(optionsFor: (file: ParsedFile) => NameOptions) {
    this.optionsFor = optionsFor;
  }

  /** Loads persisted slices (at start-up) and builds the catalog once. */
  load(slices: Iterable<{ path: string; signature: string; json: string }>): void {
    for (const s of slices) {
      try {
        this.slices.set(s.path, { signature: s.signature, facts: this.factsOf(s.json) });
      } catch {
        // A damaged slice: that file is re-read on its next ingest.
      }
    }
    this.dirty = true;
    this.rebuild();
  }

  private factsOf(sliceJson: string): CatalogFacts {
    const file = JSON.parse(sliceJson) as ParsedFile;
    return catalogFactsOf(file, this.optionsFor(file));
  }

  signatureOf(path: string): string | undefined {
    return this.slices.get(path)?.signature;
  }

  /** Records a file's new slice; returns whether the catalog may have changed. */
  update(path: string, slice: CatalogSlice | undefined): boolean {
    const before = this.slices.get(path)?.signature;
    if (before === slice?.signature) return false;
    if (slice) this.slices.set(path, { signature: slice.signature, facts: this.factsOf(slice.json) });
    else this.slices.delete(path);
    this.dirty = true;
    return true;
  }

  remove(path: string): boolean {
    if (!this.slices.delete(path)) return false;
    this.dirty = true;
    return true;
  }

  rename(from: string, to: string): void {
    const slice = this.slices.get(from);
    this.slices.delete(from);
    if (slice) this.slices.set(to, { signature: slice.signature, facts: { ...slice.facts, path: to } });
    this.dirty = true;
  }

  get current(): Catalog {
    return this.catalog;
  }

  /** Changes with every rebuild: a resolution made against another version may be stale. */
  get version(): number {
    return this.builds;
  }

  /** Rebuilds when needed; returns the relation keys whose definition changed. */
  rebuild(): Set<string> {
    if (!this.dirty) return new Set();
    const before = this.catalog;
    this.catalog = mergeCatalogFacts([...this.slices.values()].map((s) => s.facts));
    this.dirty = false;
    this.builds++;
    return changedRelations(before, this.catalog);
  }
}

function changedRelations(before: Catalog, after: Catalog): Set<string> {
  const changed = new Set<string>();
  const a = relationsOf(before);
  const b = relationsOf(after);
  for (const [key, info] of a) if (!sameRelation(info, b.get(key))) changed.add(key);
  for (const key of b.keys()) if (!a.has(key)) changed.add(key);
  return changed;
}

/** Field by field: JSON.stringify of both sides cost ~25 ms per rebuild at 20,000 relations. */
function sameRelation(x: Readonly<RelationInfo>, y: Readonly<RelationInfo> | undefined): boolean {
  return y !== undefined && x.kind === y.kind && sameList(x.columns, y.columns) && sameList(x.primaryKey, y.primaryKey);
}

function sameList(x: readonly string[] | undefined, y: readonly string[] | undefined): boolean {
  if (x === y) return true;
  if (!x || !y || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
