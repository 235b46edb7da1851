import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDocument } from '../../../../src/core/parseDocument.js';
import { TRACE_FORMATS } from '../../../../src/core/formats/registryTraces.js';
import { readSample, samplesAvailable } from '../../helpers.js';

describe('trace format registry', () => {
  it('lists each trace format once, ProcessBench first', () => {
    assert.deepEqual(
      TRACE_FORMATS.map((f) => f.id),
      ['processbench', 'prm800k', 'prm800k-scored', 'math-shepherd', 'trl-stepwise'],
    );
  });

  const expected: readonly (readonly [string, string])[] = [
    ['processbench.json', 'processbench'],
    ['prm800k.jsonl', 'prm800k'],
    ['prm800k_scored_samples.jsonl', 'prm800k-scored'],
    ['math_shepherd.jsonl', 'math-shepherd'],
    ['trl_stepwise.jsonl', 'trl-stepwise'],
  ];
  for (const [file, format] of expected) {
    it(`detects ${file} as ${format}`, { skip: !samplesAvailable() }, () => {
      assert.equal(parseDocument(readSample(file) ?? '', file).format, format);
    });
  }

  it('scores no other trace format on a record of each', () => {
    const records: Record<string, unknown> = {
      processbench: { id: 'x', generator: 'g', problem: 'p', steps: ['a'], final_answer_correct: true, label: -1 },
      prm800k: { question: { problem: 'p' }, label: { steps: [] } },
      'prm800k-scored': { problem: 'p', steps: ['a'], rating_probs: [{}], is_correct: true },
      'math-shepherd': { input: 'p Step 1: a ки', label: 'p Step 1: a +', task: 'MATH' },
      'trl-stepwise': { prompt: 'p', completions: ['a'], labels: [true] },
    };
    for (const [id, value] of Object.entries(records)) {
      const scores = TRACE_FORMATS.map((f) => [f.id, f.detect(value)] as const).filter(([, s]) => s > 0);
      assert.deepEqual(scores, [[id, 3]], `record of ${id}`);
    }
  });
});
