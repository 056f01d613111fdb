/**
 * The cross-file part of name resolution, kept current incrementally: each
 * file's catalog slice (its DDL, USE statements and dbt model query) is kept
 * with a signature, and the catalog is rebuilt only when a signature changes.
 * A rebuild reports which relations changed, so only the files that mention
 * them are re-resolved.
 */
import { createHash } from 'node:crypto';
import { buildCatalog, emptyCatalog, relationsOf, type Catalog } from '../extract/catalog.ts';
import type { NameOptions } from '../extract/names.ts';
import type { ParsedFile, ParsedStatement } from '../model/parsed.ts';
import type { Statement } from '../model/statements.ts';

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

/** The part of a file the catalog depends on, or undefined when there is none. */
export function catalogSliceOf(file: ParsedFile): CatalogSlice | undefined {
  let statements: ParsedStatement[];
  if (file.dbtModel) statements = file.statements; // the model's own query defines its columns
  else {
    statements = [];
    for (const parsed of file.statements) {
      const kept = parsed.statements.filter(isCatalogStatement);
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
  private readonly slices = new Map<string, { signature: string; file: ParsedFile }>();
  private catalog: Catalog = emptyCatalog;
  private dirty = false;
  private readonly optionsFor: (file: ParsedFile) => NameOptions;

  constructor(optionsFor: (file: ParsedFile) => NameOptions) {
    this.optionsFor = optionsFor;
  }

  /** Loads persisted slices (at start-up) and builds the catalog once. */
  load(slices: Iterable<{ path: string; signature: string; json: string }>): void {
    for (const s of slices) {
      try {
        this.slices.set(s.path, { signature: s.signature, file: JSON.parse(s.json) as ParsedFile });
      } catch {
        // A damaged slice: that file is re-read on its next ingest.
      }
    }
    this.dirty = true;
    this.rebuild();
  }

  signatureOf(path: string): string | undefined {
    return this.slices.get(path)?.signature;
  }

  /** Records a file's new slice; returns whether the catalog may have changed. */
  update(path: string, slice: CatalogSlice | undefined): boolean {
    const before = this.slices.get(path)?.signature;
    if (before === slice?.signature) return false;
    if (slice) this.slices.set(path, { signature: slice.signature, file: JSON.parse(slice.json) as ParsedFile });
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
    if (slice) this.slices.set(to, { signature: slice.signature, file: { ...slice.file, path: to } });
    this.dirty = true;
  }

  get current(): Catalog {
    return this.catalog;
  }

  /** Rebuilds when needed; returns the relation keys whose definition changed. */
  rebuild(): Set<string> {
    if (!this.dirty) return new Set();
    const before = this.catalog;
    this.catalog = buildCatalog([...this.slices.values()].map((s) => s.file), this.optionsFor);
    this.dirty = false;
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
