/**
 * Turns the bytes of a .sql file into text, or says why it cannot.
 *
 * Rules, in order:
 * 1. A UTF-16 BOM (FF FE / FE FF) decodes as UTF-16; so does BOM-less data
 *    whose first bytes alternate NUL and ASCII the way UTF-16 text does.
 * 2. Known binary signatures (PNG, ZIP, gzip, PDF, SQLite, ELF, JPEG, GIF),
 *    any NUL byte, or more than 10% control characters in the first 64 KiB
 *    mean `binary-file` with text ''.
 * 3. Valid UTF-8 (BOM stripped) is the normal case.
 * 4. Invalid UTF-8 is an `invalid-encoding` error when the file also holds a
 *    valid multi-byte UTF-8 sequence (it is UTF-8, just corrupt) or ends in a
 *    cut-off UTF-8 sequence (a lone lead byte such as 0xC3 at the very end is
 *    a truncated character, not a Windows-1252 "Ã").
 * 5. Otherwise it is decoded as Windows-1252 when that is plausible: mostly
 *    ASCII, no byte 1252 leaves undefined, no long runs of high bytes.
 * 6. Anything else is `invalid-encoding` with the offset of the first bad byte.
 *
 * On `invalid-encoding` the text is still a lossy UTF-8 decoding (U+FFFD for
 * bad bytes), so a caller may choose to show or scan it anyway.
 */

export type SqlEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface DecodeError {
  code: 'binary-file' | 'invalid-encoding';
  message: string;
}

export interface DecodedSql {
  text: string;
  encoding: SqlEncoding;
  error?: DecodeError;
}

const SAMPLE_BYTES = 64 * 1024;

/** Reused: decode() without `stream` keeps no state between calls, and building a decoder per file is not free. */
const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const MAX_CONTROL_SHARE = 0.1;
const MAX_HIGH_BYTE_SHARE = 0.3;
const MAX_HIGH_BYTE_RUN = 4;

const SIGNATURES: { name: string; bytes: number[] }[] = [
  { name: 'PNG image', bytes: [0x89, 0x50, 0x4e, 0x47] },
  { name: 'ZIP archive', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: 'ZIP archive', bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: 'gzip archive', bytes: [0x1f, 0x8b] },
  { name: 'PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'SQLite database', bytes: [...'SQLite format 3'].map((ch) => ch.charCodeAt(0)) },
  { name: 'ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { name: 'JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
];

/** Windows-1252 code points for bytes 0x80–0x9F; 0 marks the five undefined bytes. */
const CP1252_HIGH_CONTROL = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
  0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

export function decodeSql(bytes: Uint8Array): DecodedSql {
  try {
    return decode(bytes);
  } catch (e) {
    // TextDecoder should not throw outside fatal mode; stay total anyway.
    return { text: '', encoding: 'utf-8', error: { code: 'invalid-encoding', message: `Could not decode file: ${String(e)}` } };
  }
}

function decode(bytes: Uint8Array): DecodedSql {
  const utf16 = utf16Encoding(bytes);
  if (utf16) return decodeUtf16(bytes, utf16.encoding, utf16.bomLength);

  const binary = binaryReason(bytes);
  if (binary) return { text: '', encoding: 'utf-8', error: { code: 'binary-file', message: `Not a text file (${binary}).` } };

  const hasBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = hasBom ? bytes.subarray(3) : bytes;
  const encoding = hasBom ? 'utf-8-bom' : 'utf-8';
  try {
    return { text: UTF8_STRICT.decode(body), encoding };
  } catch {
    // fall through to the diagnosis below
  }

  const badOffset = firstInvalidUtf8(body) + (hasBom ? 3 : 0);
  const lossy = new TextDecoder('utf-8', { ignoreBOM: true }).decode(body);
  const invalid = (why: string): DecodedSql => ({
    text: lossy,
    encoding,
    error: { code: 'invalid-encoding', message: `${why} (first invalid byte at offset ${badOffset}).` },
  });

  if (endsInTruncatedUtf8(body)) return invalid('File ends in the middle of a UTF-8 character');
  if (hasBom || containsValidMultiByteUtf8(body)) return invalid('File is UTF-8 but contains invalid byte sequences');
  if (looksLikeWindows1252(body)) return { text: decodeWindows1252(body), encoding: 'windows-1252' };
  return invalid('File is neither valid UTF-8 nor plausible Windows-1252 text');
}

function utf16Encoding(bytes: Uint8Array): { encoding: 'utf-16le' | 'utf-16be'; bomLength: number } | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  // BOM-less UTF-16 of ASCII-range text: one byte of each pair is NUL, the other is not.
  const pairs = Math.min(bytes.length >> 1, 256);
  if (pairs < 2) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let p = 0; p < pairs; p++) {
    if (bytes[2 * p] === 0) zeroEven++;
    if (bytes[2 * p + 1] === 0) zeroOdd++;
  }
  if (zeroOdd >= pairs * 0.9 && zeroEven === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (zeroEven >= pairs * 0.9 && zeroOdd === 0) return { encoding: 'utf-16be', bomLength: 0 };
  return undefined;
}

function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be', bomLength: number): DecodedSql {
  const body = bytes.subarray(bomLength);
  let text: string;
  let error: DecodeError | undefined;
  try {
    text = new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    text = new TextDecoder(encoding, { ignoreBOM: true }).decode(body);
    const odd = body.length % 2 === 1 ? ' (odd number of bytes)' : '';
    error = { code: 'invalid-encoding', message: `File is ${encoding.toUpperCase()} but contains invalid sequences${odd}.` };
  }
  const controls = controlShare(text);
  if (text.includes('\u0000') || controls > MAX_CONTROL_SHARE) {
    return { text: '', encoding, error: { code: 'binary-file', message: 'Not a text file (control characters in UTF-16 data).' } };
  }
  return error ? { text, encoding, error } : { text, encoding };
}

function binaryReason(bytes: Uint8Array): string | undefined {
  for (const sig of SIGNATURES) {
    if (sig.bytes.length <= bytes.length && sig.bytes.every((b, i) => bytes[i] === b)) return sig.name;
  }
  const nul = bytes.indexOf(0);
  if (nul >= 0) return `NUL byte at offset ${nul}`;
  const sampleLength = Math.min(bytes.length, SAMPLE_BYTES);
  let controls = 0;
  for (let i = 0; i < sampleLength; i++) {
    if (isBinaryControl(bytes[i] ?? 0)) controls++;
  }
  if (sampleLength > 0 && controls / sampleLength > MAX_CONTROL_SHARE) return 'mostly control characters';
  return undefined;
}

/** Control characters that do not occur in text (tab, line breaks, form feed and ESC do). */
function isBinaryControl(b: number): boolean {
  return (b < 0x20 && b !== 9 && b !== 10 && b !== 12 && b !== 13 && b !== 27) || b === 0x7f;
}

function controlShare(text: string): number {
  const length = Math.min(text.length, SAMPLE_BYTES);
  if (length === 0) return 0;
  let controls = 0;
  for (let i = 0; i < length; i++) if (isBinaryControl(text.charCodeAt(i))) controls++;
  return controls / length;
}

/** Length of the UTF-8 sequence a lead byte announces; 0 for a byte that cannot lead. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether the `length`-byte sequence at `i` is valid UTF-8 (no overlongs, no surrogates). */
function validSequenceAt(bytes: Uint8Array, i: number, length: number): boolean {
  return i + length <= bytes.length && validPrefixAt(bytes, i, length);
}

/** Whether the bytes from `i` to `min(i + length, end)` can begin a valid `length`-byte sequence. */
function validPrefixAt(bytes: Uint8Array, i: number, length: number): boolean {
  const lead = bytes[i] ?? 0;
  const available = Math.min(length, bytes.length - i);
  for (let k = 1; k < available; k++) {
    const b = bytes[i + k] ?? 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (k === 1) {
      if (lead === 0xe0) lo = 0xa0;
      else if (lead === 0xed) hi = 0x9f;
      else if (lead === 0xf0) lo = 0x90;
      else if (lead === 0xf4) hi = 0x8f;
    }
    if (b < lo || b > hi) return false;
  }
  return true;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes[i] ?? 0);
    if (length === 0 || (length > 1 && !validSequenceAt(bytes, i, length))) return i;
    i += length;
  }
  return bytes.length;
}

function containsValidMultiByteUtf8(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const length = sequenceLength(bytes[i] ?? 0);
    if (length > 1 && validSequenceAt(bytes, i, length)) return true;
  }
  return false;
}

/** The file ends with a lead byte plus fewer continuation bytes than it announces. */
function endsInTruncatedUtf8(bytes: Uint8Array): boolean {
  const n = bytes.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const b = bytes[n - back] ?? 0;
    if (b >= 0x80 && b <= 0xbf) continue;
    return sequenceLength(b) > back && validPrefixAt(bytes, n - back, sequenceLength(b));
  }
  return false;
}

function looksLikeWindows1252(bytes: Uint8Array): boolean {
  let high = 0;
  let run = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      run = 0;
      continue;
    }
    if (b <= 0x9f && CP1252_HIGH_CONTROL[b - 0x80] === 0) return false;
    high++;
    run++;
    if (run > MAX_HIGH_BYTE_RUN) return false;
  }
  return high <= bytes.length * MAX_HIGH_BYTE_SHARE;
}

export function decodeWindows1252(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] ?? 0;
    units[i] = b >= 0x80 && b <= 0x9f ? CP1252_HIGH_CONTROL[b - 0x80] || b : b;
  }
  const parts: string[] = [];
  const chunk = 8192;
  for (let i = 0; i < units.length; i += chunk) {
    parts.push(String.fromCharCode(...units.subarray(i, i + chunk)));
  }
  return parts.join('');
}
