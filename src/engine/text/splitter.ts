import type { Dialect } from '../model/dialect.ts';
import type { Diagnostic } from '../model/diagnostics.ts';
import type { Range } from '../model/range.ts';
import { blockOpenAfterBegin, closeAfterEnd, type BlockFrame, routineModeFor, type RoutineMode } from './blocks.ts';
import {
  CH,
  dollarTagAt,
  isAsciiLetter,
  isDigit,
  isEString,
  isLineBreak,
  isWhitespace,
  isWordStart,
  lexTraits,
  lineEnd,
  skipBlockComment,
  skipDollarQuoted,
  skipQuoted,
  wordEnd,
  type LexTraits,
} from './lexing.ts';
import { LineIndex } from './lineIndex.ts';

export interface SplitStatement {
  /** `source.slice(start, end)`: no terminator, no leading comments, no surrounding whitespace. */
  text: string;
  start: number;
  end: number;
  range: Range;
}

export interface SplitOptions {
  dialect?: Dialect;
  /** The caller's index of this same text, to avoid building a second one. */
  lines?: LineIndex;
}

export interface SplitResult {
  statements: SplitStatement[];
  diagnostics: Diagnostic[];
}

/**
 * A place between statements where a run can start again (see
 * splitEditedText): everything the splitter carries from one statement to
 * the next, and how far it had read.
 */
export interface SplitGap {
  /** The offset the run had reached, with no statement begun. */
  pos: number;
  /** Everything read before this gap lay before this offset (look-ahead past `pos` included, apart from `pos`'s own line). */
  high: number;
  /** Statements and diagnostics found before it. */
  statements: number;
  diagnostics: number;
  lineHasContent: boolean;
  delimiter: string;
}

/** A run that records its gaps, may start at a gap of an earlier run, and may stop at a gap. */
export interface GapRun {
  /** A gap of an earlier run over a text identical up to its `high` (and `pos`'s line); counts continue from its. */
  from?: SplitGap;
  /** Receives each gap, in order, the starting one included. */
  gaps: SplitGap[];
  /** Asked at each gap after the first: true ends the run there, with that gap not recorded. */
  stopAt?: (gap: SplitGap) => boolean;
}

export interface GapRunResult extends SplitResult {
  /** The gap the run stopped at, when stopAt asked it to. */
  stoppedAt?: SplitGap;
}

/**
 * Splits a script into statements in one forward pass. It knows just enough
 * lexing to find the terminators that count: quotes, comments, dollar quoting,
 * routine bodies and BEGIN…END blocks, client commands (GO, DELIMITER, psql
 * backslash commands, SQL*Plus `/`) and COPY … FROM stdin data.
 */
export function splitStatements(text: string, options: SplitOptions = {}): SplitResult {
  try {
    return new StatementSplitter(text, options.dialect ?? 'generic', options.lines).run();
  } catch (error) {
    // A bug here must cost at most this file's split, never the caller.
    const lines = new LineIndex(text);
    const range = lines.rangeOf(0, text.length);
    const statements = text.trim() === '' ? [] : [{ text, start: 0, end: text.length, range }];
    return { statements, diagnostics: [{ severity: 'error', code: 'internal-error', message: `Statement splitter failed: ${String(error)}`, range }] };
  }
}

/** splitStatements recording gaps (see GapRun); throws where splitStatements would fall back. */
export function splitStatementsFromGap(text: string, options: SplitOptions, run: GapRun): GapRunResult {
  return new StatementSplitter(text, options.dialect ?? 'generic', options.lines, run).run();
}

/** Longest keyword the splitter looks at; longer words are never upper-cased. */
const MAX_KEYWORD_LENGTH = 12;
const LEAD_WORDS = 6;

/**
 * Lower-cased first letters of the words `word` and `trackBlocks` compare
 * after the leading words: BEGIN, CASE, DECLARE, DO, ELSE, END, FROM, IF,
 * LOOP, REPEAT, STDIN, THEN, WHILE.
 */
const TRACKED_INITIALS = new Set([...'bcdefilrstw'].map((c) => c.charCodeAt(0)));

/** False when the word cannot be one of the keywords tracked after the leading words (all 2 to 7 letters). */
function mayBeTrackedKeyword(text: string, start: number, end: number): boolean {
  const length = end - start;
  return length >= 2 && length <= 7 && TRACKED_INITIALS.has(text.charCodeAt(start) | 0x20);
}

class StatementSplitter {
  private readonly text: string;
  private readonly n: number;
  private readonly dialect: Dialect;
  private readonly traits: LexTraits;
  private readonly lines: LineIndex;
  private readonly statements: SplitStatement[] = [];
  private readonly diagnostics: Diagnostic[] = [];

  private readonly goSeparators: boolean;
  private readonly delimiterCommand: boolean;
  private readonly db2Terminator: boolean;
  private readonly slashLines: boolean;
  private readonly mysqlComments: boolean;

  private delimiter = ';';
  private pos = 0;
  private lineHasContent = false;
  private readonly gapRun: GapRun | undefined;
  /** Whether the gap since the last statement ended was recorded. */
  private gapTaken = false;
  private gapsTaken = 0;
  private high = 0;
  private statementBase = 0;
  private diagnosticBase = 0;

  // Current statement.
  private start = -1;
  private end = -1;
  private lead: string[] = [];
  private prevWord = '';
  private prevChar = 0;
  private blocks: BlockFrame[] = [];
  private routineMode: RoutineMode | undefined;
  private procStatementStart = false;
  private copyFromStdin = false;

  constructor(text: string, dialect: Dialect, lines: LineIndex | undefined, gapRun?: GapRun) {
    this.text = text;
    this.gapRun = gapRun;
    const from = gapRun?.from;
    if (from) {
      this.pos = from.pos;
      this.high = from.high;
      this.lineHasContent = from.lineHasContent;
      this.delimiter = from.delimiter;
      this.statementBase = from.statements;
      this.diagnosticBase = from.diagnostics;
    }
    this.n = text.length;
    this.dialect = dialect;
    this.traits = lexTraits(dialect);
    this.lines = lines ?? new LineIndex(text);
    const generic = dialect === 'generic';
    this.goSeparators = dialect === 'transactsql' || generic;
    this.delimiterCommand = dialect === 'mysql' || dialect === 'mariadb' || generic;
    this.db2Terminator = dialect === 'db2' || generic;
    this.slashLines = dialect === 'oracle';
    this.mysqlComments = dialect === 'mysql' || dialect === 'mariadb';
  }

  run(): GapRunResult {
    const { text, n } = this;
    while (this.pos < n) {
      if (this.start < 0 && !this.gapTaken && this.gapRun) {
        const stoppedAt = this.takeGap();
        if (stoppedAt) return { statements: this.statements, diagnostics: this.diagnostics, stoppedAt };
      }
      const i = this.pos;
      const c = text.charCodeAt(i);
      if (isWhitespace(c)) {
        // Skip the whole run here: layout whitespace is a large share of most scripts.
        let k = i;
        let lineBreak = false;
        for (let w = c; isWhitespace(w); w = text.charCodeAt(++k)) if (isLineBreak(w)) lineBreak = true;
        if (lineBreak) this.lineHasContent = false;
        this.pos = k;
        continue;
      }
      const atLineStart = !this.lineHasContent;
      this.lineHasContent = true;
      if (atLineStart && this.lineCommand(i, c)) continue;
      if (this.delimiter !== ';' && text.startsWith(this.delimiter, i)) {
        this.finishStatement();
        this.pos = i + this.delimiter.length;
        continue;
      }
      // Letters start no quote or comment (an E'...' string is handled at its quote).
      if (isAsciiLetter(c)) {
        this.word(i);
        continue;
      }
      if (!this.quoteOrComment(i, c)) {
        if (this.pos >= n) break; // an unterminated token consumed the rest
        continue;
      }
      if (this.pos !== i) continue;
      if (c === CH.semicolon && this.delimiter === ';') this.semicolon(i);
      else if (isWordStart(c, this.traits)) this.word(i);
      else this.punctuation(i, c);
    }
    this.finishStatement();
    return { statements: this.statements, diagnostics: this.diagnostics };
  }

  /** Records the gap at `pos`; returns it instead when the run should stop there. */
  private takeGap(): SplitGap | undefined {
    const run = this.gapRun!;
    this.gapTaken = true;
    const gap: SplitGap = {
      pos: this.pos,
      high: this.high,
      statements: this.statementBase + this.statements.length,
      diagnostics: this.diagnosticBase + this.diagnostics.length,
      lineHasContent: this.lineHasContent,
      delimiter: this.delimiter,
    };
    if (this.gapsTaken++ > 0 && run.stopAt?.(gap)) return gap;
    run.gaps.push(gap);
    return undefined;
  }

  // ---- client commands that own a whole line -------------------------------------------

  private lineCommand(i: number, c: number): boolean {
    const { text } = this;
    if (c === CH.backslash) {
      this.metaCommand(i);
      return true;
    }
    if (this.slashLines && c === CH.slash && this.restIsBlank(i + 1)) {
      this.finishStatement();
      this.pos = lineEnd(text, i);
      return true;
    }
    if (this.goSeparators && (c === 71 || c === 103)) {
      const end = this.goLineEnd(i);
      if (end >= 0) {
        this.finishStatement();
        this.pos = end;
        return true;
      }
    }
    if (this.delimiterCommand && this.start < 0 && (c === 68 || c === 100)) {
      const delimiter = this.delimiterCommandAt(i);
      if (delimiter !== undefined) {
        this.delimiter = delimiter;
        this.pos = lineEnd(text, i);
        return true;
      }
    }
    return false;
  }

  /** psql `\set`, `\i`, `\connect`, `\gset`...: ends the statement before it, is not SQL. */
  private metaCommand(i: number): void {
    this.finishStatement();
    const end = this.trimEnd(lineEnd(this.text, i), i);
    const name = /^\\[A-Za-z.!?]*/.exec(this.text.slice(i, Math.min(end, i + 40)))?.[0] ?? '\\';
    this.diagnostics.push({
      severity: 'info',
      code: 'meta-command',
      message: `psql meta-command ${name} is not SQL and was skipped.`,
      range: this.lines.rangeOf(i, end),
    });
    this.pos = lineEnd(this.text, i);
  }

  /** `GO` or `GO 5` alone on its line (a trailing `--` comment is allowed). Returns the line end, or -1. */
  private goLineEnd(i: number): number {
    const { text } = this;
    const o = text.charCodeAt(i + 1);
    if (o !== 79 && o !== 111) return -1;
    let k = i + 2;
    if (k < this.n && !isWhitespace(text.charCodeAt(k)) && !text.startsWith('--', k)) return -1;
    while (k < this.n && (text.charCodeAt(k) === CH.space || text.charCodeAt(k) === CH.tab)) k++;
    while (k < this.n && isDigit(text.charCodeAt(k))) k++;
    while (k < this.n && (text.charCodeAt(k) === CH.space || text.charCodeAt(k) === CH.tab)) k++;
    if (k >= this.n || isLineBreak(text.charCodeAt(k))) return k;
    return text.startsWith('--', k) ? lineEnd(text, k) : -1;
  }

  /** MySQL client `DELIMITER x` at the start of a statement: returns the new delimiter. */
  private delimiterCommandAt(i: number): string | undefined {
    const { text } = this;
    if (text.slice(i, i + 9).toUpperCase() !== 'DELIMITER') return undefined;
    let k = i + 9;
    const sep = text.charCodeAt(k);
    if (sep !== CH.space && sep !== CH.tab) return undefined;
    while (text.charCodeAt(k) === CH.space || text.charCodeAt(k) === CH.tab) k++;
    const startOfDelimiter = k;
    while (k < this.n && !isWhitespace(text.charCodeAt(k))) k++;
    return k > startOfDelimiter ? text.slice(startOfDelimiter, k) : undefined;
  }

  // ---- quotes and comments ---------------------------------------------------------------

  /**
   * Skips a quote or comment at `i` if one starts there. Returns false when it
   * never closes (the rest of the text became the last statement).
   */
  private quoteOrComment(i: number, c: number): boolean {
    const { text, traits } = this;
    const next = text.charCodeAt(i + 1);
    if (c === CH.minus && next === CH.minus) {
      if (this.db2Terminator) this.db2TerminatorComment(i);
      this.pos = lineEnd(text, i);
      return true;
    }
    if (c === CH.hash && traits.hashComments) {
      this.pos = lineEnd(text, i);
      return true;
    }
    if (c === CH.slash && next === CH.star) {
      const end = skipBlockComment(text, i, traits.nestedComments);
      if (end < 0) return this.unterminated(i, 2, 'unterminated-comment', 'Comment is never closed.');
      // MySQL `/*!50003 ... */` holds executable SQL: keep the statement alive.
      if (this.mysqlComments && text.charCodeAt(i + 2) === CH.bang) this.token(i, end);
      this.pos = end;
      return true;
    }
    let end: number | undefined;
    let openLength = 1;
    if (c === CH.squote) end = skipQuoted(text, i + 1, CH.squote, traits.backslashInSingle || isEString(text, i, traits));
    else if (c === CH.dquote) end = skipQuoted(text, i + 1, CH.dquote, traits.backslashInDouble);
    else if (c === CH.backtick && traits.backtickQuotes) end = skipQuoted(text, i + 1, CH.backtick, traits.backslashInBacktick);
    else if (c === CH.lbracket && traits.brackets) end = skipQuoted(text, i + 1, CH.rbracket, false);
    else if (c === CH.dollar && traits.dollarQuotes) {
      const tag = dollarTagAt(text, i);
      if (tag !== undefined) {
        openLength = tag.length;
        end = skipDollarQuoted(text, i, tag);
      }
    }
    if (end === undefined) return true;
    if (end < 0) return this.unterminated(i, openLength, 'unterminated-quote', `Quoted text starting with ${text.slice(i, i + openLength)} is never closed.`);
    this.token(i, end);
    this.prevWord = '';
    this.prevChar = 0;
    this.procStatementStart = false;
    this.pos = end;
    return true;
  }

  /** DB2 CLP scripts change the terminator with `--#SET TERMINATOR @`. */
  private db2TerminatorComment(i: number): void {
    const line = this.text.slice(i, Math.min(lineEnd(this.text, i), i + 40));
    const match = /^--#SET\s+TERMINATOR\s+(\S+)/i.exec(line);
    if (match?.[1]) this.delimiter = match[1];
  }

  private unterminated(i: number, length: number, code: 'unterminated-quote' | 'unterminated-comment', message: string): false {
    this.diagnostics.push({ severity: 'error', code, message, range: this.lines.rangeOf(i, i + length) });
    if (this.start < 0) this.start = i;
    this.end = this.trimEnd(this.n, i);
    this.finishStatement();
    this.pos = this.n;
    return false;
  }

  // ---- tokens ------------------------------------------------------------------------------

  private token(start: number, end: number): void {
    if (this.start < 0) this.start = start;
    this.end = end;
  }

  private semicolon(i: number): void {
    if (this.blocks.length === 0 && this.routineMode?.until !== 'batch-end' && this.routineMode?.until !== 'slash') {
      const copyData = this.copyFromStdin;
      this.finishStatement();
      this.pos = copyData ? this.skipCopyData(i + 1) : i + 1;
      return;
    }
    this.token(i, i + 1);
    this.prevWord = ';';
    this.prevChar = CH.semicolon;
    this.procStatementStart = true;
    this.pos = i + 1;
  }

  private punctuation(i: number, c: number): void {
    this.token(i, i + 1);
    const next = this.text.charCodeAt(i + 1);
    // `label:` before a loop starts a procedural statement; `:=` and `::` do not.
    this.procStatementStart = c === CH.colon && next !== CH.equals && next !== CH.colon && this.prevChar !== CH.colon;
    this.prevWord = '';
    this.prevChar = c;
    this.pos = i + 1;
  }

  private word(i: number): void {
    const { text } = this;
    const end = this.cutAtDelimiter(i, wordEnd(text, i, this.traits));
    this.token(i, end);
    this.pos = end;
    const leading = this.lead.length < LEAD_WORDS;
    // Past the leading words only a few keywords matter: other words skip the slice and upper-casing.
    const upper = end - i <= MAX_KEYWORD_LENGTH && (leading || mayBeTrackedKeyword(text, i, end)) ? text.slice(i, end).toUpperCase() : '';
    const afterDot = this.prevChar === CH.dot;
    this.prevChar = 0;

    if (leading) {
      this.lead.push(upper);
      if (this.routineMode === undefined) {
        this.routineMode = routineModeFor(this.dialect, this.lead);
        if (this.routineMode?.frame && this.blocks.length === 0) this.blocks.push(this.routineMode.frame);
      }
    }
    if (this.lead[0] === 'COPY' && upper === 'STDIN' && this.prevWord === 'FROM') this.copyFromStdin = true;

    if (!afterDot && this.delimiter === ';' && this.routineMode?.until !== 'batch-end') {
      // A word that is no keyword only ends a procedural statement start.
      if (upper === '') this.procStatementStart = false;
      else this.trackBlocks(upper, end);
    }
    this.prevWord = upper;
  }

  /** `$` and `@` are word characters, so a custom delimiter can be glued to a word (`END$$`, `END@`): cut the word there. */
  private cutAtDelimiter(start: number, end: number): number {
    const delimiter = this.delimiter;
    if (delimiter === ';') return end;
    const first = delimiter.charCodeAt(0);
    for (let k = start + 1; k < end; k++) {
      if (this.text.charCodeAt(k) === first && this.text.startsWith(delimiter, k)) return k;
    }
    return end;
  }

  /** BEGIN…END, CASE…END and procedural IF/LOOP/WHILE/REPEAT nesting, so `;` inside bodies does not split. */
  private trackBlocks(upper: string, end: number): void {
    const blocks = this.blocks;
    const procedural = this.dialect !== 'transactsql';
    const atProcStart = this.procStatementStart;
    this.procStatementStart = false;
    switch (upper) {
      case 'BEGIN': {
        if (!blockOpenAfterBegin(this.peekWord(end))) return;
        if (blocks[blocks.length - 1] === 'declare') blocks[blocks.length - 1] = 'begin';
        else blocks.push('begin');
        this.procStatementStart = true;
        return;
      }
      case 'END': {
        if (blocks.length === 0) return;
        const next = procedural ? this.peekWord(end) : undefined;
        const consumed = closeAfterEnd(blocks, next?.upper);
        if (consumed && next) {
          this.token(next.start, next.end);
          this.pos = next.end;
        }
        return;
      }
      case 'DECLARE':
        if (this.dialect === 'oracle' && blocks.length === 0 && this.lead.length === 1) blocks.push('declare');
        return;
      case 'CASE':
        if (blocks.length > 0) blocks.push('case');
        return;
      case 'THEN':
      case 'ELSE':
      case 'DO':
        this.procStatementStart = true;
        return;
    }
    if (!procedural || blocks.length === 0) return;
    if (upper === 'LOOP') {
      if (blocks[blocks.length - 1] === 'while') blocks[blocks.length - 1] = 'loop';
      else blocks.push('loop');
      this.procStatementStart = true;
    } else if (atProcStart && (upper === 'IF' || upper === 'WHILE' || upper === 'REPEAT')) {
      // MySQL's IF() function inside a CASE branch is not a statement.
      if (upper === 'IF' && blocks[blocks.length - 1] === 'case' && this.peekChar(end) === CH.lparen) return;
      blocks.push(upper === 'IF' ? 'if' : upper === 'WHILE' ? 'while' : 'repeat');
      if (upper === 'REPEAT') this.procStatementStart = true;
    }
  }

  /** The next word after `pos` (skipping whitespace and comments), or its first character. */
  private peekWord(pos: number): { start: number; end: number; upper: string } | { start: number; end: number; upper: undefined; char: number } {
    const k = this.skipTrivia(pos);
    const c = this.text.charCodeAt(k);
    if (k < this.n && isWordStart(c, this.traits)) {
      const end = wordEnd(this.text, k, this.traits);
      if (end + 1 > this.high) this.high = end + 1;
      const upper = end - k <= MAX_KEYWORD_LENGTH ? this.text.slice(k, end).toUpperCase() : '';
      return { start: k, end, upper };
    }
    return { start: k, end: k, upper: undefined, char: k < this.n ? c : -1 };
  }

  private peekChar(pos: number): number {
    const k = this.skipTrivia(pos);
    return k < this.n ? this.text.charCodeAt(k) : -1;
  }

  private skipTrivia(pos: number): number {
    const { text, n } = this;
    let k = pos;
    while (k < n) {
      const c = text.charCodeAt(k);
      if (isWhitespace(c)) k++;
      else if (c === CH.minus && text.charCodeAt(k + 1) === CH.minus) k = lineEnd(text, k);
      else if (c === CH.slash && text.charCodeAt(k + 1) === CH.star) {
        const end = skipBlockComment(text, k, this.traits.nestedComments);
        if (end < 0) return n;
        k = end;
      } else break;
    }
    if (k + 1 > this.high) this.high = k + 1;
    return k;
  }

  // ---- statement boundaries ------------------------------------------------------------------

  private finishStatement(): void {
    if (this.start >= 0 && this.end > this.start) {
      const { start, end } = this;
      this.statements.push({ text: this.text.slice(start, end), start, end, range: this.lines.rangeOf(start, end) });
    }
    this.start = -1;
    this.end = -1;
    this.lead = [];
    this.prevWord = '';
    this.prevChar = 0;
    this.blocks = [];
    this.routineMode = undefined;
    this.procStatementStart = false;
    this.copyFromStdin = false;
    this.gapTaken = false;
  }

  /** pg_dump data after `COPY ... FROM stdin;` runs up to a line `\.`; it is not SQL. */
  private skipCopyData(afterSemicolon: number): number {
    const { text, n } = this;
    let k = lineEnd(text, afterSemicolon);
    if (k >= n) return n;
    k += text.charCodeAt(k) === CH.cr && text.charCodeAt(k + 1) === CH.lf ? 2 : 1;
    while (k < n) {
      const eol = lineEnd(text, k);
      if (text.charCodeAt(k) === CH.backslash && text.charCodeAt(k + 1) === CH.dot && this.isBlank(k + 2, eol)) return eol;
      k = eol + (text.charCodeAt(eol) === CH.cr && text.charCodeAt(eol + 1) === CH.lf ? 2 : 1);
    }
    return n;
  }

  private restIsBlank(pos: number): boolean {
    return this.isBlank(pos, lineEnd(this.text, pos));
  }

  private isBlank(from: number, to: number): boolean {
    for (let k = from; k < to; k++) if (!isWhitespace(this.text.charCodeAt(k))) return false;
    return true;
  }

  /** `end` moved back over trailing whitespace, but not before `floor`. */
  private trimEnd(end: number, floor: number): number {
    let e = end;
    while (e > floor && isWhitespace(this.text.charCodeAt(e - 1))) e--;
    return e;
  }
}
