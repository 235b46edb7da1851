import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { StepLabel } from '../../../../../src/core/dataset/types.js';
import { stepScoreHistogram } from '../../../../../src/core/report/plots/stepScoreHistogram.js';
import { scoredTrace } from './builders.js';

describe('stepScoreHistogram', () => {
  it('counts step scores per label in fixed bins and counts what it leaves out', () => {
    const traces = [
      scoredTrace([
        [0.1, 'good'],
        [0.55, 'bad'],
        [Number.NaN, 'unknown'], // a not-judged step
      ]),
      scoredTrace([
        [1, 'good'], // the last bin keeps its upper edge
        [0.05, 'neutral'],
        [1.2, 'good'], // a logit-like score outside [0, 1]
      ]),
    ];
    const h = stepScoreHistogram(traces, 4);
    assert.equal(h.kind, 'stepScoreHistogram');
    if (h.kind !== 'stepScoreHistogram') return;
    // Bins [0, .25) [.25, .5) [.5, .75) [.75, 1]: 0.1 good + 0.05 neutral | – | 0.55 bad | 1 good.
    assert.deepEqual(h.bins, [
      { lo: 0, hi: 0.25, counts: { good: 1, bad: 0, neutral: 1, unknown: 0 } },
      { lo: 0.25, hi: 0.5, counts: { good: 0, bad: 0, neutral: 0, unknown: 0 } },
      { lo: 0.5, hi: 0.75, counts: { good: 0, bad: 1, neutral: 0, unknown: 0 } },
      { lo: 0.75, hi: 1, counts: { good: 1, bad: 0, neutral: 0, unknown: 0 } },
    ]);
    assert.deepEqual(h.totals, { good: 2, bad: 1, neutral: 1, unknown: 0 });
    assert.equal(h.nonFinite, 1);
    assert.equal(h.outside, 1);
  });

  it('defaults to 20 bins over [0, 1]', () => {
    const h = stepScoreHistogram([scoredTrace([[0.5, 'good']])]);
    assert.ok(h.kind === 'stepScoreHistogram');
    assert.equal(h.bins.length, 20);
    assert.equal(h.bins[0]?.lo, 0);
    assert.equal(h.bins[19]?.hi, 1);
    assert.equal(h.bins[10]?.counts.good, 1); // 0.5 starts bin [0.5, 0.55)
  });

  it('is not applicable, with a reason, when no step has a score', () => {
    for (const input of [[], [scoredTrace([])]]) {
      const h = stepScoreHistogram(input);
      assert.equal(h.kind, 'notApplicable');
      assert.ok(h.kind === 'notApplicable' && h.reason.length > 0);
    }
  });

  it('rejects a bad bin count', () => {
    assert.throws(() => stepScoreHistogram([], 0), RangeError);
  });

  it('property: the binned counts sum to the number of finite scores', () => {
    const label = fc.constantFrom<StepLabel>('good', 'bad', 'neutral', 'unknown');
    const score = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY));
    const trace = fc.array(fc.tuple(score, label), { maxLength: 8 });
    fc.assert(
      fc.property(fc.array(trace, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 30 }), (raw, bins) => {
        const h = stepScoreHistogram(
          raw.map((steps) => scoredTrace(steps)),
          bins,
        );
        const all = raw.flat();
        const finite = all.filter(([s]) => Number.isFinite(s)).length;
        if (all.length === 0) return h.kind === 'notApplicable';
        assert.ok(h.kind === 'stepScoreHistogram');
        const binned = h.bins.reduce((a, b) => a + b.counts.good + b.counts.bad + b.counts.neutral + b.counts.unknown, 0);
        assert.equal(binned, finite);
        assert.equal(h.nonFinite, all.length - finite);
        assert.equal(h.outside, 0);
        return true;
      }),
    );
  });
});
