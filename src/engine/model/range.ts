/** Zero-based line and UTF-16 character offset, as the LSP and VS Code count them. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** A span of the source text by UTF-16 code-unit offsets (end exclusive). */
export interface Span {
  start: number;
  end: number;
}
