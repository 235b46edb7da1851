import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  harmonicMean,
  predictEarliestError,
  processBenchMetrics,
  type ProcessBenchItem,
} from '../../../../src/core/metrics/processBench.js';
import { readSample, samplesAvailable } from '../../helpers.js';

function near(actual: number | undefined, expected: number, eps = 1e-12): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const ITEMS: ProcessBenchItem[] = [
  { subset: 'gsm8k', label: 1, predicted: 1 }, // erroneous, hit
  { subset: 'gsm8k', label: 2, predicted: 1 }, // erroneous, flagged too early: miss
  { subset: 'gsm8k', label: 0, predicted: -1 }, // erroneous, error not found: miss
  { subset: 'gsm8k', label: -1, predicted: -1 }, // correct, hit
  { subset: 'gsm8k', label: -1, predicted: 3 }, // correct, false alarm: miss
  { subset: 'math', label: 3, predicted: 3 }, // erroneous, hit
  { subset: 'math', label: -1, predicted: -1 }, // correct, hit
  { label: -1, predicted: -1 }, // correct, hit, no subset
  { subset: 'math', label: 1.5, predicted: 1 }, // skipped: label not an index
  { subset: 'math', label: -2, predicted: -1 }, // skipped
  { subset: 'math', label: 0, predicted: Number.NaN }, // skipped
];

describe('harmonicMean', () => {
  it('is 2ab / (a + b), 0 when either is 0, undefined when either is missing', () => {
    near(harmonicMean(0.5, 1), 2 / 3); // 2·0.5·1 / 1.5
    assert.equal(harmonicMean(0, 1), 0);
    assert.equal(harmonicMean(0, 0), 0);
    assert.equal(harmonicMean(undefined, 1), undefined);
  });
});

describe('predictEarliestError', () => {
  it('is the first step strictly under the threshold, or −1', () => {
    assert.equal(predictEarliestError([0.9, 0.3, 0.1], 0.5), 1);
    assert.equal(predictEarliestError([0.9, 0.8], 0.5), -1);
    assert.equal(predictEarliestError([0.5], 0.5), -1); // 0.5 is not under 0.5
    assert.equal(predictEarliestError([], 0.5), -1);
  });
});

describe('processBenchMetrics', () => {
  it('scores each subset and their F1', () => {
    const m = processBenchMetrics(ITEMS);
    const gsm8k = m.bySubset[0];
    assert.equal(gsm8k?.subset, 'gsm8k');
    assert.equal(gsm8k.count, 5);
    assert.deepEqual(gsm8k.erroneous, { count: 3, hits: 1, accuracy: 1 / 3 });
    assert.deepEqual(gsm8k.correct, { count: 2, hits: 1, accuracy: 0.5 });
    near(m.bySubset[0]?.f1, 0.4); // 2·(1/3)·(1/2) / (1/3 + 1/2) = (1/3) / (5/6) = 2/5
    assert.deepEqual(m.bySubset[1], {
      subset: 'math',
      count: 2,
      erroneous: { count: 1, hits: 1, accuracy: 1 },
      correct: { count: 1, hits: 1, accuracy: 1 },
      f1: 1,
    });
    near(m.meanSubsetF1, 0.7); // (0.4 + 1) / 2
    assert.equal(m.skipped, 3);
  });

  it('pools every sample for the overall figures', () => {
    const o = processBenchMetrics(ITEMS).overall;
    // erroneous: 4 samples (gsm8k 3, math 1), 2 hits → 0.5; correct: 4 (gsm8k 2, math 1, none 1), 3 hits → 0.75
    assert.deepEqual(o.erroneous, { count: 4, hits: 2, accuracy: 0.5 });
    assert.deepEqual(o.correct, { count: 4, hits: 3, accuracy: 0.75 });
    assert.equal(o.count, 8);
    near(o.f1, 0.6); // 2·0.5·0.75 / 1.25 = 0.75 / 1.25
  });

  it('gives F1 = 0 when one half is never right', () => {
    const o = processBenchMetrics([
      { label: -1, predicted: 0 },
      { label: 2, predicted: 2 },
    ]).overall;
    assert.equal(o.correct.accuracy, 0);
    assert.equal(o.erroneous.accuracy, 1);
    assert.equal(o.f1, 0);
  });

  it('leaves F1 undefined when one half is empty, and everything undefined for empty input', () => {
    assert.equal(processBenchMetrics([{ label: 2, predicted: 2 }]).overall.f1, undefined);
    assert.deepEqual(processBenchMetrics([]), {
      overall: {
        count: 0,
        erroneous: { count: 0, hits: 0, accuracy: undefined },
        correct: { count: 0, hits: 0, accuracy: undefined },
        f1: undefined,
      },
      bySubset: [],
      meanSubsetF1: undefined,
      skipped: 0,
    });
  });

  it('gets gsm8k-0 right with the published Qwen2.5-Math-PRM-7B step rewards', { skip: !samplesAvailable() }, () => {
    const [rec] = JSON.parse(readSample('processbench.json') ?? '[]') as { id: string; label: number }[];
    assert.equal(rec?.id, 'gsm8k-0');
    // FORMATS.md §2: rewards [1.0, 0.19, 0.98, 1.0]; step 1 is the first under 0.5, and the label is 1.
    const predicted = predictEarliestError([1.0, 0.1904296875, 0.9765625, 1.0], 0.5);
    const m = processBenchMetrics([{ subset: 'gsm8k', label: rec?.label ?? Number.NaN, predicted }]);
    assert.deepEqual(m.bySubset[0]?.erroneous, { count: 1, hits: 1, accuracy: 1 });
    assert.equal(m.bySubset[0]?.correct.count, 0);
    assert.equal(m.bySubset[0]?.f1, undefined); // no all-correct sample in the file
  });
});
