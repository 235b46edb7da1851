import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { marginHistogram } from '../../../../../src/core/report/plots/marginHistogram.js';
import { scoredPreference } from './builders.js';

describe('marginHistogram', () => {
  const PREFS = [
    scoredPreference([0.9], [0.1]), // +0.8
    scoredPreference([0.3], [0.5]), // −0.2
    scoredPreference([0.5], [0.5]), // 0: a tie
    scoredPreference([0.1], [0.9]), // −0.8
    scoredPreference([undefined], [0.4]), // no margin
    scoredPreference([0.5], [0.1]), // +0.4
  ];

  it('bins margins symmetrically around 0, counting ties and missing margins apart', () => {
    const h = marginHistogram(PREFS, { bins: 4 });
    assert.ok(h.kind === 'marginHistogram');
    assert.equal(h.limit, 0.8); // the largest |margin|
    // [−.8, −.4): −0.8 | [−.4, 0]: −0.2 | [0, .4): – | [.4, .8]: 0.4, 0.8
    assert.deepEqual(
      h.bins.map((b) => [b.lo, b.hi, b.count]),
      [
        [-0.8, -0.4, 1],
        [-0.4, 0, 1],
        [0, 0.4, 0],
        [0.4, 0.8, 2],
      ],
    );
    assert.equal(h.ties, 1);
    assert.equal(h.noMargin, 1);
    assert.equal(h.outside, 0);
  });

  it('counts margins beyond a fixed limit as outside', () => {
    const h = marginHistogram(PREFS, { bins: 4, limit: 0.5 });
    assert.ok(h.kind === 'marginHistogram');
    // −0.8 and +0.8 are beyond ±0.5; [−.5, −.25): – | [−.25, 0]: −0.2 | [0, .25): – | [.25, .5]: 0.4
    assert.deepEqual(
      h.bins.map((b) => b.count),
      [0, 1, 0, 1],
    );
    assert.equal(h.outside, 2);
  });

  it('uses a limit of 1 when every margin is a tie, and is not applicable without margins', () => {
    const h = marginHistogram([scoredPreference([0.5], [0.5])], { bins: 2 });
    assert.ok(h.kind === 'marginHistogram');
    assert.deepEqual([h.limit, h.ties, h.bins.map((b) => b.count)], [1, 1, [0, 0]]);
    assert.equal(marginHistogram([]).kind, 'notApplicable');
    assert.equal(marginHistogram([scoredPreference([undefined], [0.1])]).kind, 'notApplicable');
  });

  it('rejects an odd bin count and a bad limit', () => {
    assert.throws(() => marginHistogram(PREFS, { bins: 5 }), RangeError);
    assert.throws(() => marginHistogram(PREFS, { limit: 0 }), RangeError);
  });

  it('property: every set lands in exactly one place, and no bar straddles 0', () => {
    const score = fc.option(fc.double({ min: -10, max: 10, noNaN: true }), { nil: undefined });
    fc.assert(
      fc.property(fc.array(fc.tuple(score, score), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 15 }), (raw, half) => {
        const prefs = raw.map(([a, b]) => scoredPreference([a], [b]));
        const h = marginHistogram(prefs, { bins: 2 * half });
        if (h.kind === 'notApplicable') return prefs.every((p) => p.margin === null);
        const binned = h.bins.reduce((a, b) => a + b.count, 0);
        assert.equal(binned + h.ties + h.outside + h.noMargin, prefs.length);
        assert.equal(h.outside, 0);
        assert.equal(h.bins[half - 1]?.hi, 0);
        assert.equal(h.bins[half]?.lo, 0);
        return true;
      }),
    );
  });
});
