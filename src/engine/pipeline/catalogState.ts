/**
 * The cross-file part of name resolution, kept current incrementally: each
 * file's catalog slice (its DDL, USE statements and dbt model query) is kept
 * with a signature, and the catalog is rebuilt only when a signature changes.
 * A rebuild reports which relations changed, so only the files that mention
 * them are re-resolved.
 */
import { createHash } from 'node:crypto';
import { catalogFactsOf, emptyCatalog, mergeCatalogFacts, relationsOf, type Catalog, type CatalogFacts } from '../extract/catalog.ts';
import type { NameOptions } from '../extract/names.ts';
import type { ParsedFile, ParsedStatement } from '../model/parsed.ts';
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

/** The part of a file the catalog depends on, or undefined when there is none. */
export function catalogSliceOf(file: ParsedFile): CatalogSlice | undefined {
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
        range: parsed.range,
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
  // Ranges do not change the catalog: moving DDL down a line must not count as a change.
  const signature = createHash('sha1')
    .update(JSON.stringify([file.dialect, file.dbtModel?.name ?? '', statements.map((s) => [s.statements, s.fallback?.creates ?? [], s.owner ?? null])]))
    .digest('hex');
  return { signature, json: JSON.stringify(slim) };
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
  for (const [key, info] of a) if (JSON.stringify(info) !== JSON.stringify(b.get(key))) changed.add(key);
  for (const key of b.keys()) if (!a.has(key)) changed.add(key);
  return changed;
}
