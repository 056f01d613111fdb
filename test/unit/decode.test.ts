import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeSql, decodeWindows1252 } from '../../src/engine/text/decode.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

test('plain UTF-8, with and without BOM', () => {
  assert.deepEqual(decodeSql(new TextEncoder().encode('SELECT \'café\';')), { text: "SELECT 'café';", encoding: 'utf-8' });
  const bom = decodeSql(bytes([0xef, 0xbb, 0xbf], 'SELECT 1;'));
  assert.deepEqual(bom, { text: 'SELECT 1;', encoding: 'utf-8-bom' });
  assert.deepEqual(decodeSql(new Uint8Array()), { text: '', encoding: 'utf-8' });
});

test('UTF-16 by BOM and BOM-less UTF-16LE', () => {
  const le = Buffer.from('SELECT ñ;', 'utf16le');
  assert.deepEqual(decodeSql(bytes([0xff, 0xfe], [...le])), { text: 'SELECT ñ;', encoding: 'utf-16le' });
  const be = [...le].map((_, i, a) => a[i ^ 1] ?? 0);
  assert.deepEqual(decodeSql(bytes([0xfe, 0xff], be)), { text: 'SELECT ñ;', encoding: 'utf-16be' });
  assert.deepEqual(decodeSql(Uint8Array.from(Buffer.from('CREATE TABLE t (a int);', 'utf16le'))), {
    text: 'CREATE TABLE t (a int);',
    encoding: 'utf-16le',
  });
});

test('binary files are refused with empty text', () => {
  const cases: Uint8Array[] = [
    bytes([0x89], 'PNG\r\n', [0x1a, 0x0a, 0, 0, 0, 0x0d]),
    bytes([0x1f, 0x8b, 0x08, 0x00], 'xx'),
    bytes('PK', [3, 4], 'rest'),
    bytes('%PDF-1.7\n'),
    bytes('SQLite format 3', [0], 'x'),
    bytes('SELECT 1;', [0], 'more'),
    bytes([1, 2, 3, 4, 5, 6, 7, 8], 'ab'),
  ];
  for (const b of cases) {
    const r = decodeSql(b);
    assert.equal(r.error?.code, 'binary-file', `expected binary for ${[...b.slice(0, 6)]}`);
    assert.equal(r.text, '');
  }
});

test('Windows-1252 text is decoded with its 0x80-0x9F table', () => {
  const r = decodeSql(bytes('-- caf', [0xe9], ' ', [0x80], ' ', [0x93], 'x', [0x94], ' ', [0x85], '\nSELECT 1;\n'));
  assert.equal(r.encoding, 'windows-1252');
  assert.equal(r.error, undefined);
  assert.equal(r.text, '-- café € “x” …\nSELECT 1;\n');
  assert.equal(decodeWindows1252(bytes([0x8a, 0x9f, 0xa0, 0xff])), 'ŠŸ\u00a0ÿ');
});

test('a lone 0xC3 at the end is a truncated UTF-8 character, not Windows-1252', () => {
  const alone = decodeSql(bytes([0xc3]));
  assert.equal(alone.error?.code, 'invalid-encoding');
  assert.match(alone.error?.message ?? '', /offset 0\b/);
  const atEnd = decodeSql(bytes("SELECT 'abc';\n-- ", [0xc3]));
  assert.equal(atEnd.error?.code, 'invalid-encoding');
  assert.match(atEnd.error?.message ?? '', /offset 17\b/);
  assert.equal(atEnd.text, "SELECT 'abc';\n-- \ufffd");
});

test('a lone 0xC3 followed by ASCII in an otherwise ASCII file reads as Windows-1252', () => {
  const r = decodeSql(bytes('SELECT ', [0xc3], ' AS x;\n'));
  assert.equal(r.encoding, 'windows-1252');
  assert.equal(r.text, 'SELECT Ã AS x;\n');
});

test('broken UTF-8 next to valid UTF-8 is invalid-encoding with the byte offset', () => {
  const r = decodeSql(bytes('SELECT ', [0xc3, 0xa9], ' ', [0xe9], ' x;\n'));
  assert.equal(r.error?.code, 'invalid-encoding');
  assert.match(r.error?.message ?? '', /offset 10\b/);
  assert.equal(r.encoding, 'utf-8');
});

test('implausible Windows-1252 (undefined bytes, long high-byte runs) is invalid-encoding', () => {
  assert.equal(decodeSql(bytes('SELECT ', [0x81], ';\n')).error?.code, 'invalid-encoding');
  assert.equal(decodeSql(bytes('SELECT ', [0xe9, 0xe9, 0xe9, 0xe9, 0xe9, 0xe9], ';\n')).error?.code, 'invalid-encoding');
});

test('corpus: a BOM-prefixed T-SQL file', () => {
  const r = decodeSql(readFileSync('/work/shared/corpus/tsql-olahallengren/CommandLog.sql'));
  assert.equal(r.encoding, 'utf-8-bom');
  assert.equal(r.error, undefined);
  assert.ok(!r.text.startsWith('\ufeff'));
  assert.match(r.text, /CommandLog/);
});
