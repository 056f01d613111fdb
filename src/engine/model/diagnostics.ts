import type { Range } from './range.ts';

export type Severity = 'error' | 'warning' | 'info';

/** Stable codes: the editor shows them and users filter on them. */
export type DiagnosticCode =
  | 'binary-file'
  | 'invalid-encoding'
  | 'parse-error'
  | 'fallback-extraction'
  | 'too-large'
  | 'too-deep'
  | 'too-many-items'
  | 'unterminated-quote'
  | 'unterminated-comment'
  | 'meta-command'
  | 'parse-timeout'
  | 'internal-error';

export interface Diagnostic {
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  range: Range;
}
