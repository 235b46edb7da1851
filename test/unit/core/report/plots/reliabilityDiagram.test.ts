import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { reliabilityBins } from '../../../../../src/core/metrics/calibration.js';
import { reliabilityPlot, stepReliability } from '../../../../../src/core/report/plots/reliabilityDiagram.js';
import { scoredTrace } from './builders.js';

function near(actual: number | null | undefined, expected: number, eps = 1e-12): void {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
}

const TRACES = [
  scoredTrace([
    [0.1, 'bad'],
    [0.2, 'good'],
    [0.8, 'good'],
  ]),
  scoredTrace([
    [0.9, 'bad'],
    [0.7, 'neutral'],
    [0.6, 'unknown'],
    [Number.NaN, 'good'],
  ]),
];

describe('stepReliability', () => {
  it('bins labelled steps, leaving out unknown and (by default) neutral ones', () => {
    const r = stepReliability(TRACES, { bins: 2 });
    assert.ok(r.kind === 'reliability');
    assert.equal(r.unit, 'step');
    // [0, .5): 0.1 bad, 0.2 good → mean .15, observed .5; [.5, 1]: 0.8 good, 0.9 bad → mean .85, observed .5.
    assert.deepEqual(
      r.bins.map((b) => [b.lo, b.hi, b.count, b.observed]),
      [
        [0, 0.5, 2, 0.5],
        [0.5, 1, 2, 0.5],
      ],
    );
    near(r.bins[0]?.meanScore, 0.15);
    near(r.bins[1]?.meanScore, 0.85);
    assert.equal(r.count, 4);
    assert.equal(r.skipped, 1); // the NaN step labelled good
    // ECE = (2/4)·|.15 − .5| + (2/4)·|.85 − .5| = .175 + .175 = .35
    near(r.ece, 0.35);
  });

  it('reads neutral as good when asked, as stepAgreement does', () => {
    const r = stepReliability(TRACES, { bins: 2, neutral: 'good' });
    assert.ok(r.kind === 'reliability');
    // The upper bin gains 0.7 (good): mean (.8 + .9 + .7)/3 = .8, observed 2/3.
    near(r.bins[1]?.meanScore, 0.8);
    near(r.bins[1]?.observed, 2 / 3);
    assert.equal(r.count, 5);
    // ECE = (2/5)·.35 + (3/5)·|.8 − 2/3| = .14 + .08 = .22
    near(r.ece, 0.22);
  });

  it('is not applicable when no scored step has a good or bad label', () => {
    const r = stepReliability([scoredTrace([[0.3, 'unknown']])]);
    assert.deepEqual(r, { kind: 'notApplicable', reason: 'No scored step has a good or bad label.' });
    assert.equal(stepReliability([scoredTrace([[Number.NaN, 'good']])]).kind, 'notApplicable');
  });
});

describe('reliabilityPlot', () => {
  it('turns the report calibration into JSON-safe bins (null for empty ones)', () => {
    const r = reliabilityPlot(reliabilityBins([{ score: 0.9, correct: true }], { bins: 2 }), 'trace', 'none');
    assert.ok(r.kind === 'reliability');
    assert.deepEqual(r.bins, [
      { lo: 0, hi: 0.5, count: 0, meanScore: null, observed: null },
      { lo: 0.5, hi: 1, count: 1, meanScore: 0.9, observed: 1 },
    ]);
    near(r.ece, 0.1); // |0.9 − 1|
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });

  it('is not applicable without a calibration or with nothing binned', () => {
    assert.deepEqual(reliabilityPlot(undefined, 'trace', 'why'), { kind: 'notApplicable', reason: 'why' });
    assert.equal(reliabilityPlot(reliabilityBins([]), 'trace', 'why').kind, 'notApplicable');
  });
});
