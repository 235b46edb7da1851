import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { bestOfNMetrics, type CandidateGroup } from '../../../../../src/core/metrics/bestOfN.js';
import { evalReport } from '../../../../../src/core/report/evalReport.js';
import { bestOfNGroups } from '../../../../../src/core/metrics/bestOfN.js';
import { bestOfNCurve, curveSizes } from '../../../../../src/core/report/plots/bestOfNCurve.js';
import { DEFAULT_SCORING } from '../../../../../src/core/scoring/scoreRecords.js';
import { scoredTrace } from './builders.js';

const c = (score: number, correct: boolean) => ({ score, correct });

describe('bestOfNCurve', () => {
  const GROUPS: CandidateGroup[] = [
    { candidates: [c(0.2, false), c(0.9, true), c(0.5, false)] },
    { candidates: [c(0.8, true), c(0.3, false), c(0.95, false)] },
    { candidates: [c(0.4, false), c(0.4, true)] },
  ];

  it('gives selection accuracy and pass@n for the first n samples of each prompt', () => {
    const curve = bestOfNCurve(GROUPS);
    assert.ok(curve.kind === 'bestOfNCurve');
    assert.deepEqual(curve.points, [
      // n = 1: the first sample: ✗, ✓, ✗.
      { n: 1, count: 3, accuracy: 1 / 3, oracle: 1 / 3 },
      // n = 2: 0.9 ✓; 0.8 ✓; 0.4/0.4 tie with one correct → credit 1/2. (1 + 1 + 0.5) / 3.
      { n: 2, count: 3, accuracy: 2.5 / 3, oracle: 1 },
      // n = 3: only the first two groups have three samples: 0.9 ✓, 0.95 ✗.
      { n: 3, count: 2, accuracy: 0.5, oracle: 1 },
    ]);
    assert.equal(curve.groups, 3);
    assert.equal(curve.skipped, 0);
    // At the full size the point agrees with the bestOfN metric over the same groups.
    assert.equal(bestOfNMetrics(GROUPS.slice(0, 2)).overall.accuracy, curve.points[2]?.accuracy);
  });

  it('skips a group with a non-finite score at every n, as bestOfNMetrics does', () => {
    const curve = bestOfNCurve([...GROUPS, { candidates: [c(Number.NaN, true), c(0.1, false)] }]);
    assert.ok(curve.kind === 'bestOfNCurve');
    assert.equal(curve.skipped, 1);
    assert.equal(curve.points[0]?.count, 3);
  });

  it('is not applicable without a usable group', () => {
    assert.equal(bestOfNCurve([]).kind, 'notApplicable');
  });

  it('draws every n up to 16, then powers of two, then the largest n', () => {
    assert.deepEqual(curveSizes(1), [1]);
    assert.deepEqual(curveSizes(16), Array.from({ length: 16 }, (_, i) => i + 1));
    assert.deepEqual(curveSizes(40).slice(14), [15, 16, 32, 40]);
    assert.deepEqual(curveSizes(64).slice(15), [16, 32, 64]);
    assert.ok(curveSizes(1_000_000).length < 40);
  });

  it('groups traces the way the eval report does', () => {
    const traces = [
      scoredTrace([[0.2, 'unknown']], { prompt: 'a', correct: false }),
      scoredTrace([[0.7, 'unknown']], { prompt: 'a', correct: true }),
      scoredTrace([[0.9, 'unknown']], { prompt: 'a' }), // no correctness: not a candidate
      scoredTrace([[0.6, 'unknown']], { prompt: 'b', correct: true }), // a prompt with one sample
    ];
    const groups = bestOfNGroups(traces);
    assert.deepEqual(groups, [{ candidates: [c(0.2, false), c(0.7, true)] }]);
    const report = evalReport({ format: 'x' }, traces, DEFAULT_SCORING, 'm');
    const curve = bestOfNCurve(groups);
    assert.ok(curve.kind === 'bestOfNCurve');
    assert.equal(curve.points.at(-1)?.accuracy, report.metrics.best_of_n?.overall.accuracy);
  });
});
