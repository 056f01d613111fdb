/**
 * Engine diagnostics → LSP diagnostics. Ranges are already zero-based UTF-16
 * positions, as the LSP counts them, so they pass through unchanged.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import type { Diagnostic } from '../engine/model/diagnostics.ts';
import { DIAGNOSTIC_SOURCE } from '../shared/protocol.ts';

const SEVERITY = { error: DiagnosticSeverity.Error, warning: DiagnosticSeverity.Warning, info: DiagnosticSeverity.Information } as const;

/** File-level problems (binary, bad encoding) span the first line: one clear error, not a squiggle per statement. */
const FILE_LEVEL = new Set(['binary-file', 'invalid-encoding']);

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  const range = FILE_LEVEL.has(d.code) ? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } : d.range;
  return { range, severity: SEVERITY[d.severity], code: d.code, source: DIAGNOSTIC_SOURCE, message: d.message };
}

export function toLspDiagnostics(diagnostics: readonly Diagnostic[]): LspDiagnostic[] {
  return diagnostics.map(toLspDiagnostic);
}
