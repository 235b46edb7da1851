import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { normalizeLineEnds } from '../../../../src/core/readable/normalizeLineEnds.js';

describe('normalizeLineEnds', () => {
  const record: Trace = {
    kind: 'trace',
    id: 'r',
    recordRange: { start: 0, end: 14 },
    prompt: 'p\r\nq',
    promptRange: { start: 0, end: 4 },
    steps: [{ index: 0, text: 'a\rb\r\nc', range: { start: 5, end: 11 }, label: 'unknown', part: 'reasoning' }],
    metadata: {},
  };
  // "p\r\nq" + "\n" + "a\rb\r\nc" + "\n\r\n" = 14 characters; two \r\n pairs lose their \r, the lone \r becomes \n.
  const text = 'p\r\nq\na\rb\r\nc\n\r\n';

  it('turns \\r\\n and lone \\r into \\n and moves every range to match; texts stay as they were', () => {
    const out = normalizeLineEnds({ text, record });
    assert.equal(out.text, 'p\nq\na\nb\nc\n\n');
    assert.ok(out.record.kind === 'trace');
    assert.deepEqual(out.record.promptRange, { start: 0, end: 3 });
    assert.deepEqual(out.record.steps[0]?.range, { start: 4, end: 9 });
    assert.equal(out.record.steps[0]?.text, 'a\rb\r\nc');
    assert.deepEqual(out.record.recordRange, { start: 0, end: 11 });
  });

  it('returns a layout without \\r unchanged', () => {
    const plain = { text: 'abc', record: { ...record, recordRange: { start: 0, end: 3 } } };
    assert.equal(normalizeLineEnds(plain), plain);
  });
});
