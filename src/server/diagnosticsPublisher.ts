/**
 * Which diagnostics a file shows. Two sources: the graph store (what the
 * last applied batch or ingest found in the file on disk) and as-you-type
 * parsing of an open editor's unsaved text. While a document has live
 * diagnostics they win; when it closes, the stored ones come back.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';

export type SendDiagnostics = (uri: string, diagnostics: Diagnostic[]) => void;

export class DiagnosticsPublisher {
  private readonly send: SendDiagnostics;
  /** Only files with at least one diagnostic are kept. */
  private readonly stored = new Map<string, Diagnostic[]>();
  private readonly live = new Map<string, Diagnostic[]>();

  constructor(send: SendDiagnostics) {
    this.send = send;
  }

  setStored(uri: string, diagnostics: Diagnostic[]): void {
    const had = this.stored.has(uri);
    if (diagnostics.length === 0) {
      if (!had) return;
      this.stored.delete(uri);
    } else this.stored.set(uri, diagnostics);
    if (!this.live.has(uri)) this.send(uri, diagnostics);
  }

  /** Replaces everything stored under a folder: files not in `entries` are cleared. */
  syncFolder(folderPrefix: string, entries: Map<string, Diagnostic[]>): void {
    for (const uri of [...this.stored.keys()]) if (uri.startsWith(folderPrefix) && !entries.has(uri)) this.setStored(uri, []);
    for (const [uri, diagnostics] of entries) this.setStored(uri, diagnostics);
  }

  setLive(uri: string, diagnostics: Diagnostic[]): void {
    this.live.set(uri, diagnostics);
    this.send(uri, diagnostics);
  }

  clearLive(uri: string): void {
    if (!this.live.delete(uri)) return;
    this.send(uri, this.stored.get(uri) ?? []);
  }

  /** Files whose stored diagnostics include an error. */
  problemFileCount(): number {
    let n = 0;
    for (const list of this.stored.values()) if (list.some((d) => d.severity === DiagnosticSeverity.Error)) n++;
    return n;
  }
}
