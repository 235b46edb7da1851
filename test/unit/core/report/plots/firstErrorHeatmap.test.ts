import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { evalReport } from '../../../../../src/core/report/evalReport.js';
import { firstErrorHeatmap } from '../../../../../src/core/report/plots/firstErrorHeatmap.js';
import { DEFAULT_SCORING, type ScoredTrace } from '../../../../../src/core/scoring/scoreRecords.js';
import { scoredTrace } from './builders.js';

const doc = { format: 'processbench', records: [], problems: [] };
const report = (traces: readonly ScoredTrace[]) => evalReport(doc, traces, DEFAULT_SCORING, 'm');

// Threshold 0.5: the predicted first error is the first step scored under 0.5.
const ok = 0.9;
const low = 0.1;
const TRACES = [
  scoredTrace([[low, 'bad'], [ok, 'unknown']], { label: 0, id: 'omnimath-1' }), // labelled 0, predicted 0
  scoredTrace([[ok, 'good'], [ok, 'good']], { label: -1, id: 'omnimath-2' }), // none, none
  scoredTrace([[ok, 'good'], [ok, 'good'], [ok, 'good'], [low, 'bad'], [ok, 'unknown']], { label: 3, id: 'math-1' }), // 3 → ≥2, 3 → ≥2
  scoredTrace([[ok, 'good'], [ok, 'bad']], { label: 1, id: 'math-2' }), // labelled 1, predicted none
  scoredTrace([[ok, 'good'], [0.4, 'good']], { label: -1, id: 'math-3' }), // labelled none, predicted 1
  scoredTrace([[low, 'bad']]), // no ProcessBench label: left out
  scoredTrace([], { label: 2 }), // no step score: left out, as evalReport leaves it out
];

describe('firstErrorHeatmap', () => {
  it('counts labelled vs predicted first errors and copies accuracy and F1 from the metric', () => {
    const h = firstErrorHeatmap(TRACES, report(TRACES).metrics.processbench, 2);
    assert.ok(h.kind === 'firstErrorHeatmap');
    assert.deepEqual(h.buckets, ['0', '1', '≥2', 'none']);
    assert.deepEqual(h.counts, [
      [1, 0, 0, 0], // label 0: predicted 0
      [0, 0, 0, 1], // label 1: predicted none
      [0, 0, 1, 0], // label 3: predicted 3
      [0, 1, 0, 1], // label none: predicted 1, predicted none
    ]);
    assert.equal(h.count, 5);
    // Erroneous: labels 0 ✓, 3 ✓, 1 ✗ → 2/3. Correct: ✓, ✗ → 1/2. F1 = 2·(2/3)(1/2) / (2/3 + 1/2) = (2/3)/(7/6) = 4/7.
    assert.equal(h.erroneousAccuracy, 2 / 3);
    assert.equal(h.correctAccuracy, 1 / 2);
    assert.ok(Math.abs((h.f1 ?? 0) - 4 / 7) < 1e-12);
    // omnimath: erroneous 1/1, correct 1/1 → F1 1; math: erroneous 1/2, correct 0/1 → F1 0 (never NaN).
    assert.deepEqual(h.subsetF1, [
      { subset: 'omnimath', f1: 1 },
      { subset: 'math', f1: 0 },
    ]);
  });

  it("names ProcessBench's subsets by the id's prefix, digits included (gsm8k-0 → gsm8k)", () => {
    const traces = [scoredTrace([[low, 'bad']], { label: 0, id: 'gsm8k-0' }), scoredTrace([[ok, 'good']], { label: -1, id: 'olympiadbench-12' })];
    const h = firstErrorHeatmap(traces, report(traces).metrics.processbench);
    assert.ok(h.kind === 'firstErrorHeatmap');
    assert.deepEqual(h.subsetF1.map((s) => s.subset).sort(), ['gsm8k', 'olympiadbench']);
  });

  it('defaults to a cap of 15: buckets 0…14, ≥15, none', () => {
    const h = firstErrorHeatmap(TRACES, undefined);
    assert.ok(h.kind === 'firstErrorHeatmap');
    assert.equal(h.buckets.length, 17);
    assert.equal(h.buckets[15], '≥15');
    assert.equal(h.f1, null); // no metric given: null, not 0
  });

  it('is not applicable without ProcessBench labels, and rejects a bad cap', () => {
    assert.deepEqual(firstErrorHeatmap([scoredTrace([[low, 'bad']])], undefined), {
      kind: 'notApplicable',
      reason: 'No scored trace has a ProcessBench first-error label.',
    });
    assert.throws(() => firstErrorHeatmap([], undefined, 0), RangeError);
  });

  it('property: the cells sum to the number of ProcessBench records the metric counted', () => {
    const trace = fc.record({
      scores: fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN)), { maxLength: 25 }),
      label: fc.option(fc.integer({ min: -1, max: 24 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(trace, { maxLength: 20 }), fc.integer({ min: 1, max: 20 }), (raw, cap) => {
        const traces = raw.map((r) => scoredTrace(r.scores.map((s) => [s, 'unknown'] as const), r.label !== undefined ? { label: r.label } : {}));
        const pb = report(traces).metrics.processbench;
        const h = firstErrorHeatmap(traces, pb, cap);
        if (pb === undefined) return h.kind === 'notApplicable';
        assert.ok(h.kind === 'firstErrorHeatmap');
        assert.equal(h.counts.flat().reduce((a, b) => a + b, 0), pb.overall.count);
        assert.equal(h.count, pb.overall.count);
        return true;
      }),
    );
  });
});
