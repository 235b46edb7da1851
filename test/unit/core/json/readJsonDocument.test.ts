import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readJsonDocument } from '../../../../src/core/json/readJsonDocument.js';
import { decodeAt } from '../../helpers.js';

describe('readJsonDocument', () => {
  it('reads JSON Lines, skipping blank lines, with record ranges and 0-based lines', () => {
    const text = '{"a":1}\n\n  \n{"a":"x\\ny"}\n';
    const doc = readJsonDocument(text, { fileName: 'f.jsonl' });
    assert.equal(doc.layout, 'jsonl');
    assert.deepEqual(
      doc.entries.map((e) => [e.line, text.slice(e.range.start, e.range.end)]),
      [
        [0, '{"a":1}'],
        [3, '{"a":"x\\ny"}'],
      ],
    );
    assert.deepEqual(doc.problems, []);
  });

  it('reports a malformed line with its line and column and keeps every other line', () => {
    const text = '{"a":1}\n{"a": 2 "b": 3}\n{"a":3}\n';
    const doc = readJsonDocument(text, { fileName: 'f.jsonl' });
    assert.deepEqual(
      doc.entries.map((e) => (e.value as { a: number }).a),
      [1, 3],
    );
    assert.equal(doc.problems.length, 1);
    const p = doc.problems[0];
    assert.equal(p?.line, 2);
    assert.equal(p?.column, 9); // `{"a": 2 "b"`: the quote of "b" is column 9
    assert.match(p?.message ?? '', /missing ','/);
  });

  it('handles CRLF line ends: ranges exclude the \\r', () => {
    const text = '{"s":"one"}\r\n{"s":"two"}\r\n';
    const doc = readJsonDocument(text, { fileName: 'f.jsonl' });
    assert.deepEqual(
      doc.entries.map((e) => text.slice(e.range.start, e.range.end)),
      ['{"s":"one"}', '{"s":"two"}'],
    );
    const e = doc.entries[1];
    const r = e && e.locator.rangeOf(e.value as object, 's');
    assert.ok(r);
    assert.equal(decodeAt(text, r), 'two');
  });

  it('keeps offsets of a file with a BOM (the BOM is character 0)', () => {
    const text = '\uFEFF{"s":"a"}\n{"s":"b"}\n';
    const doc = readJsonDocument(text, { fileName: 'f.jsonl' });
    assert.equal(doc.entries.length, 2);
    const e = doc.entries[0];
    const r = e && e.locator.rangeOf(e.value as object, 's');
    assert.deepEqual(r, { start: 7, end: 8 });
  });

  it('says an empty file is empty', () => {
    for (const text of ['', '   \n\n']) {
      const doc = readJsonDocument(text);
      assert.equal(doc.entries.length, 0);
      assert.match(doc.problems[0]?.message ?? '', /empty/);
    }
  });

  it('says binary bytes are binary', () => {
    const text = String.fromCharCode(0x50, 0x4b, 3, 4, 0, 0, 0, 8, 0, 0xfffd, 0xfffd);
    const doc = readJsonDocument(text, { fileName: 'x.jsonl' });
    assert.equal(doc.entries.length, 0);
    assert.match(doc.problems[0]?.message ?? '', /binary/);
  });

  it('says non-JSON text is not JSON, located at its first character', () => {
    const doc = readJsonDocument('\n  hello world\nthis is prose\n', { fileName: 'notes.json' });
    assert.equal(doc.entries.length, 0);
    assert.deepEqual([doc.problems[0]?.line, doc.problems[0]?.column], [2, 3]);
    assert.match(doc.problems[0]?.message ?? '', /Expected JSON or JSON Lines/);
  });

  it('reads a pretty-printed object and a top-level array', () => {
    const obj = readJsonDocument('{\n  "x": "y"\n}\n', { fileName: 'a.json' });
    assert.equal(obj.layout, 'object');
    assert.equal(obj.entries.length, 1);
    const arr = readJsonDocument('[\n {"x": 1},\n {"x": 2}\n]', { fileName: 'a.json' });
    assert.equal(arr.layout, 'array');
    assert.deepEqual(
      arr.entries.map((e) => e.line),
      [1, 2],
    );
  });

  it('salvages the complete elements of a truncated array and locates the error', () => {
    const text = '[\n {"x": 1},\n {"x": 2},\n {"x": ';
    const doc = readJsonDocument(text, { fileName: 'a.json' });
    assert.deepEqual(
      doc.entries.map((e) => (e.value as { x: number }).x),
      [1, 2],
    );
    assert.equal(doc.problems.length, 1);
    assert.equal(doc.problems[0]?.line, 4);
  });

  it('reads a 10 MB line', () => {
    const big = 'x'.repeat(10 * 1024 * 1024);
    const text = `{"s":"${big}"}\n{"s":"small"}\n`;
    const doc = readJsonDocument(text, { fileName: 'big.jsonl' });
    assert.equal(doc.entries.length, 2);
    const e = doc.entries[0];
    const r = e && e.locator.rangeOf(e.value as object, 's');
    assert.deepEqual(r, { start: 6, end: 6 + big.length });
  });
});
