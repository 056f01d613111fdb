import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineIndex } from '../../src/engine/text/lineIndex.ts';

test('positions count UTF-16 units per line, for LF, CRLF and lone CR line ends', () => {
  for (const nl of ['\n', '\r\n', '\r']) {
    const text = `ab${nl}cdé${nl}${nl}x`;
    const index = new LineIndex(text);
    assert.equal(index.lineCount, 4);
    const x = text.indexOf('x');
    assert.deepEqual(index.positionAt(x), { line: 3, character: 0 });
    assert.deepEqual(index.positionAt(text.indexOf('é')), { line: 1, character: 2 });
    assert.equal(index.offsetAt({ line: 3, character: 0 }), x);
    assert.deepEqual(index.rangeOf(0, 2), { start: { line: 0, character: 0 }, end: { line: 0, character: 2 } });
  }
});
