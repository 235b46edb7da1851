import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import type { Trace } from '../../../../src/core/dataset/types.js';
import { decodeAt, readSample, samplesAvailable } from '../../helpers.js';

const SMALL = JSON.stringify(
  [
    { id: 'gsm8k-9', generator: 'g', problem: 'What is 2+2?', steps: ['We add: 2+2 = 5.', 'So the answer is \\(\\boxed{5}\\).\n“done”'], final_answer_correct: false, label: 0 },
    { id: 'math-1', generator: 'g', problem: 'p', steps: ['a', 'b'], final_answer_correct: true, label: -1 },
  ],
  null,
  1,
);

describe('ProcessBench', () => {
  it('reads a JSON array with labels from the earliest-error index', () => {
    const doc = parseDocument(SMALL, 'x.json');
    assert.equal(doc.format, 'processbench');
    assert.deepEqual(doc.problems, []);
    const [a, b] = doc.records as Trace[];
    assert.equal(a?.id, 'gsm8k-9');
    assert.deepEqual(a?.steps.map((s) => s.label), ['bad', 'unknown']);
    assert.deepEqual(b?.steps.map((s) => s.label), ['good', 'good']);
    assert.equal(a?.correct, false);
  });

  it('locates every step at its exact characters', () => {
    const doc = parseDocument(SMALL, 'x.json');
    for (const r of doc.records as Trace[]) {
      for (const s of r.steps) {
        assert.ok(s.range);
        assert.equal(decodeAt(SMALL, s.range), s.text);
      }
      assert.ok(r.promptRange);
      assert.equal(decodeAt(SMALL, r.promptRange), r.prompt);
    }
  });

  it('reads the shared sample', { skip: !samplesAvailable() }, () => {
    const text = readSample('processbench.json') ?? '';
    const doc = parseDocument(text, 'processbench.json');
    assert.equal(doc.format, 'processbench');
    assert.equal(doc.records.length, 1);
    const first = doc.records[0] as Trace;
    assert.equal(first.id, 'gsm8k-0');
    assert.deepEqual(first.steps.map((s) => s.label), ['good', 'bad', 'unknown', 'unknown']);
    for (const s of first.steps) assert.equal(decodeAt(text, s.range ?? { start: 0, end: 0 }), s.text);
  });
});
